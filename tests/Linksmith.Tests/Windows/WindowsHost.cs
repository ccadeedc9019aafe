using System.Runtime.InteropServices;

namespace Linksmith.Tests.Windows;

/// <summary>
/// What the tests of the Windows platform run on: real Windows, Wine (which runs them on Linux
/// in CI, see .ci/wine-tests.sh), or neither (they skip); and what its kernel32 can really do.
/// </summary>
/// <remarks>
/// <para>
/// Tests that use this are declared <c>async Task</c>: under .NET 10 on Wine 8, a synchronous
/// test that fails or skips can hang the runner (notes/wine.md).
/// </para>
/// <para>
/// Symbolic links, junctions and FindFirstFileNameW are probed once, by doing them (see
/// <see cref="WindowsCapabilities"/>), not inferred from "is this Wine": Debian's Wine stubs them,
/// CI's patched Wine has the first two, and Windows without Developer Mode refuses symbolic links.
/// A test that needs one of them skips with what the probe saw, naming the function and error.
/// </para>
/// </remarks>
public static class WindowsHost
{
    /// <summary>The environment variable naming a folder on another volume, for cross-volume tests.</summary>
    public const string OtherVolumeVariable = "LINKSMITH_TEST_OTHER_VOLUME";

    /// <summary>
    /// Set to 1 where symbolic links and junctions are known to work (CI's Wine with reparse
    /// points): a probe that fails there fails the test instead of skipping it, so a broken Wine
    /// cannot turn the pass into skips unnoticed.
    /// </summary>
    public const string ExpectReparsePointsVariable = "LINKSMITH_TEST_EXPECT_REPARSE_POINTS";

    private static readonly Lazy<bool> Wine = new(() =>
        OperatingSystem.IsWindows()
        && NativeLibrary.TryLoad("ntdll.dll", out var ntdll)
        && NativeLibrary.TryGetExport(ntdll, "wine_get_version", out _));

    /// <summary>
    /// Running on Wine rather than Windows: ntdll exports wine_get_version. Only for what is safe
    /// in Wine's throw-away prefix but not on a user's Windows; capabilities are probed instead.
    /// </summary>
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

    /// <summary>Skips unless this system makes symbolic links (fails instead where they are expected).</summary>
    public static async Task RequireSymbolicLinksAsync()
    {
        await RequireWindowsAsync();
        Require(WindowsCapabilities.SymbolicLinksMissing, "symbolic links", expected: Expected);
    }

    /// <summary>Skips unless this system makes junctions (fails instead where they are expected).</summary>
    public static async Task RequireJunctionsAsync()
    {
        await RequireWindowsAsync();
        Require(WindowsCapabilities.JunctionsMissing, "junctions", expected: Expected);
    }

    /// <summary>
    /// Skips unless links are renamed as links (fails instead where reparse points are
    /// expected): replacing a link renames a new one over it.
    /// </summary>
    public static async Task RequireLinkRenamesAsync()
    {
        await RequireWindowsAsync();
        Require(WindowsCapabilities.LinkRenamesMissing, "links renamed as links", expected: Expected);
    }

    /// <summary>Skips unless FindFirstFileNameW lists a file's names.</summary>
    public static async Task RequireFindFirstFileNameAsync()
    {
        await RequireWindowsAsync();
        Require(WindowsCapabilities.FindFirstFileNameMissing, "the system's list of a file's names", expected: false);
    }

    /// <summary>Skips unless CreateSymbolicLinkW reports success and creates nothing (stock Wine).</summary>
    public static async Task RequireStubbedSymbolicLinksAsync()
    {
        await RequireWindowsAsync();
        if (WindowsCapabilities.SymbolicLinksMissing is not { } missing || !missing.Contains("creates nothing", StringComparison.Ordinal))
        {
            Assert.Skip("checks how Linksmith meets a CreateSymbolicLinkW that reports success and creates nothing (stock Wine, LINKSMITH_WINE=system); this system's does not");
        }
    }

    /// <summary>Skips unless FSCTL_SET_REPARSE_POINT fails with ERROR_NOT_SUPPORTED (stock Wine, FAT).</summary>
    public static async Task RequireJunctionsNotSupportedAsync()
    {
        await RequireWindowsAsync();
        if (WindowsCapabilities.JunctionsMissing is not { } missing || !missing.Contains("error 50", StringComparison.Ordinal))
        {
            Assert.Skip("checks how Linksmith meets FSCTL_SET_REPARSE_POINT failing with error 50 (stock Wine, LINKSMITH_WINE=system); this system makes junctions");
        }
    }

    /// <summary>Skips unless FindFirstFileNameW is missing or not implemented (Wine).</summary>
    public static async Task RequireNoFindFirstFileNameAsync()
    {
        await RequireWindowsAsync();
        if (WindowsCapabilities.FindFirstFileNameMissing is null)
        {
            Assert.Skip("checks Linksmith's fallback when FindFirstFileNameW is missing or a stub (Wine); this system implements it");
        }
    }

    /// <summary>A folder on another volume (set by .ci/wine-tests.sh to a drive on a tmpfs); skips when not given.</summary>
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

    private static bool Expected => Environment.GetEnvironmentVariable(ExpectReparsePointsVariable) == "1";

    private static void Require(string? missing, string what, bool expected)
    {
        if (missing is null)
        {
            return;
        }

        if (expected)
        {
            Assert.Fail($"{ExpectReparsePointsVariable}=1 says this system makes {what}, but {missing}");
        }

        Assert.Skip($"needs {what}, and here {missing}");
    }
}
