using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Linksmith.Tests.Move;

namespace Linksmith.Tests.Cli;

/// <summary>
/// SIGINT, SIGTERM and SIGHUP sent to the real CLI at many moments of copy, mirror, backup, dedupe
/// --apply and move: each stops the job between entries, leaves no temporary name, no file under a
/// real name that is not whole, says what it finished, and exits 130, 143 or 129.
/// </summary>
/// <remarks>
/// The moments: the CLI is slowed down at its fault points (LINKSMITH_TEST_DELAY, a few
/// milliseconds at each entry and between making a replacement under its temporary name and
/// renaming it into place) and reports how many such points it has reached; a first run without a
/// signal counts them, then each run gets its signal once the count reaches one of
/// <see cref="Moments"/> points spread from the first entry to the last, so most signals arrive
/// while a temporary name exists or an entry is under way.
/// </remarks>
// Linux only: POSIX signals. The Wine pass (.ci/wine-tests.sh) leaves out this trait.
[Trait("Platform", "Linux")]
public sealed partial class StopSignalCliTests : IDisposable
{
    /// <summary>Runs per job; the signals take turns, so each is sent at a third of the moments.</summary>
    private const int Moments = 10;

    // Linux's numbers: SIGINT 2, SIGTERM 15, SIGHUP 1.
    private static readonly (string Name, int Number, int ExitCode)[] Signals = [("INT", 2, 130), ("TERM", 15, 143), ("HUP", 1, 129)];

    // A test run started under nohup ignores SIGHUP, and so does every CLI it starts (an ignored
    // signal stays ignored across exec, and the CLI rightly keeps it so, as nohup's user wants):
    // then the moments take turns between SIGINT and SIGTERM only.
    private static readonly (string Name, int Number, int ExitCode)[] SentSignals =
        HangupIgnored() ? Signals[..2] : Signals;

    private readonly TempDirectory temp = new();

    // Signalled runs that came as the command finished (it had done everything; exit code the signal's all the same).
    private int finishedFirst;

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task Copy_stopped_by_a_signal_leaves_no_temporary_name_and_only_whole_files()
    {
        Platform.RequireLinux();
        var sent = 0;
        var leftovers = 0;
        await ForEachMoment("copy", "tree.action:1,handle.replace:3", async (run, cli) =>
        {
            var (source, destination, old) = TreeWithChangedFiles(run);
            var result = await cli(["copy", "--threads", "2", source, destination]);
            if (result.Signalled)
            {
                sent++;
                AssertSaysWhatItFinished(result, "linksmith: interrupted (after copying|before it had).*; what was done so far stays in place");
            }

            leftovers += Temporaries(destination).Count;
            AssertWholeOrOld(source, destination, old);
        });
        Report("copy", sent, leftovers);
    }

    [Fact]
    public async Task Mirror_stopped_by_a_signal_leaves_no_temporary_name_and_only_whole_files()
    {
        Platform.RequireLinux();
        var sent = 0;
        var leftovers = 0;
        await ForEachMoment("mirror", "tree.action:1,handle.replace:3", async (run, cli) =>
        {
            var (source, destination, old) = TreeWithChangedFiles(run);
            for (var i = 0; i < 10; i++)
            {
                File.WriteAllText(Path.Combine(destination, "gone", $"x{i}"), "extra");
            }

            var result = await cli(["mirror", "--threads", "2", source, destination]);
            if (result.Signalled)
            {
                sent++;
                AssertSaysWhatItFinished(result, "linksmith: interrupted (after (copying|deleting)|before it had).*; what was done so far stays in place");
            }

            leftovers += Temporaries(destination).Count;
            AssertWholeOrOld(source, destination, old);
        });
        Report("mirror", sent, leftovers);
    }

    [Fact]
    public async Task Backup_stopped_by_a_signal_leaves_only_its_partial_snapshot_with_whole_files()
    {
        Platform.RequireLinux();
        var sent = 0;
        var leftovers = 0;
        await ForEachMoment("backup", "tree.action:2", async (run, cli) =>
        {
            var (source, _, _) = TreeWithChangedFiles(run);
            var repository = temp.Dir($"{run}/repo");
            // A previous snapshot with half the files unchanged: those are linked to it, the rest copied.
            var previous = Path.Combine(repository, "2020-01-01_000000");
            foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories).Where((_, i) => i % 2 == 0))
            {
                var copy = Path.Combine(previous, Path.GetRelativePath(source, file));
                Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
                File.Copy(file, copy);
                File.SetLastWriteTimeUtc(copy, File.GetLastWriteTimeUtc(file));
            }

            var result = await cli(["backup", "--threads", "2", source, repository]);
            leftovers += Temporaries(repository).Count;
            var snapshots = Directory.GetDirectories(repository).Select(Path.GetFileName).Where(name => name != "2020-01-01_000000").ToList();
            var snapshot = Assert.Single(snapshots);
            if (result.Signalled)
            {
                sent++;
                AssertSaysWhatItFinished(result, "linksmith: interrupted (after (copying|making)|before it had).*; the unfinished snapshot keeps its .partial- name");
                if (!result.Error.Contains("arrived as the command finished", StringComparison.Ordinal))
                {
                    Assert.StartsWith(".partial-", snapshot, StringComparison.Ordinal);
                }
            }

            foreach (var file in Directory.EnumerateFiles(Path.Combine(repository, snapshot!), "*", SearchOption.AllDirectories))
            {
                Assert.Equal(File.ReadAllBytes(Path.Combine(source, Path.GetRelativePath(Path.Combine(repository, snapshot!), file))), File.ReadAllBytes(file));
            }
        });
        Report("backup", sent, leftovers);
    }

    [Fact]
    public async Task Dedupe_stopped_by_a_signal_keeps_every_name_whole()
    {
        Platform.RequireLinux();
        var sent = 0;
        var leftovers = 0;
        await ForEachMoment("dedupe --apply", "dedupe.before-replace:1,handle.replace:3", async (run, cli) =>
        {
            var root = temp.Dir($"{run}/data");
            var expected = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var set = 0; set < 20; set++)
            {
                for (var copy = 0; copy < 3; copy++)
                {
                    var name = Path.Combine(root, $"d{copy}", $"set{set:00}");
                    expected[name] = $"contents of set {set} " + new string('x', set * 50);
                    Directory.CreateDirectory(Path.GetDirectoryName(name)!);
                    File.WriteAllText(name, expected[name]);
                }
            }

            // One replacing thread, so that the moments follow one another in time.
            var result = await cli(["dedupe", "--apply", "--no-cache", "--threads", "1", root]);
            if (result.Signalled)
            {
                sent++;
                AssertSaysWhatItFinished(result, "linksmith: interrupted (after dealing with [0-9,]+ of [0-9,]+ sets|before any duplicate was replaced)");
            }

            leftovers += Temporaries(root).Count;
            // No name went missing or came to hold anything but its own contents.
            Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
            Assert.All(expected, pair => Assert.Equal(pair.Value, File.ReadAllText(pair.Key)));
        });
        Report("dedupe", sent, leftovers);
    }

    [Fact]
    public async Task Move_stopped_by_a_signal_is_rolled_back_or_finished_never_half_done()
    {
        Platform.RequireLinux();
        var sent = 0;
        var leftovers = 0;
        var scenes = new List<MoveScene>();
        try
        {
            await ForEachMoment("move", "tree.action:2,move.step:5", async (run, cli) =>
            {
                // Across file systems (a tmpfs) as root: the copy, verify and delete steps; else a rename.
                var scene = new MoveScene(files: 40, acrossVolumes: Platform.IsRoot);
                scenes.Add(scene);
                var result = await cli(["move", scene.Source, scene.Away], scene.State);
                if (result.Signalled)
                {
                    sent++;
                    AssertSaysWhatItFinished(result, "linksmith: interrupted; the move was rolled back and everything is as it was");
                }

                leftovers += Temporaries(scene.Home).Count + Temporaries(scene.Away).Count;
                // Whole at exactly one place, nothing set aside or half copied, no journal lock.
                scene.AssertSettled(moved: result.Signalled ? null : true);
            });
        }
        finally
        {
            scenes.ForEach(scene => scene.Dispose());
        }

        Report("move", sent, leftovers);
    }

    [Fact]
    public async Task A_second_signal_ends_the_process_at_once()
    {
        Platform.RequireLinux();
        var (source, destination, _) = TreeWithChangedFiles("second");
        using var process = Start(["copy", "--threads", "0", source, destination], "tree.action:200", Path.Combine(temp.Path, "second.record"), stateDirectory: null);
        await WaitForHits(process, Path.Combine(temp.Path, "second.record"), 2);
        Send(process, "INT");
        // The first signal waits for the entry under way (200 ms here); the second does not wait.
        await Task.Delay(20, TestContext.Current.CancellationToken);
        var clock = Stopwatch.StartNew();
        Send(process, "TERM");
        await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Equal(143, process.ExitCode);
        Assert.True(clock.Elapsed < TimeSpan.FromMilliseconds(190), $"the second signal took {clock.ElapsedMilliseconds} ms to end the process");
    }

    /// <summary>Whether this process ignores SIGHUP (bit 0 of SigIgn in /proc/self/status), as under nohup.</summary>
    private static bool HangupIgnored()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null && (ulong.Parse(line["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture) & 1) != 0;
    }

    private void Report(string job, int sent, int leftovers)
    {
        TestContext.Current.TestOutputHelper?.WriteLine($"{job}: {sent} signals sent in {Moments} runs ({sent - finishedFirst} stopped the job, {finishedFirst} came as it finished), {leftovers} temporary names left"
            + (SentSignals.Length < Signals.Length ? "; SIGHUP is ignored here (nohup), so only SIGINT and SIGTERM were sent" : string.Empty));
        Assert.Equal(0, leftovers);
        // Most runs must have been stopped by their signal, not have finished before it came.
        Assert.InRange(sent, Moments - 2, Moments);
    }

    /// <summary>
    /// A calibration run without a signal, then <see cref="Moments"/> runs, each signalled once the
    /// run has reached the next moment; <paramref name="body"/> sets each run up, starts it through
    /// the function it is given, and checks the result.
    /// </summary>
    private async Task ForEachMoment(string job, string delays, Func<string, Runner, Task> body)
    {
        long hits = 0;
        await body("calibration", Calibrate);
        Assert.True(hits > 4, $"{job} reached its fault points only {hits} times: too few moments to spread signals over");

        for (var moment = 0; moment < Moments; moment++)
        {
            var (signal, _, exitCode) = SentSignals[moment % SentSignals.Length];
            // From the first delayed point to four fifths of them: with the workers' points running
            // in parallel, a later signal may come when the process has finished (then nothing can
            // tell it apart from one sent after the exit).
            var at = 1 + ((hits * 4 / 5) * moment / Moments);
            await body($"run{moment}", (arguments, stateDirectory) => Signal(arguments, stateDirectory, signal, exitCode, at));
        }

        async Task<RunResult> Calibrate(string[] arguments, string? stateDirectory = null)
        {
            var record = Path.Combine(temp.Path, $"calibration-{Guid.NewGuid():N}");
            using var process = Start(arguments, delays, record, stateDirectory);
            var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
            Assert.True(process.ExitCode == 0, $"{job} without a signal exited {process.ExitCode}: {await error}");
            hits = File.Exists(record) ? long.Parse(File.ReadAllText(record), CultureInfo.InvariantCulture) : 0;
            return new RunResult(process.ExitCode, await error, Signalled: false);
        }

        async Task<RunResult> Signal(string[] arguments, string? stateDirectory, string signal, int exitCode, long at)
        {
            var record = Path.Combine(temp.Path, $"run-{Guid.NewGuid():N}");
            // The run holds at its moment until released, so the signal finds it there however
            // slow the machine is (waiting for the moment from here alone, a run on a loaded machine
            // could pass it, or finish, before this process saw it).
            using var process = Start(arguments, delays, record, stateDirectory, hold: at);
            var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var signalled = await WaitForHits(process, record, at);
            if (signalled)
            {
                Send(process, signal);
                // Time for the runtime's signal thread to take it before the run goes on.
                await Task.Delay(200, TestContext.Current.CancellationToken);
            }

            await File.WriteAllTextAsync(record + ".release", string.Empty, TestContext.Current.CancellationToken);

            await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
            var text = await error;
            if (signalled && process.ExitCode == 0 && !text.Contains("interrupted", StringComparison.Ordinal))
            {
                // The signal was sent in the last moments and handed to the program's handler only
                // after the command had finished and its exit code was decided (a loaded machine can
                // delay the runtime's signal thread that long): everything was done, and exit 0
                // says so. The run is checked as an unsignalled one; Report allows two of these.
                finishedFirst++;
                signalled = false;
            }

            if (signalled)
            {
                Assert.True(process.ExitCode == exitCode, $"SIG{signal} at point {at} of {hits}: exit {process.ExitCode}, expected {exitCode}: {text}");
                Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
                finishedFirst += text.Contains("arrived as the command finished", StringComparison.Ordinal) ? 1 : 0;
                if (!text.Contains("arrived as the command finished", StringComparison.Ordinal))
                {
                    Assert.Empty(await output);
                }
            }

            return new RunResult(process.ExitCode, text, signalled);
        }
    }

    /// <summary>
    /// SRC with files DST lacks (<c>new/</c>) and files DST holds in an older version
    /// (<c>changed/</c>, replaced under a temporary name), and a folder only DST has (<c>gone/</c>).
    /// </summary>
    private (string Source, string Destination, Dictionary<string, byte[]> Old) TreeWithChangedFiles(string run)
    {
        var source = temp.Dir($"{run}/src");
        var destination = temp.Dir($"{run}/dst");
        temp.Dir($"{run}/dst/gone");
        var old = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        for (var i = 0; i < 30; i++)
        {
            temp.File($"{run}/src/new/f{i:00}", $"new file {i} " + new string('n', i * 100));
            temp.File($"{run}/src/changed/f{i:00}", $"changed file {i}, second version " + new string('c', i * 100));
            var before = temp.File($"{run}/dst/changed/f{i:00}", $"changed file {i}, first version");
            old[Path.GetRelativePath(destination, before)] = File.ReadAllBytes(before);
        }

        return (source, destination, old);
    }

    /// <summary>Every file in DST that SRC has is SRC's file whole, or (for a file DST had) still its old version whole.</summary>
    private static void AssertWholeOrOld(string source, string destination, Dictionary<string, byte[]> old)
    {
        foreach (var file in Directory.EnumerateFiles(destination, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(destination, file);
            var original = Path.Combine(source, relative);
            if (!File.Exists(original))
            {
                Assert.StartsWith("gone", relative, StringComparison.Ordinal);
                continue;
            }

            var bytes = File.ReadAllBytes(file);
            Assert.True(
                bytes.AsSpan().SequenceEqual(File.ReadAllBytes(original)) || (old.TryGetValue(relative, out var before) && bytes.AsSpan().SequenceEqual(before)),
                $"{relative} is neither the source's file nor the old one: {bytes.Length} bytes");
        }
    }

    /// <summary>Temporary names (<c>.NAME.lsmith-…</c>, <c>.NAME.linksmith-move-…</c>) anywhere below <paramref name="root"/>.</summary>
    private static List<string> Temporaries(string root) =>
        [.. Directory.EnumerateFileSystemEntries(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Where(path => Path.GetFileName(path).Contains(".lsmith-", StringComparison.Ordinal) || Path.GetFileName(path).Contains(".linksmith-move", StringComparison.Ordinal))];

    private Process Start(string[] arguments, string delays, string record, string? stateDirectory, long hold = 0)
    {
        var start = new ProcessStartInfo(CliRunner.CommandLine[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = temp.Path,
        };
        foreach (var argument in CliRunner.CommandLine.Skip(1).Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["LINKSMITH_STATE_DIR"] = stateDirectory ?? temp.Dir("state");
        start.Environment["LINKSMITH_TEST_DELAY"] = delays;
        // A failure nobody foresaw then shows its stack trace, which the runs assert never to see.
        start.Environment["LINKSMITH_DEBUG"] = "1";
        start.Environment["LINKSMITH_TEST_DELAY_RECORD"] = record;
        if (hold > 0)
        {
            start.Environment["LINKSMITH_TEST_DELAY_HOLD"] = hold.ToString(CultureInfo.InvariantCulture);
        }
        return Process.Start(start)!;
    }

    /// <summary>Waits until the run has reached <paramref name="hits"/> delayed points; false if it ended first.</summary>
    private static async Task<bool> WaitForHits(Process process, string record, long hits)
    {
        var clock = Stopwatch.StartNew();
        while (!process.HasExited)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "the run never reached its moment");
            if (File.Exists(record) && long.TryParse(File.ReadAllText(record), NumberStyles.None, CultureInfo.InvariantCulture, out var reached) && reached >= hits)
            {
                return true;
            }

            await Task.Delay(1, TestContext.Current.CancellationToken);
        }

        return false;
    }

    /// <summary>Sends the signal with kill(2) itself: starting the kill command takes milliseconds, which would blur the moment.</summary>
    private static void Send(Process process, string signal) =>
        Assert.Equal(0, Kill(process.Id, Signals.Single(s => s.Name == signal).Number));

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    /// <summary>
    /// Asserts that a signalled run said what it finished: <paramref name="interrupted"/> when it
    /// stopped for the signal, or that the signal came as it finished (then its summary is on stdout).
    /// </summary>
    private static void AssertSaysWhatItFinished(RunResult result, string interrupted)
    {
        if (!result.Error.Contains("arrived as the command finished", StringComparison.Ordinal))
        {
            Assert.Matches(interrupted, result.Error);
        }
    }

    /// <summary>Starts the CLI with <paramref name="arguments"/> (and its state in <paramref name="stateDirectory"/>) and waits for it.</summary>
    private delegate Task<RunResult> Runner(string[] arguments, string? stateDirectory = null);

    private sealed record RunResult(int ExitCode, string Error, bool Signalled);
}
