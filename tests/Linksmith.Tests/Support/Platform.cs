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

    /// <summary>Skips a test that needs Linux (byte names, tmpfs, POSIX link semantics).</summary>
    public static void RequireLinux(string why = "this test uses Linux file-system behaviour")
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Skip(why);
        }
    }
}
