using System.Diagnostics;
using System.Globalization;
using Linksmith.Cli.Shell;

namespace Linksmith.Cli;

/// <summary>
/// The live progress of a long job, the one way every command shows it: a line on stderr rewritten
/// in place (only when stderr is a terminal), and for a command started from a file manager the
/// line under its progress window. A job either reports (<see cref="Show(Func{string})"/>, as
/// often as it likes: the line is redrawn at most every <see cref="Refresh"/>) or keeps counters
/// that the line reads on its own (<see cref="Poll"/>).
/// </summary>
internal sealed class ProgressLine : IDisposable
{
    /// <summary>How often the line changes at most: often enough to look alive, rarely enough to cost nothing.</summary>
    private static readonly TimeSpan Refresh = TimeSpan.FromMilliseconds(100);

    private readonly TextWriter? terminal;
    private readonly ProgressWindow? window;
    private readonly Lock gate = new();
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private TimeSpan? drawnAt;
    private Timer? poller;
    private int width;
    private bool disposed;
    private (long Files, long Bytes)? total;

    private ProgressLine(TextWriter? terminal, ProgressWindow? window)
    {
        this.terminal = terminal;
        this.window = window;
    }

    /// <summary>
    /// A progress line on <paramref name="console"/>'s stderr if that is a terminal, and in
    /// <paramref name="window"/> if there is one (the line then owns it); null when neither is.
    /// </summary>
    public static ProgressLine? Start(CliConsole console, ProgressWindow? window = null) =>
        console.ErrorIsTerminal || window is not null ? new ProgressLine(console.ErrorIsTerminal ? console.Error : null, window) : null;

    /// <summary>Measures <paramref name="sourcePath"/> in the background; copy progress shows an estimate once that is done.</summary>
    public void MeasureInBackground(string sourcePath, PathFilter filter, CancellationToken cancellation) =>
        _ = Task.Run(
            () =>
            {
                try
                {
                    total = TreeOperations.Measure(sourcePath, filter, cancellation);
                }
                catch (Exception error) when (error is LinksmithException or OperationCanceledException)
                {
                    // Without a total there is simply no estimate.
                }
            },
            cancellation);

    /// <summary>
    /// Shows what <paramref name="status"/> says in place of the previous line, unless the line
    /// changed less than <see cref="Refresh"/> ago; <paramref name="status"/> is called only then.
    /// </summary>
    public void Show(Func<string> status)
    {
        lock (gate)
        {
            if (disposed || (drawnAt is { } last && clock.Elapsed - last < Refresh))
            {
                return;
            }

            Draw(status());
        }
    }

    /// <summary>Copy progress: files, bytes, rate and, once the source is measured, the time left.</summary>
    public void Show(TreeSummary summary) => Show(() =>
    {
        var elapsed = clock.Elapsed;
        var seconds = Math.Max(elapsed.TotalSeconds, 0.001);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{summary.Files:N0} files, {HumanSize.Format(summary.Bytes)} copied, {summary.Files / seconds:N0} files/s, {HumanSize.Format((long)(summary.Bytes / seconds))}/s, {elapsed:mm\\:ss}{Estimate(summary, seconds)}");
    });

    /// <summary>Redraws what <paramref name="status"/> says every <see cref="Refresh"/>, for a job that keeps counters rather than reporting.</summary>
    public void Poll(Func<string> status)
    {
        lock (gate)
        {
            poller?.Dispose();
            poller = new Timer(_ => Show(status), null, Refresh, Refresh);
        }
    }

    /// <summary>Erases the line from the terminal, so that an ordinary line can be written; the next <see cref="Show(Func{string})"/> brings it back.</summary>
    public void Clear()
    {
        lock (gate)
        {
            if (terminal is not null && width > 0)
            {
                terminal.Write("\r" + new string(' ', width) + "\r");
                width = 0;
            }
        }
    }

    /// <summary>Stops the line, erases it and closes the window.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            poller?.Dispose();
        }

        Clear();
        window?.Dispose();
    }

    private void Draw(string text)
    {
        drawnAt = clock.Elapsed;
        if (terminal is not null)
        {
            // Padded over the previous text rather than erased with an escape sequence: a Windows
            // console without virtual-terminal processing would print the escape.
            terminal.Write("\r" + text.PadRight(width));
            width = text.Length;
        }

        window?.Update(text);
    }

    private string Estimate(TreeSummary summary, double seconds)
    {
        if (total is not { Files: > 0 } known || summary.Files == 0)
        {
            return string.Empty;
        }

        var done = Math.Min(1.0, (double)summary.Files / known.Files);
        var left = TimeSpan.FromSeconds(seconds * (1 - done) / Math.Max(done, 0.001));
        return string.Create(CultureInfo.InvariantCulture, $", {done:P0}, about {left:mm\\:ss} left");
    }
}
