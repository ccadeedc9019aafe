using System.Diagnostics;

namespace Linksmith.Tests;

public sealed record ProcessResult(int ExitCode, string Out, string Error);

public static class Processes
{
    /// <summary>How long a process said to be stopped may take to exit before it is killed.</summary>
    public static readonly TimeSpan StoppedGrace = TimeSpan.FromSeconds(10);

    /// <param name="fileName">The program.</param>
    /// <param name="arguments">Its arguments, each passed as it is.</param>
    /// <param name="workingDirectory">Where it runs (default: the tests' own).</param>
    /// <param name="environment">Variables added to the tests' environment.</param>
    /// <param name="stopped">
    /// When given: polled while the process runs; once it has said true for <see cref="StoppedGrace"/>
    /// and the process still has not exited, the process is killed and the run ends as killed
    /// (for a process that killed itself and hangs in its exit, as Wine's sometimes do).
    /// </param>
    public static ProcessResult Run(string fileName, IEnumerable<string> arguments, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null, Func<bool>? stopped = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!WaitForExit(process, stopped))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} did not finish in 120 s");
        }

        // Lines end in "\r\n" on Windows; the tests read the lines themselves.
        return OperatingSystem.IsWindows()
            ? new ProcessResult(process.ExitCode, output.Result.Replace("\r\n", "\n", StringComparison.Ordinal), error.Result.Replace("\r\n", "\n", StringComparison.Ordinal))
            : new ProcessResult(process.ExitCode, output.Result, error.Result);
    }

    /// <summary>Whether <paramref name="process"/> exited within 120 s (or, stopped and hung, was killed).</summary>
    private static bool WaitForExit(Process process, Func<bool>? stopped)
    {
        if (stopped is null)
        {
            return process.WaitForExit(120_000);
        }

        var deadline = Stopwatch.StartNew();
        Stopwatch? since = null;
        while (!process.WaitForExit(200))
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(120))
            {
                return false;
            }

            since = stopped() ? since ?? Stopwatch.StartNew() : null;
            if (since?.Elapsed > StoppedGrace)
            {
                // In the test's output (and the XML report), to count how often this is needed.
                TestContext.Current.TestOutputHelper?.WriteLine($"{process.StartInfo.FileName} had not exited {StoppedGrace.TotalSeconds:F0} s after it said it stopped; killed from the test");
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                return true;
            }
        }

        return true;
    }
}
