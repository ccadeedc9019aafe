using System.Diagnostics;

namespace Linksmith.Tests.Cli;

/// <summary>Ctrl+C (SIGINT) sent to the real CLI in the middle of a long job.</summary>
public sealed class InterruptCliTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task Ctrl_C_stops_a_copy_at_a_safe_point_says_what_it_left_and_exits_130()
    {
        Platform.SkipOnWindows("no SIGINT to send one process: GenerateConsoleCtrlEvent's Ctrl+C goes to every process of the console, the test runner too (a new process group ignores Ctrl+C)");
        for (var folder = 0; folder < 30; folder++)
        {
            var directory = temp.Dir($"src/d{folder:00}");
            for (var file = 0; file < 1000; file++)
            {
                File.WriteAllText(Path.Combine(directory, $"f{file:0000}"), "x");
            }
        }

        var start = new ProcessStartInfo(CliRunner.CommandLine[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = temp.Path,
        };
        foreach (var argument in CliRunner.CommandLine.Skip(1).Concat(["copy", "--threads", "0", "src", "dst"]))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        // Once files arrive the copy is under way, and so is the CLI's Ctrl+C handler. On Linux a
        // new destination is made under a hidden name (.dst.lsmith-…) until the job ends.
        var clock = Stopwatch.StartNew();
        while (!Directory.EnumerateDirectories(temp.Path, "*dst*").Any(made => Directory.Exists(Path.Join(made, "d00")) && Directory.EnumerateFiles(Path.Join(made, "d00")).Any()))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60) && !process.HasExited, "the copy never started");
            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        Assert.Equal(0, Processes.Run("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]).ExitCode);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        Assert.Equal(130, process.ExitCode);
        // What was finished is in place, under the name asked for; nothing hidden is left.
        Assert.Equal(["dst", "src"], Directory.EnumerateFileSystemEntries(temp.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var copied = Directory.EnumerateFiles(temp["dst"], "*", SearchOption.AllDirectories).Count();
        Assert.InRange(copied, 1, 29_999);
        // It says what it finished: the files copied are the files that are there.
        Assert.Contains(
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"linksmith: interrupted after copying {copied:N0} files ("),
            await error,
            StringComparison.Ordinal);
        Assert.Contains("; what was done so far stays in place", await error, StringComparison.Ordinal);
        Assert.Empty(await output);
    }
}
