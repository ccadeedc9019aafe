namespace Linksmith.Tests;

public static class Platform
{
    public static bool IsRoot => OperatingSystem.IsLinux() && Environment.UserName == "root";

    /// <summary>Skips a test that needs Linux (byte names, tmpfs, POSIX link semantics).</summary>
    public static void RequireLinux(string why = "this test uses Linux file-system behaviour")
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Skip(why);
        }
    }
}
