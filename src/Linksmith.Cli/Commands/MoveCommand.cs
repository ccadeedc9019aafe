using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace Linksmith.Cli.Commands;

/// <summary>
/// <c>move SRC DEST_DIR</c>, <c>move --back LINK</c>, <c>move --resume</c>: move a folder (or file)
/// to another place and leave a link behind, crash-safe and journaled; and <c>moves</c>, the journal's list.
/// </summary>
internal static class MoveCommand
{
    public static Command Create(CliConsole console)
    {
        var source = new Argument<string?>("SRC") { Arity = ArgumentArity.ZeroOrOne, Description = "The folder or file to move" };
        var destination = new Argument<string?>("DEST_DIR") { Arity = ArgumentArity.ZeroOrOne, Description = "An existing folder; the data lands in it as DEST_DIR/NAME" };
        var leave = new Option<string?>("--leave")
        {
            Description = "What to leave at SRC: junction (default for a folder on Windows), symlink (absolute; the default elsewhere), none",
            HelpName = "junction|symlink|none",
        };
        leave.AcceptOnlyFromAmong("junction", "symlink", "none");
        var resume = new Option<bool>("--resume") { Description = "Finish, or roll back, every interrupted move" };
        var back = new Option<string?>("--back") { Description = "Bring a moved folder home to LINK (the link a move left) and remove it from the other place", HelpName = "LINK" };
        var reflink = new Option<string?>("--reflink")
        {
            Description = "When the move copies (across volumes): share data blocks where the file system can (auto, the default), always (exit 3 before anything changes where it cannot), never (write new blocks)",
            HelpName = "auto|always|never",
        };
        reflink.AcceptOnlyFromAmong("auto", "always", "never");
        var dryRun = CommonOptions.DryRun();
        var json = CommonOptions.Json();
        var verbose = new Option<bool>("--verbose", "-v") { Description = "List every step and every copied entry" };
        var command = new Command("move", "Move a folder or file to another place (usually another disk) and leave a link behind; crash-safe, resumable, undoable")
        {
            source, destination, leave, resume, back, reflink, dryRun, json, verbose,
        };
        command.SetAction((parse, cancellation) =>
        {
            var reporter = new Reporter(console, parse.GetValue(json));
            var reflinkText = parse.GetValue(reflink);
            var options = new MoveOptions { DryRun = parse.GetValue(dryRun), Reflink = TreeCommands.ParseReflink(reflinkText), Cancellation = cancellation };
            var src = parse.GetValue(source);
            var dest = parse.GetValue(destination);
            var backLink = parse.GetValue(back);
            var leaveText = parse.GetValue(leave);
            int code;
            if (parse.GetValue(resume))
            {
                code = src is not null || backLink is not null || leaveText is not null || reflinkText is not null
                    ? reporter.Usage("--resume takes no paths and no other mode", "run `linksmith move --resume` alone; an interrupted move is finished with the --reflink it was started with")
                    : Resume(reporter, options, parse.GetValue(verbose));
            }
            else if (backLink is not null)
            {
                code = src is not null || leaveText is not null
                    ? reporter.Usage("--back LINK takes no other paths and no --leave", "run `linksmith move --back LINK`")
                    : Run(reporter, options, parse.GetValue(verbose), o => Mover.MoveBack(backLink, o));
            }
            else if (src is null || dest is null)
            {
                code = reporter.Usage(src is null ? "missing SRC and DEST_DIR" : "missing DEST_DIR", "run `linksmith move SRC DEST_DIR`, `linksmith move --back LINK` or `linksmith move --resume`");
            }
            else
            {
                var leaveBehind = leaveText switch
                {
                    "junction" => LeaveBehind.Junction,
                    "symlink" => LeaveBehind.SymbolicLink,
                    "none" => LeaveBehind.None,
                    _ => LeaveBehind.Default,
                };
                code = Run(reporter, options, parse.GetValue(verbose), o => Mover.Move(src, dest, leaveBehind, o));
            }

            return Task.FromResult(code);
        });
        return command;
    }

    public static Command List(CliConsole console)
    {
        var json = CommonOptions.Json();
        var command = new Command("moves", "List the moves in the journal: when, from, to, and how each stands") { json };
        command.SetAction(parse =>
        {
            var reporter = new Reporter(console, parse.GetValue(json));
            IReadOnlyList<MoveRecord> moves;
            try
            {
                moves = Mover.List();
            }
            catch (LinksmithException error)
            {
                reporter.Fail(error);
                return reporter.ExitCode;
            }

            if (reporter.Json)
            {
                JsonOutput.Write(console.Out, writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteStartArray("moves");
                    foreach (var move in moves)
                    {
                        WriteRecord(writer, move);
                        writer.WriteEndObject();
                    }

                    writer.WriteEndArray();
                    writer.WriteErrors(reporter.Errors);
                    writer.WriteEndObject();
                });
            }
            else if (moves.Count == 0)
            {
                reporter.Line("no moves recorded");
            }
            else
            {
                foreach (var move in moves)
                {
                    reporter.Line(string.Create(
                        CultureInfo.InvariantCulture,
                        $"{move.StartedAt.ToLocalTime():yyyy-MM-dd HH:mm:ss}  {StateName(move.State),-12} {(move.Direction == MoveDirection.Back ? "back" : "away"),-4}  {Display.Path(move.SourcePath)} -> {Display.Path(move.DestinationPath)}"));
                }
            }

            return reporter.ExitCode;
        });
        return command;
    }

    /// <summary>
    /// Warns once, on stderr, when an interrupted move waits for <c>move --resume</c>. Costs one
    /// directory listing of the state folder; <c>move --resume</c> itself does not warn.
    /// </summary>
    public static void WarnIfInterrupted(ParseResult parseResult, CliConsole console)
    {
        if (parseResult.CommandResult.Command.Name == "move" && parseResult.Tokens.Any(static t => t.Value == "--resume"))
        {
            return;
        }

        if (Mover.HasInterruptedMoves())
        {
            console.Error.WriteLine("linksmith: warning: a move was interrupted; run `linksmith move --resume` to finish or roll it back");
        }
    }

    private static int Run(Reporter reporter, MoveOptions options, bool verbose, Func<MoveOptions, MoveResult> move)
    {
        using var progress = options.DryRun ? null : ProgressLine.Start(reporter.Console);
        options = Wire(reporter, options, verbose, progress);
        MoveResult result;
        if (Attempt(reporter, progress, "interrupted; the move was rolled back and everything is as it was", () => move(options), out result) is { } failed)
        {
            return failed;
        }

        progress?.Clear();
        if (result.IsJunctionSubstitute)
        {
            reporter.Notice("junctions exist only on Windows; an absolute directory symlink stands in for it");
        }

        if (reporter.Json)
        {
            JsonOutput.Write(reporter.Console.Out, writer =>
            {
                WriteResult(writer, result, options.DryRun);
                writer.WriteWarnings(reporter.Warnings);
                writer.WriteErrors(reporter.Errors);
                writer.WriteEndObject();
            });
        }
        else
        {
            Describe(reporter, result, options.DryRun);
        }

        return reporter.ExitCode;
    }

    /// <summary>Runs a move or resume; on refusal or Ctrl+C reports it and returns the exit code, else null.</summary>
    private static int? Attempt<T>(Reporter reporter, ProgressLine? progress, string interrupted, Func<T> work, out T result)
    {
        result = default!;
        try
        {
            result = work();
            return null;
        }
        catch (LinksmithException error)
        {
            progress?.Clear();
            reporter.Fail(error);
            return reporter.ExitCode;
        }
        catch (OperationCanceledException)
        {
            progress?.Clear();
            reporter.Notice(interrupted);
            return ExitCodes.Interrupted;
        }
    }

    private static int Resume(Reporter reporter, MoveOptions options, bool verbose)
    {
        using var progress = options.DryRun ? null : ProgressLine.Start(reporter.Console);
        options = Wire(reporter, options, verbose, progress);
        IReadOnlyList<MoveResult> results;
        if (Attempt(reporter, progress, "interrupted; the move was rolled back", () => Mover.Resume(options), out results) is { } failed)
        {
            return failed;
        }

        progress?.Clear();
        if (reporter.Json)
        {
            JsonOutput.Write(reporter.Console.Out, writer =>
            {
                writer.WriteStartObject();
                writer.WriteBoolean("dryRun", options.DryRun);
                writer.WriteStartArray("resumed");
                foreach (var result in results)
                {
                    WriteResult(writer, result, options.DryRun, withErrors: true);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteWarnings(reporter.Warnings);
                writer.WriteErrors(reporter.Errors);
                writer.WriteEndObject();
            });
            return reporter.ExitCode;
        }

        if (results.Count == 0)
        {
            reporter.Line("nothing to resume: no move is pending");
        }

        foreach (var result in results)
        {
            Describe(reporter, result, options.DryRun);
        }

        return reporter.ExitCode;
    }

    private static MoveOptions Wire(Reporter reporter, MoveOptions options, bool verbose, ProgressLine? progress) => options with
    {
        OnStep = step =>
        {
            if ((options.DryRun || verbose) && DescribeStep(step, options.DryRun) is { } line)
            {
                progress?.Clear();
                reporter.Line(line);
            }
        },
        OnAction = verbose && !options.DryRun ? action =>
        {
            progress?.Clear();
            reporter.Line($"  {action.Kind.ToString().ToLowerInvariant()} {Display.Path(action.Path)}");
        }
        : null,
        OnError = error =>
        {
            progress?.Clear();
            reporter.Fail(error);
        },
        OnWarning = warning =>
        {
            progress?.Clear();
            reporter.Warn(warning);
        },
        OnProgress = progress is null ? null : p =>
        {
            if (p.Step == MoveStepKind.Copy)
            {
                progress.Show(p.Copy);
            }
            else
            {
                progress.Show(() => string.Create(CultureInfo.InvariantCulture, $"verified {p.VerifiedFiles:N0} of {p.Copy.Copied + p.Copy.Linked:N0} files, {HumanSize.Format(p.VerifiedBytes)}"));
            }
        },
    };

    /// <summary>One line per change, as a dry run prints them; null for steps that change nothing.</summary>
    private static string? DescribeStep(MoveStep step, bool dryRun)
    {
        var would = dryRun ? "would " : string.Empty;
        var path = Display.Path(step.Path);
        return step.Kind switch
        {
            MoveStepKind.Copy => $"{would}copy {Display.Path(step.Source!)} -> {path}{(step.Detail is { } detail ? $" ({detail})" : string.Empty)}",
            MoveStepKind.Verify => dryRun ? null : $"verify {path} against {Display.Path(step.Source!)}",
            MoveStepKind.Sync => dryRun ? null : $"flush {path} to disk",
            MoveStepKind.Rename => $"{would}rename {Display.Path(step.Source!)} -> {path}",
            MoveStepKind.CreateLink => $"{would}create {(step.Detail == "junction" ? "junction" : "symlink")} {path} -> {Display.Path(step.Source!)}",
            MoveStepKind.RemoveLink => $"{would}remove {(step.Detail == "junction" ? "junction" : "symlink")} {path} -> {Display.Path(step.Source ?? string.Empty)}",
            _ => $"{would}delete {path}",
        };
    }

    private static void Describe(Reporter reporter, MoveResult result, bool dryRun)
    {
        var from = Display.Path(result.SourcePath);
        var to = Display.Path(result.DestinationPath);
        var back = result.Direction == MoveDirection.Back;
        if (dryRun)
        {
            reporter.Line(string.Empty);
            reporter.Line(result.Mode == MoveMode.Copy
                ? $"dry run: nothing was changed; {(back ? "moving back" : "the move")} would copy {result.Summary.Copied + result.Summary.Linked:N0} files ({HumanSize.Format(result.Summary.Bytes)}) to another volume"
                : $"dry run: nothing was changed; {(back ? "moving back" : "the move")} is a rename within one volume");
            return;
        }

        var what = result.Resumed ? "interrupted move" : "move";
        switch (result.State)
        {
            case MoveState.Done:
                reporter.Line(back ? $"moved back {from} -> {to}" : $"moved {from} -> {to}");
                if (result.Mode == MoveMode.Copy && result.Summary.Copied + result.Summary.Linked + result.VerifiedFiles > 0)
                {
                    reporter.Line($"copied {result.Summary.Copied:N0} files ({HumanSize.Format(result.Summary.Bytes)}), {result.Summary.Linked:N0} hard links, {result.Summary.Symlinked:N0} links; verified {result.VerifiedFiles:N0} files");
                }

                if (!back && result.Leave != LeaveBehind.None)
                {
                    reporter.Line($"left {(result.Leave == LeaveBehind.Junction && !result.IsJunctionSubstitute ? "junction" : "symlink")} {from} -> {to}");
                }
                else if (back && result.Leave != LeaveBehind.None)
                {
                    reporter.Line($"the link at {to} was replaced by the data; nothing is left at {from}");
                }

                break;
            case MoveState.RolledBack:
                reporter.Notice($"{what} of {from} rolled back: everything is as it was before");
                break;
            default:
                reporter.Notice($"{what} of {from} -> {to} is still pending; fix the error above and run `linksmith move --resume`");
                break;
        }
    }

    private static void WriteResult(Utf8JsonWriter writer, MoveResult result, bool dryRun, bool withErrors = false)
    {
        WriteRecord(writer, result);
        writer.WriteBoolean("dryRun", dryRun);
        writer.WriteBoolean("resumed", result.Resumed);
        writer.WriteNumber("copied", result.Summary.Copied);
        writer.WriteNumber("linked", result.Summary.Linked);
        writer.WriteNumber("symlinked", result.Summary.Symlinked);
        writer.WriteNumber("skipped", result.Summary.Skipped);
        writer.WriteNumber("deleted", result.Summary.Deleted);
        writer.WriteNumber("bytes", result.Summary.Bytes);
        writer.WriteNumber("verified", result.VerifiedFiles);
        writer.WriteStartArray("steps");
        foreach (var step in result.Steps)
        {
            writer.WriteStartObject();
            writer.WriteString("step", JsonNamingPolicy.CamelCase.ConvertName(step.Kind.ToString()));
            writer.WritePath("path", step.Path);
            writer.WritePath("source", step.Source);
            writer.WriteString("detail", step.Detail);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        if (withErrors)
        {
            writer.WriteErrors(result.Errors);
        }
    }

    /// <summary>Opens an object and writes the fields every move has (the caller closes it).</summary>
    private static void WriteRecord(Utf8JsonWriter writer, MoveRecord move)
    {
        writer.WriteStartObject();
        writer.WriteString("id", move.Id);
        writer.WriteString("when", move.StartedAt.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        writer.WriteString("finished", move.FinishedAt?.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        writer.WriteString("direction", move.Direction == MoveDirection.Back ? "back" : "away");
        writer.WriteString("mode", move.Mode == MoveMode.Copy ? "copy" : "rename");
        writer.WritePath("from", move.SourcePath);
        writer.WritePath("to", move.DestinationPath);
        writer.WriteString("link", move.Leave switch { LeaveBehind.Junction => "junction", LeaveBehind.SymbolicLink => "symlink", _ => null });
        writer.WriteString("state", StateName(move.State));
    }

    private static string StateName(MoveState state) => state switch
    {
        MoveState.Done => "done",
        MoveState.RolledBack => "rolledBack",
        MoveState.RollingBack => "rollingBack",
        _ => "running",
    };
}
