using System.Diagnostics;
using System.Globalization;

namespace Linksmith.Tests.Races;

/// <summary>What one run executes: the CLI's arguments (run in the arena's tree) and the folders it writes, searched for secrets.</summary>
internal sealed record RaceJob(string[] Arguments, params string[] Outputs)
{
    /// <summary>A further look at the arena after the run, for escapes the sentinels' record does not show (blocks shared).</summary>
    public Func<RaceArena, IEnumerable<Escape>>? Check { get; init; }
}

/// <summary>
/// Runs a job again and again, each time on a fresh arena with the attacker swapping, for
/// LINKSMITH_RACE_SECONDS seconds (default <see cref="DefaultSeconds"/>: all race tests together
/// stay within about three minutes) or LINKSMITH_RACE_ITERATIONS runs, whichever comes first.
/// LINKSMITH_RACE_REPORT names a file that gets one tab-separated line per job (bench/race.sh).
/// LINKSMITH_RACE_CONTROL=1 runs the same jobs with the attacker idle: any escape it finds would be
/// the harness's own false alarm.
/// </summary>
internal static class RaceLoop
{
    public const double DefaultSeconds = 11;

    /// <summary>Skips unless the harness can play both sides: root (the victim) on Linux (renameat2).</summary>
    public static void RequireRootOnLinux()
    {
        Platform.RequireLinux("the race harness swaps folders with renameat2(RENAME_EXCHANGE), a Linux call");
        if (!Platform.IsRoot)
        {
            Assert.Skip("the race harness runs the job as root, the victim whose files sit outside the tree: run the tests as root");
        }
    }

    /// <param name="job">The job's name in messages and reports.</param>
    /// <param name="setup">Builds one run's tree, sentinels and swap spots, and says what to run.</param>
    /// <param name="share">Budgets of this job: more than 1 for a job whose windows are rare, so that it is caught as reliably as the others.</param>
    /// <param name="fileSystem">Arenas on a loop-mounted image of this file system (<see cref="TempDirectory.MountImage"/>: "xfs" for reflinks), not in the temp folder.</param>
    public static RaceTally Run(string job, Func<RaceArena, RaceJob> setup, int share = 1, string? fileSystem = null)
    {
        var seconds = share * Setting("LINKSMITH_RACE_SECONDS", DefaultSeconds);
        var limit = (int)Setting("LINKSMITH_RACE_ITERATIONS", int.MaxValue);
        var marker = "LINKSMITH-RACE-SECRET-" + Guid.NewGuid().ToString("N")[..8];
        var control = Environment.GetEnvironmentVariable("LINKSMITH_RACE_CONTROL") == "1";
        var tally = new RaceTally(control ? job + " (control: no attacker)" : job);
        using var temp = new TempDirectory();
        var arenas = fileSystem is null ? temp.Path : temp.MountImage("arenas", fileSystem, 1L << 30);
        var clock = Stopwatch.StartNew();
        for (var run = 0; run < limit && (run == 0 || clock.Elapsed.TotalSeconds < seconds); run++)
        {
            using var arena = new RaceArena(Path.Join(arenas, $"run{run}"), marker, run);
            var work = setup(arena);
            var before = arena.Outside.Record();
            var attacker = arena.Attacker();
            if (!control)
            {
                attacker.Start();
            }

            ProcessResult result;
            try
            {
                result = CliRunner.RunWithEnvironment(arena.Tree, new Dictionary<string, string> { ["LINKSMITH_STATE_DIR"] = arena.State }, work.Arguments);
            }
            finally
            {
                tally.Swaps += attacker.Stop();
            }

            var escapes = Sentinels.Compare(before, arena.Outside.Record());
            escapes.AddRange(work.Outputs.SelectMany(output => arena.Outside.ReadInto(Path.IsPathRooted(output) ? output : arena[output])));
            if (work.Check is { } check)
            {
                escapes.AddRange(check(arena));
            }
            tally.Add(run, result, escapes);
        }

        tally.Seconds = clock.Elapsed.TotalSeconds;
        tally.Report();
        return tally;
    }

    private static double Setting(string name, double fallback) =>
        double.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;
}

/// <summary>A job's runs under attack: how many, how many let something escape, of which kinds, and how the CLI exited.</summary>
internal sealed class RaceTally(string job)
{
    private readonly SortedDictionary<string, int> kinds = new(StringComparer.Ordinal);
    private readonly SortedDictionary<int, int> exits = [];
    private readonly List<string> examples = [];

    public string Job { get; } = job;

    public int Runs { get; private set; }

    public int RunsWithEscape { get; private set; }

    /// <summary>Runs whose standard error held "Unhandled exception" (not an escape, but worth knowing).</summary>
    public int Crashes { get; private set; }

    public long Swaps { get; set; }

    public double Seconds { get; set; }

    /// <summary>Kinds with the number of runs that had each, e.g. "chmod 20, deleted 3".</summary>
    public string Kinds => kinds.Count == 0 ? "none" : string.Join(", ", kinds.Select(k => $"{k.Key} {k.Value}"));

    public void Add(int run, ProcessResult result, List<Escape> escapes)
    {
        Runs++;
        exits[result.ExitCode] = exits.GetValueOrDefault(result.ExitCode) + 1;
        if (result.Error.Contains("Unhandled exception", StringComparison.Ordinal))
        {
            Crashes++;
        }

        if (escapes.Count == 0)
        {
            return;
        }

        RunsWithEscape++;
        foreach (var kind in escapes.Select(e => e.Kind).Distinct())
        {
            kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
        }

        if (examples.Count < 3)
        {
            examples.Add($"run {run} (exit {result.ExitCode}): " + string.Join("; ", escapes.Take(4).Select(e => $"{e.Kind} {e.What}")));
        }
    }

    public override string ToString() =>
        $"{Job}: {RunsWithEscape} of {Runs} runs let something escape ({Kinds}); " +
        $"the attacker swapped {Swaps} times in {Seconds:0.0} s; exit codes {string.Join(", ", exits.Select(e => $"{e.Key}×{e.Value}"))}" +
        (Crashes > 0 ? $"; {Crashes} unhandled exceptions" : string.Empty) +
        (examples.Count > 0 ? Environment.NewLine + string.Join(Environment.NewLine, examples) : string.Empty);

    /// <summary>Fails unless no run let anything escape; the message carries the counts.</summary>
    public void AssertNoEscape() => Assert.True(RunsWithEscape == 0, ToString());

    public void Report()
    {
        TestContext.Current.TestOutputHelper?.WriteLine(ToString());
        if (Environment.GetEnvironmentVariable("LINKSMITH_RACE_REPORT") is { Length: > 0 } file)
        {
            File.AppendAllText(file, string.Join('\t', Job, Runs, RunsWithEscape, Kinds, Swaps, string.Join(' ', exits.Select(e => $"{e.Key}×{e.Value}")), Crashes, Seconds.ToString("0.0", CultureInfo.InvariantCulture)) + "\n");
        }
    }
}
