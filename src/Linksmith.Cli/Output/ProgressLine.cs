using System.Diagnostics;
using System.Globalization;

namespace Linksmith.Cli;

/// <summary>
/// A one-line live progress display on stderr, for terminals only: files, bytes, rate and, once
/// the source has been measured (on another thread), an estimate of the time left.
/// </summary>
internal sealed class ProgressLine(TextWriter error)
{
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private int width;
    private (long Files, long Bytes)? total;

    /// <summary>Measures <paramref name="sourcePath"/> in the background; the estimate appears when that is done.</summary>
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

    public void Show(TreeSummary summary)
    {
        var elapsed = clock.Elapsed;
        var seconds = Math.Max(elapsed.TotalSeconds, 0.001);
        var text = string.Create(
            CultureInfo.InvariantCulture,
            $"{summary.Files:N0} files, {HumanSize.Format(summary.Bytes)} copied, {summary.Files / seconds:N0} files/s, {HumanSize.Format((long)(summary.Bytes / seconds))}/s, {elapsed:mm\\:ss}{Estimate(summary, seconds)}");
        Show(text);
    }

    /// <summary>Shows any one-line text in place of the previous one.</summary>
    public void Show(string text)
    {
        error.Write("\r" + text.PadRight(width));
        width = text.Length;
    }

    public void Clear()
    {
        if (width > 0)
        {
            error.Write("\r" + new string(' ', width) + "\r");
            width = 0;
        }
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
