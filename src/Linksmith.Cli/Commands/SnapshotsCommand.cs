using System.CommandLine;
using System.Globalization;
using Linksmith.Cli.Shell;

namespace Linksmith.Cli.Commands;

/// <summary><c>snapshots list|prune REPO</c>: what a backup repository holds, and its retention rules applied alone.</summary>
internal static class SnapshotsCommand
{
    public static Command Create(CliConsole console) =>
        new("snapshots", "Work with the snapshots `backup` made in REPO: list, verify, compare, restore them, prune them by retention rules")
        {
            List(console),
            Verify(console),
            Diff(console),
            Restore(console),
            Prune(console),
        };

    private static Argument<string> Repository() => new("REPO") { Description = "The folder that holds the snapshots" };

    private static Command List(CliConsole console)
    {
        var repository = Repository();
        var json = CommonOptions.Json();
        var command = new Command("list", "List the snapshots in REPO, oldest first: name, time, files, bytes, bytes only this snapshot holds, complete or .partial-") { repository, json };
        command.SetAction(parse =>
        {
            var reporter = new Reporter(console, parse.GetValue(json));
            IReadOnlyList<SnapshotInfo> snapshots;
            try
            {
                snapshots = Snapshots.Describe(parse.GetValue(repository)!, reporter.Fail);
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
                    writer.WriteObjects("snapshots", snapshots, static (w, s) =>
                    {
                        w.WriteString("name", s.Name);
                        w.WritePath("path", s.Path);
                        w.WriteString("time", s.Time.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
                        w.WriteBoolean("complete", s.Complete);
                        w.WriteNumber("files", s.Files);
                        w.WriteNumber("bytes", s.Bytes);
                        w.WriteNumber("exclusiveBytes", s.ExclusiveBytes);
                        w.WriteBoolean("manifest", s.HasManifest);
                    });
                    writer.WriteErrors(reporter.Errors);
                    writer.WriteEndObject();
                });
                return reporter.ExitCode;
            }

            if (snapshots.Count == 0)
            {
                reporter.Line($"no snapshots in {Display.Path(parse.GetValue(repository)!)}");
                return reporter.ExitCode;
            }

            reporter.Line($"{"snapshot",-28} {"time (UTC)",-20} {"files",10} {"bytes",10} {"only here",10}");
            foreach (var s in snapshots)
            {
                var time = s.Time.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
                reporter.Line($"{s.Name,-28} {time,-20} {s.Files,10:N0} {HumanSize.Format(s.Bytes),10} {HumanSize.Format(s.ExclusiveBytes),10}{(!s.Complete ? "  unfinished" : s.HasManifest ? string.Empty : "  no manifest")}");
            }

            return reporter.ExitCode;
        });
        return command;
    }

    private static Command Verify(CliConsole console)
    {
        var repository = Repository();
        var names = new Argument<string[]>("SNAPSHOT") { Description = "The snapshots to verify (default: every complete one)", Arity = ArgumentArity.ZeroOrMore };
        var json = CommonOptions.Json();
        var notify = CommonOptions.Notify();
        var command = new Command("verify", "Re-read every file of the snapshots and compare it with the manifest: corrupt (contents differ), missing, changed (metadata); exit 1 if any") { repository, names, json, notify };
        command.SetAction((parse, cancellation) =>
        {
            var feedback = parse.GetValue(notify) ? new DesktopFeedback() : null;
            var reporter = new Reporter(feedback?.Wrap(console) ?? console, parse.GetValue(json));
            var (code, message) = RunVerify(reporter, parse.GetValue(repository)!, parse.GetValue(names) ?? [], feedback is not null, cancellation);
            return Task.FromResult(feedback?.Finish(code, message) ?? code);
        });
        return command;
    }

    /// <summary>
    /// A verify from a file manager that has run this long gets a progress window (only with
    /// --notify); tests set LINKSMITH_TEST_PROGRESS_DELAY_MS, as for drop and delete.
    /// </summary>
    private static TimeSpan ProgressDelay =>
        int.TryParse(Environment.GetEnvironmentVariable("LINKSMITH_TEST_PROGRESS_DELAY_MS"), out var milliseconds) ? TimeSpan.FromMilliseconds(milliseconds) : TimeSpan.FromSeconds(1);

    private static (int Code, string? Notification) RunVerify(Reporter reporter, string repositoryArgument, string[] names, bool notify, CancellationToken cancellation)
    {
        // A file manager may pass the folder shown as a file:// URI (Nautilus with nothing selected).
        if (!FileUri.TryGetLocalPath(repositoryArgument, out var repositoryPath))
        {
            reporter.Fail(new NotALocalRepositoryException(repositoryArgument));
            return (reporter.ExitCode, null);
        }

        IReadOnlyList<SnapshotVerification> results;
        try
        {
            using var window = notify ? DesktopFeedback.StartProgress($"Verifying the snapshots in {Display.Path(repositoryPath)}…", ProgressDelay) : null;
            results = Snapshots.Verify(repositoryPath, names, reporter.Fail, cancellation);
        }
        catch (LinksmithException error)
        {
            reporter.Fail(error);
            return (reporter.ExitCode, null);
        }
        catch (OperationCanceledException)
        {
            reporter.Notice("interrupted; nothing was changed");
            return (ExitCodes.Interrupted, null);
        }

        var exitCode = results.All(r => r.IsIntact) ? reporter.ExitCode : ExitCodes.Worst(reporter.ExitCode, ExitCodes.Failed);
        var notIntact = results.Where(r => !r.IsIntact).ToList();
        if (notify && notIntact.Count > 0)
        {
            // What the failure notification shows (it shows standard error).
            reporter.Notice(
                $"{Display.Count(notIntact.Count, "snapshot")} of {results.Count:N0} not as recorded: {notIntact.Sum(r => r.Corrupt.Count):N0} corrupt, {notIntact.Sum(r => r.Missing.Count):N0} missing, {notIntact.Sum(r => r.Changed.Count):N0} changed, {notIntact.Count(r => !r.HasManifest):N0} without a manifest; "
                + $"run `linksmith snapshots verify {repositoryPath}` for the files");
        }

        var success = results.Count == 0 ? $"No snapshots in {Display.Path(repositoryPath)}" : $"{Display.Count(results.Count, "snapshot")} verified: every file as recorded";
        if (reporter.Json)
        {
            JsonOutput.Write(reporter.Console.Out, writer =>
            {
                writer.WriteStartObject();
                writer.WriteObjects("snapshots", results, static (w, r) =>
                {
                    w.WriteString("name", r.Name);
                    w.WritePath("path", r.Path);
                    w.WriteBoolean("manifest", r.HasManifest);
                    w.WriteBoolean("intact", r.IsIntact);
                    w.WriteNumber("files", r.Files);
                    w.WriteNumber("bytesRead", r.BytesRead);
                    w.WriteObjects("corrupt", r.Corrupt, WriteProblem);
                    w.WriteStartArray("missing");
                    foreach (var path in r.Missing)
                    {
                        w.WritePathValue(path);
                    }

                    w.WriteEndArray();
                    w.WriteObjects("changed", r.Changed, WriteProblem);
                });
                writer.WriteErrors(reporter.Errors);
                writer.WriteEndObject();
            });
            return (exitCode, success);
        }

        foreach (var r in results)
        {
            if (!r.HasManifest)
            {
                reporter.Line($"{r.Name}  no manifest; cannot verify (made by a linksmith that wrote none; the next backup's snapshot will have one)");
                continue;
            }

            var problems = r.Corrupt.Count + r.Missing.Count + r.Changed.Count;
            reporter.Line(problems == 0
                ? $"{r.Name}  ok: {r.Files:N0} files as recorded ({HumanSize.Format(r.BytesRead)} read)"
                : $"{r.Name}  {Display.Count(problems, "problem")} in {r.Files:N0} files:");
            foreach (var p in r.Corrupt)
            {
                reporter.Line($"  corrupt  {Display.Path(p.Path)}: {p.What}");
            }

            foreach (var path in r.Missing)
            {
                reporter.Line($"  missing  {Display.Path(path)}");
            }

            foreach (var p in r.Changed)
            {
                reporter.Line($"  changed  {Display.Path(p.Path)}: {p.What}");
            }
        }

        if (results.Count == 0 && reporter.ExitCode == ExitCodes.Success)
        {
            reporter.Line($"no snapshots in {Display.Path(repositoryPath)}");
        }

        return (exitCode, success);
    }

    private static void WriteProblem(System.Text.Json.Utf8JsonWriter writer, SnapshotProblem problem)
    {
        writer.WritePath("path", problem.Path);
        writer.WriteString("what", problem.What);
    }

    private static Command Diff(CliConsole console)
    {
        var repository = Repository();
        var from = new Argument<string>("A") { Description = "The older snapshot (name or path)" };
        var to = new Argument<string>("B") { Description = "The newer snapshot (name or path)" };
        var json = CommonOptions.Json();
        var command = new Command("diff", "Files added, removed, changed and renamed (old -> new) from snapshot A to B; exit 0 whether or not they differ") { repository, from, to, json };
        command.SetAction(parse =>
        {
            var reporter = new Reporter(console, parse.GetValue(json));
            SnapshotDiff diff;
            try
            {
                diff = Snapshots.Diff(parse.GetValue(repository)!, parse.GetValue(from)!, parse.GetValue(to)!);
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
                    writer.WriteString("from", diff.From);
                    writer.WriteString("to", diff.To);
                    writer.WriteBoolean("byHash", diff.ByHash);
                    WritePaths(writer, "added", diff.Added);
                    WritePaths(writer, "removed", diff.Removed);
                    WritePaths(writer, "changed", diff.Changed);
                    writer.WriteObjects("renamed", diff.Renamed, static (w, r) =>
                    {
                        w.WritePath("from", r.OldPath);
                        w.WritePath("to", r.NewPath);
                    });
                    writer.WriteEndObject();
                });
                return reporter.ExitCode;
            }

            foreach (var path in diff.Added)
            {
                reporter.Line($"added    {Display.Path(path)}");
            }

            foreach (var path in diff.Removed)
            {
                reporter.Line($"removed  {Display.Path(path)}");
            }

            foreach (var path in diff.Changed)
            {
                reporter.Line($"changed  {Display.Path(path)}");
            }

            foreach (var rename in diff.Renamed)
            {
                reporter.Line($"renamed  {Display.Path(rename.OldPath)} -> {Display.Path(rename.NewPath)}");
            }

            reporter.Line($"{diff.From} -> {diff.To}: {diff.Added.Count:N0} added, {diff.Removed.Count:N0} removed, {diff.Changed.Count:N0} changed, {diff.Renamed.Count:N0} renamed{(diff.ByHash ? string.Empty : " (no manifest: compared by size and modification time)")}");
            return reporter.ExitCode;
        });
        return command;
    }

    private static void WritePaths(System.Text.Json.Utf8JsonWriter writer, string name, List<string> paths)
    {
        writer.WriteStartArray(name);
        foreach (var path in paths)
        {
            writer.WritePathValue(path);
        }

        writer.WriteEndArray();
    }

    private static Command Restore(CliConsole console)
    {
        var repository = Repository();
        var what = new Argument<string>("SNAPSHOT[/PATH]") { Description = "The snapshot to restore, or a folder, file or symbolic link in it" };
        var destination = new Argument<string>("DEST")
        {
            Description = "Where the files go (created if missing; merged into if it exists); a single file or link goes into DEST under its own name; never inside REPO",
        };
        var dryRun = CommonOptions.DryRun();
        var json = CommonOptions.Json();
        var verbose = new Option<bool>("--verbose", "-v") { Description = "List every action (a dry run always does)" };
        var xattrs = new Option<bool>("--xattrs", "-X")
        {
            Description = "Also restore extended attributes: user.*, and as root trusted.*, security.* and POSIX ACLs (those `backup --xattrs` kept; Linux; Windows: exit 3 for now)",
        };
        var command = new Command("restore", "Smart Copy out of a snapshot into DEST: hard-link groups kept, inner links re-pointed; one file or link restored into DEST; never into REPO")
        {
            repository, what, destination, xattrs, dryRun, json, verbose,
        };
        command.SetAction((parse, cancellation) =>
        {
            var reporter = new Reporter(console, parse.GetValue(json));
            TreeJob job;
            try
            {
                job = Snapshots.RestoreJob(parse.GetValue(repository)!, parse.GetValue(what)!, parse.GetValue(destination)!);
            }
            catch (RestoreIntoRepositoryException error)
            {
                return Task.FromResult(reporter.Usage($"{error.Path}: {error.Reason}", error.Hint));
            }
            catch (LinksmithException error)
            {
                reporter.Fail(error);
                return Task.FromResult(reporter.ExitCode);
            }

            return Task.FromResult(TreeCommands.Run(reporter, job with { DryRun = parse.GetValue(dryRun), KeepExtendedAttributes = parse.GetValue(xattrs), Cancellation = cancellation }, parse.GetValue(verbose)));
        });
        return command;
    }

    private static Command Prune(CliConsole console)
    {
        var repository = Repository();
        var json = CommonOptions.Json();
        var dryRun = CommonOptions.DryRun();
        var retention = new RetentionOptions();
        var command = new Command("prune", "Delete the snapshots no retention rule keeps (restic's rules; the newest is always kept; never through a link)") { repository, dryRun, json };
        retention.AddTo(command);
        command.SetAction((parse, cancellation) =>
        {
            var reporter = new Reporter(console, parse.GetValue(json));
            var (policy, problem) = retention.Read(parse);
            if (problem is not null)
            {
                return Task.FromResult(reporter.Usage(problem, RetentionOptions.Hint));
            }

            if (policy!.IsEmpty)
            {
                return Task.FromResult(reporter.Usage("no retention rule given", "give at least one of --keep, --keep-within, --keep-daily, --keep-weekly, --keep-monthly, --keep-yearly"));
            }

            var isDryRun = parse.GetValue(dryRun);
            PruneResult result;
            try
            {
                result = Snapshots.Prune(new PruneJob
                {
                    RepositoryPath = parse.GetValue(repository)!,
                    Policy = policy,
                    DryRun = isDryRun,
                    OnRemoving = path => reporter.Line($"{(isDryRun ? "would delete" : "deleting")} snapshot {Display.Path(path)}"),
                    OnError = reporter.Fail,
                    Cancellation = cancellation,
                });
            }
            catch (LinksmithException error)
            {
                reporter.Fail(error);
                return Task.FromResult(reporter.ExitCode);
            }
            catch (OperationCanceledException)
            {
                reporter.Notice("interrupted; a snapshot being deleted keeps its .partial- name (the next backup removes it), the others stay complete");
                return Task.FromResult(ExitCodes.Interrupted);
            }

            if (reporter.Json)
            {
                JsonOutput.WriteChangeReport(reporter, isDryRun, writer =>
                {
                    writer.WriteStartArray("removed");
                    foreach (var path in result.Removed)
                    {
                        writer.WritePathValue(path);
                    }

                    writer.WriteEndArray();
                    writer.WriteObjects("kept", result.Kept, static (w, k) =>
                    {
                        w.WritePath("path", k.Name);
                        w.WriteStartArray("reasons");
                        foreach (var reason in k.Reasons)
                        {
                            w.WriteStringValue(reason);
                        }

                        w.WriteEndArray();
                    });
                    writer.WriteNumber("deleted", result.Entries);
                    writer.WriteNumber("bytes", result.Bytes);
                });
            }
            else
            {
                foreach (var kept in result.Kept)
                {
                    reporter.Line($"keep {Display.Path(kept.Name)} ({string.Join(", ", kept.Reasons)})");
                }

                reporter.Line(isDryRun
                    ? $"dry run: would delete {Display.Count(result.Removed.Count, "snapshot")}, keep {result.Kept.Count:N0}"
                    : $"deleted {Display.Count(result.Removed.Count, "snapshot")} ({result.Entries:N0} entries, {HumanSize.Format(result.Bytes)} freed), kept {result.Kept.Count:N0}");
            }

            return Task.FromResult(reporter.ExitCode);
        });
        return command;
    }

    private sealed class NotALocalRepositoryException(string uri)
        : LinksmithException(uri, "is not a folder on this computer", "Verify the snapshots where they are stored, with a local path")
    {
    }
}
