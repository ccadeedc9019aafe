namespace Linksmith.Tests;

public static class Platform
{
    public static bool IsRoot => OperatingSystem.IsLinux() && Environment.UserName == "root";

    /// <summary>Skips on Windows, where what the test checks has no counterpart; <paramref name="why"/> names what Windows lacks.</summary>
    public static void SkipOnWindows(string why)
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("Windows: " + why);
        }
    }

    /// <summary>Skips under Wine only (real Windows runs the test); <paramref name="why"/> names what Wine lacks or does differently.</summary>
    public static void SkipOnWine(string why)
    {
        if (Windows.WindowsHost.IsWine)
        {
            Assert.Skip("Wine: " + why);
        }
    }

    /// <summary>
    /// Under Wine, runs only every <paramref name="nth"/> case of a theory over moments 1, 2, 3, ...
    /// (1, 1 + nth, 1 + 2 nth, ...) and skips the rest, naming why; elsewhere runs every case.
    /// For theories whose cases each cost several process starts, which Wine makes slow.
    /// </summary>
    public static void OnWineOnlyEvery(int nth, int moment, string why)
    {
        if (Windows.WindowsHost.IsWine && (moment - 1) % nth != 0)
        {
            Assert.Skip($"Wine: runs one moment in {nth} of this theory only ({why}); Linux runs them all");
        }
    }

    /// <summary>Skips a test that needs Linux (byte names, tmpfs, POSIX link semantics).</summary>
    public static void RequireLinux(string why = "this test uses Linux file-system behaviour")
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Skip(why);
        }
    }
}
