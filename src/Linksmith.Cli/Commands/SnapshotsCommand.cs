using System.CommandLine;
using System.Globalization;

namespace Linksmith.Cli.Commands;

/// <summary><c>snapshots list|prune REPO</c>: what a backup repository holds, and its retention rules applied alone.</summary>
internal static class SnapshotsCommand
{
    public static Command Create(CliConsole console) =>
        new("snapshots", "Work with the snapshots `backup` made in REPO: list them, prune them by retention rules")
        {
            List(console),
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
                reporter.Line($"{s.Name,-28} {time,-20} {s.Files,10:N0} {HumanSize.Format(s.Bytes),10} {HumanSize.Format(s.ExclusiveBytes),10}{(s.Complete ? string.Empty : "  unfinished")}");
            }

            return reporter.ExitCode;
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
}
