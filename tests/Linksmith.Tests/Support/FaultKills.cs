namespace Linksmith.Tests;

/// <summary>
/// Runs the real CLI with one of the library's fault points (<see cref="FaultPoints"/>) armed to
/// kill it, and proves that it died there: the point's record names it and the exit status is
/// SIGKILL's. A crash test that goes through here cannot pass because the process finished, died
/// of something else, or never reached a point that was renamed or moved.
/// </summary>
public static class FaultKills
{
    /// <summary>Exit code of a process killed at a fault point: 128 + SIGKILL on Unix; TerminateProcess(-1) on Windows.</summary>
    public static int KilledExitCode => OperatingSystem.IsWindows() ? -1 : 137;

    /// <summary>
    /// Runs the CLI with <paramref name="arguments"/> in <paramref name="workingDirectory"/>, to be
    /// killed the <paramref name="after"/>-th time it reaches <paramref name="point"/>; fails the
    /// test unless that is how it ended.
    /// </summary>
    public static ProcessResult RunKilledAt(string workingDirectory, IReadOnlyDictionary<string, string> environment, string point, int after, params string[] arguments)
    {
        Assert.Contains(point, FaultPoints.All);
        var folder = Directory.CreateTempSubdirectory("linksmith-fault-");
        try
        {
            var record = Path.Combine(folder.FullName, "fired");
            var armed = new Dictionary<string, string>(environment)
            {
                [FaultPoints.KillVariable] = $"{point}@{after}",
                [FaultPoints.RecordVariable] = record,
            };
            // Under Wine a CLI that has killed itself (TerminateProcess) sometimes never exits
            // (seen in two Wine passes: no exit 120 s after writing its record). Its killing thread
            // sleeps and the job is stopped, so it is killed from here once its record is written:
            // what it left on disk is still the state of a job killed part-way.
            var result = Windows.WindowsHost.IsWine
                ? CliRunner.RunWithEnvironment(workingDirectory, armed, () => File.Exists(record), arguments)
                : CliRunner.RunWithEnvironment(workingDirectory, armed, arguments);
            var moment = $"{point}@{after}";
            Assert.True(
                File.Exists(record),
                $"the fault point {moment} never fired: the CLI exited {result.ExitCode} without reaching it; stderr: {result.Error}");
            Assert.Equal(moment, File.ReadAllText(record));
            Assert.True(result.ExitCode == KilledExitCode, $"killed at {moment}, the CLI exited {result.ExitCode}, not {KilledExitCode}; stderr: {result.Error}");
            return result;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
