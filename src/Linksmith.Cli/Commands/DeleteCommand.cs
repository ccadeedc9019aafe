using System.CommandLine;
using System.Globalization;
using Linksmith.Cli.Shell;

namespace Linksmith.Cli.Commands;

/// <summary><c>delete PATH...</c>: remove trees without ever leaving them; links inside go as links.</summary>
internal static class DeleteCommand
{
    /// <summary>
    /// A delete from a file manager that has run this long gets a progress window (only with
    /// --notify); tests set LINKSMITH_TEST_PROGRESS_DELAY_MS, as for drop.
    /// </summary>
    private static TimeSpan ProgressDelay =>
        int.TryParse(Environment.GetEnvironmentVariable("LINKSMITH_TEST_PROGRESS_DELAY_MS"), out var milliseconds) ? TimeSpan.FromMilliseconds(milliseconds) : TimeSpan.FromSeconds(1);

    public static Command Create(CliConsole console)
    {
        // Zero or more, so that a menu entry run with nothing selected reaches the action and its
        // notification instead of a parse error nobody sees.
        var paths = new Argument<string[]>("PATH") { Arity = ArgumentArity.ZeroOrMore, Description = "Files, links or directories to delete (a link is removed as a link, never followed; a file:// URI is accepted, as file managers pass it)" };
        var dryRun = CommonOptions.DryRun();
        var json = CommonOptions.Json();
        var verbose = new Option<bool>("--verbose", "-v") { Description = "List every entry as it is deleted" };
        var notify = CommonOptions.Notify();
        var command = new Command("delete", "Delete files and trees safely: links inside are removed as links, never followed; other file systems are not entered; / and your home are refused")
        {
            paths, dryRun, json, verbose, notify,
        };
        command.SetAction((parse, cancellation) =>
        {
            var feedback = parse.GetValue(notify) ? new DesktopFeedback() : null;
            var reporter = new Reporter(feedback?.Wrap(console) ?? console, parse.GetValue(json));
            var (code, message) = Run(reporter, parse.GetValue(paths) ?? [], parse.GetValue(dryRun), parse.GetValue(verbose), feedback is not null, cancellation);
            return Task.FromResult(feedback?.Finish(code, message) ?? code);
        });
        return command;
    }

    private static (int Code, string? Notification) Run(Reporter reporter, string[] arguments, bool dryRun, bool verbose, bool notify, CancellationToken cancellation)
    {
        if (arguments.Length == 0)
        {
            return (reporter.Usage("nothing to delete", "give the files or folders to delete (in a file manager: select them first)"), null);
        }

        // A file manager may pass file:// URIs (Nautilus's NAUTILUS_SCRIPT_SELECTED_URIS, Nemo's
        // %U): unlike its path lists they keep a newline or a backslash in a name unambiguous.
        var paths = new List<string>(arguments.Length);
        long notLocal = 0;
        foreach (var argument in arguments)
        {
            if (FileUri.TryGetLocalPath(argument, out var path))
            {
                paths.Add(path);
            }
            else
            {
                notLocal++;
                reporter.Fail(new NotALocalFileException(argument));
            }
        }

        using var progress = dryRun ? null : ProgressLine.Start(
            reporter.Console,
            notify && paths.Count > 0 ? DesktopFeedback.StartProgress($"Deleting {Display.Count(paths.Count, "item")}…", ProgressDelay) : null);
        long seen = 0;
        Func<string> status = () => string.Create(CultureInfo.InvariantCulture, $"{seen:N0} entries deleted");
        var job = new DeleteJob
        {
            Paths = paths,
            DryRun = dryRun,
            Cancellation = cancellation,
            OnDeleted = (path, kind) =>
            {
                seen++;
                if (dryRun || verbose)
                {
                    progress?.Clear();
                    reporter.Line($"{(dryRun ? "would delete" : "deleted")} {kind.Describe()} {Display.Path(path)}");
                }
                else
                {
                    progress?.Show(status);
                }
            },
            OnError = error =>
            {
                progress?.Clear();
                reporter.Fail(error);
            },
        };

        DeleteSummary summary;
        try
        {
            summary = Deleting.Run(job);
        }
        catch (OperationCanceledException)
        {
            progress?.Clear();
            reporter.Notice($"interrupted after {seen:N0} entries; what is left stays in place");
            return (ExitCodes.Interrupted, null);
        }

        progress?.Clear();
        var errors = summary.Errors + notLocal;
        if (reporter.Json)
        {
            JsonOutput.WriteChangeReport(reporter, dryRun, writer =>
            {
                writer.WriteNumber("deleted", summary.Deleted);
                writer.WriteNumber("bytes", summary.Bytes);
            });
        }
        else
        {
            reporter.Line($"{(dryRun ? "would delete" : "deleted")} {summary.Deleted:N0} entries, {HumanSize.Format(summary.Bytes)} of files with no other name{(errors > 0 ? $", {errors:N0} errors" : string.Empty)}");
        }

        var items = paths.Count == 1 ? Path.GetFileName(Path.TrimEndingDirectorySeparator(paths[0])) : Display.Count(paths.Count, "item");
        var entries = summary.Deleted == 1 ? "1 entry" : string.Create(CultureInfo.InvariantCulture, $"{summary.Deleted:N0} entries");
        var message = dryRun
            ? $"Would delete {items}: {entries}, {HumanSize.Format(summary.Bytes)}"
            : $"Deleted {items}: {entries}, {HumanSize.Format(summary.Bytes)} freed";
        return (reporter.ExitCode, message);
    }

    /// <summary>A URI of another scheme (sftp://, smb://, trash://): not a file on this computer's file systems.</summary>
    private sealed class NotALocalFileException(string uri)
        : LinksmithException(uri, "is not a file on this computer; refusing to delete it", "Linksmith deletes only what is on this computer's file systems; use the file manager's own Delete there");
}
