using System.Globalization;

namespace Linksmith.Cli;

/// <summary>
/// Byte counts as people read them, the one way every command writes them: 1023 B, 4.0 KiB,
/// 1.1 GiB (binary units with one decimal, as <c>du -h</c> and <c>ls -lh</c>).
/// </summary>
internal static class HumanSize
{
    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

    public static string Format(long bytes)
    {
        double value = bytes;
        var unit = 0;
        while (Math.Abs(value) >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes} B")
            : string.Create(CultureInfo.InvariantCulture, $"{value:0.0} {Units[unit]}");
    }
}
