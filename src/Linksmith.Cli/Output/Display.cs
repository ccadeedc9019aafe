using System.Globalization;
using System.Text;

namespace Linksmith.Cli;

/// <summary>How paths and counts look in human output: paths as they are, except what would break a line or a terminal.</summary>
internal static class Display
{
    /// <summary>
    /// The path with control characters written as C escapes (<c>\n</c>, <c>\t</c>, <c>\x1b</c>) and
    /// bytes that are not UTF-8 as <c>\xNN</c>, so one path stays on one line. JSON output keeps paths exact.
    /// </summary>
    public static string Path(string path)
    {
        if (!NeedsEscaping(path))
        {
            return path;
        }

        var builder = new StringBuilder(path.Length + 8);
        for (var i = 0; i < path.Length; i++)
        {
            var c = path[i];
            switch (c)
            {
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                case >= '\uDC80' and <= '\uDCFF' when !IsSecondHalf(path, i):
                    builder.Append("\\x").Append(((int)c - 0xDC00).ToString("x2", CultureInfo.InvariantCulture));
                    break;
                case < ' ' or '\u007f':
                    builder.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }

        return builder.ToString();
    }

    /// <summary>"1 file", "2 files", "1,234 files": a count and its noun, the plural with an s.</summary>
    public static string Count(long count, string noun) =>
        string.Create(CultureInfo.InvariantCulture, $"{count:N0} {noun}{(count == 1 ? string.Empty : "s")}");

    /// <summary>A low surrogate after a high one is half of a real character (an emoji such as U+1F480), not an escaped byte.</summary>
    private static bool IsSecondHalf(string path, int index) => index > 0 && char.IsHighSurrogate(path[index - 1]);

    private static bool NeedsEscaping(string path)
    {
        for (var i = 0; i < path.Length; i++)
        {
            var c = path[i];
            if (c < ' ' || c == '\u007f' || (c >= '\uDC80' && c <= '\uDCFF' && !IsSecondHalf(path, i)))
            {
                return true;
            }
        }

        return false;
    }
}
