using System.CommandLine;
using System.Diagnostics;
using System.Globalization;

namespace Linksmith.Cli.Commands;

/// <summary><c>delete PATH...</c>: remove trees without ever leaving them; links inside go as links.</summary>
internal static class DeleteCommand
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(200);

    public static Command Create(CliConsole console)
    {
        var paths = new Argument<string[]>("PATH") { Arity = ArgumentArity.OneOrMore, Description = "Files, links or directories to delete (a link is removed as a link, never followed)" };
        var dryRun = CommonOptions.DryRun();
        var json = CommonOptions.Json();
        var verbose = new Option<bool>("--verbose", "-v") { Description = "List every entry as it is deleted" };
        var command = new Command("delete", "Delete files and trees safely: links inside are removed as links, never followed; other file systems are not entered; / and your home are refused")
        {
            paths, dryRun, json, verbose,
        };
        command.SetAction((parse, cancellation) =>
            Task.FromResult(Run(new Reporter(console, parse.GetValue(json)), parse.GetValue(paths)!, parse.GetValue(dryRun), parse.GetValue(verbose), cancellation)));
        return command;
    }

    private static int Run(Reporter reporter, string[] paths, bool dryRun, bool verbose, CancellationToken cancellation)
    {
        var progress = reporter.Console.IsTerminal && !reporter.Json && !dryRun ? new ProgressLine(reporter.Console.Error) : null;
        var clock = Stopwatch.StartNew();
        long seen = 0;
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
                else if (progress is not null && clock.Elapsed >= ProgressInterval)
                {
                    clock.Restart();
                    progress.Show(string.Create(CultureInfo.InvariantCulture, $"{seen:N0} entries deleted"));
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
            return ExitCodes.Interrupted;
        }

        progress?.Clear();
        if (reporter.Json)
        {
            JsonOutput.WriteChangeReport(reporter, dryRun, writer =>
            {
                writer.WriteNumber("deleted", summary.Deleted);
                writer.WriteNumber("bytes", summary.Bytes);
            });
            return reporter.ExitCode;
        }

        reporter.Line($"{(dryRun ? "would delete" : "deleted")} {summary.Deleted:N0} entries, {TreeCommands.FormatBytes(summary.Bytes)} of files with no other name{(summary.Errors > 0 ? $", {summary.Errors:N0} errors" : string.Empty)}");
        return reporter.ExitCode;
    }
}
