using System.Runtime.InteropServices;

namespace Linksmith.Tests.Windows;

/// <summary>
/// What the tests of the Windows platform run on: real Windows, Wine (which runs them on Linux
/// in CI, see .ci/wine-tests.sh), or neither (they skip).
/// </summary>
/// <remarks>
/// Tests that use this are declared <c>async Task</c>: under .NET 10 on Wine 8, a synchronous
/// test that fails or skips can hang the runner (notes/wine.md).
/// </remarks>
public static class WindowsHost
{
    /// <summary>The environment variable naming a folder on another volume, for cross-volume tests.</summary>
    public const string OtherVolumeVariable = "LINKSMITH_TEST_OTHER_VOLUME";

    private static readonly Lazy<bool> Wine = new(() =>
        OperatingSystem.IsWindows()
        && NativeLibrary.TryLoad("ntdll.dll", out var ntdll)
        && NativeLibrary.TryGetExport(ntdll, "wine_get_version", out _));

    /// <summary>Running on Wine rather than Windows: ntdll exports wine_get_version.</summary>
    public static bool IsWine => Wine.Value;

    /// <summary>Skips unless kernel32 is there (Windows or Wine).</summary>
    /// <remarks>
    /// Async so that the skip travels in the test's task rather than up through reflection,
    /// which is what hangs on Wine.
    /// </remarks>
    public static async Task RequireWindowsAsync()
    {
        await Task.CompletedTask;
        if (!OperatingSystem.IsWindows())
        {
            Assert.Skip("calls kernel32: runs on Windows, or on Linux under Wine with .ci/wine-tests.sh");
        }
    }

    /// <summary>Skips on Wine, which does not implement <paramref name="what"/>.</summary>
    public static async Task RequireRealWindowsAsync(string what)
    {
        await RequireWindowsAsync();
        if (IsWine)
        {
            Assert.Skip($"Wine 8 does not implement {what}");
        }
    }

    /// <summary>Skips unless running on Wine (a test of how Linksmith copes with Wine's gaps).</summary>
    public static async Task RequireWineAsync()
    {
        await RequireWindowsAsync();
        if (!IsWine)
        {
            Assert.Skip("checks how Linksmith reports what Wine lacks; on Windows the real test runs");
        }
    }

    /// <summary>A folder on another volume (set by .ci/wine-tests.sh to a drive on /dev/shm); skips when not given.</summary>
    public static async Task<string> RequireOtherVolumeAsync()
    {
        await RequireWindowsAsync();
        var folder = Environment.GetEnvironmentVariable(OtherVolumeVariable);
        if (string.IsNullOrEmpty(folder) || !Directory.Exists(folder))
        {
            Assert.Skip($"needs {OtherVolumeVariable}: a folder on a volume other than the temp folder's");
        }

        return folder;
    }
}
