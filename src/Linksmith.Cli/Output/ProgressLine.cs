using System.Diagnostics;
using System.Globalization;

namespace Linksmith.Cli;

/// <summary>A one-line live progress display on stderr, for terminals only.</summary>
internal sealed class ProgressLine(TextWriter error)
{
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private int width;

    public void Show(TreeSummary summary)
    {
        var seconds = Math.Max(clock.Elapsed.TotalSeconds, 0.001);
        var files = summary.Copied + summary.Linked + summary.Symlinked + summary.Skipped;
        var text = string.Create(
            CultureInfo.InvariantCulture,
            $"{files:N0} files, {Commands.TreeCommands.FormatBytes(summary.Bytes)} copied, {files / seconds:N0} files/s, {Commands.TreeCommands.FormatBytes((long)(summary.Bytes / seconds))}/s, {clock.Elapsed:mm\\:ss}");
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
}
