using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace Linksmith.Cli.Commands;

/// <summary><c>state</c>: where the state database is and what it holds.</summary>
internal static class StateCommand
{
    public static Command Create(CliConsole console)
    {
        var clear = new Option<bool>("--clear") { Description = "Delete dedupe's cached hashes (picks and the move journal are kept); the next dedupe reads every candidate again" };
        var dryRun = CommonOptions.DryRun();
        var json = CommonOptions.Json();
        var command = new Command("state", "Show where the state database is (picks, moves, dedupe's hash cache), its size and what it holds") { clear, dryRun, json };
        command.SetAction(parse =>
        {
            var reporter = new Reporter(console, parse.GetValue(json));
            if (parse.GetValue(dryRun) && !parse.GetValue(clear))
            {
                return reporter.Usage("--dry-run goes with --clear", "add --clear to see what it would delete; without either, state only shows");
            }

            StateSummary summary;
            long cleared = 0;
            try
            {
                summary = StateSummary.Read();
                if (parse.GetValue(clear))
                {
                    cleared = parse.GetValue(dryRun) ? summary.CachedHashes.Count : StateSummary.ClearHashCache(summary.Path);
                    summary = parse.GetValue(dryRun) ? summary : StateSummary.Read(summary.Path);
                }
            }
            catch (StateDatabaseException error)
            {
                reporter.Fail(error);
                return reporter.ExitCode;
            }

            if (reporter.Json)
            {
                JsonOutput.Write(console.Out, writer =>
                {
                    writer.WriteStartObject();
                    writer.WritePath("path", summary.Path);
                    writer.WriteBoolean("exists", summary.Exists);
                    if (parse.GetValue(clear))
                    {
                        writer.WriteBoolean("dryRun", parse.GetValue(dryRun));
                        writer.WriteNumber("clearedHashes", cleared);
                    }

                    writer.WriteNumber("sizeBytes", summary.SizeBytes);
                    Write(writer, "picks", summary.Picks);
                    Write(writer, "moves", summary.Moves);
                    Write(writer, "cachedHashes", summary.CachedHashes);
                    writer.WriteErrors(reporter.Errors);
                    writer.WriteEndObject();
                });
                return reporter.ExitCode;
            }

            if (parse.GetValue(clear))
            {
                reporter.Line($"{(parse.GetValue(dryRun) ? "would delete" : "deleted")} {cleared} cached hashes");
            }

            reporter.Line($"{Display.Path(summary.Path)}: {(summary.Exists ? $"{HumanSize.Format(summary.SizeBytes)} ({summary.SizeBytes} bytes)" : "not made yet")}");
            reporter.Line($"  picks: {Describe(summary.Picks)}");
            reporter.Line($"  moves: {Describe(summary.Moves)}");
            reporter.Line($"  cached hashes: {summary.CachedHashes.Count}");
            return reporter.ExitCode;
        });
        return command;
    }

    private static string Describe(StateTableSummary table) => table is { Oldest: { } oldest, Newest: { } newest }
        ? $"{table.Count} (oldest {Time(oldest)}, newest {Time(newest)})"
        : table.Count.ToString(CultureInfo.InvariantCulture);

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static void Write(Utf8JsonWriter writer, string name, StateTableSummary table)
    {
        writer.WriteStartObject(name);
        writer.WriteNumber("count", table.Count);
        if (table.Oldest is { } oldest && table.Newest is { } newest)
        {
            writer.WriteString("oldest", oldest);
            writer.WriteString("newest", newest);
        }

        writer.WriteEndObject();
    }
}
