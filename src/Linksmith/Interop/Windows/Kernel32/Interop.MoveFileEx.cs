using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Kernel32
{
    internal const uint MOVEFILE_REPLACE_EXISTING = 0x1;

    [LibraryImport(Name, EntryPoint = "MoveFileExW", SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool MoveFileExPrivate(string lpExistingFileName, string lpNewFileName, uint dwFlags);

    internal static bool MoveFileEx(string lpExistingFileName, string lpNewFileName, uint dwFlags) =>
        MoveFileExPrivate(
            WindowsPath.EnsureExtendedPrefixIfNeeded(lpExistingFileName),
            WindowsPath.EnsureExtendedPrefixIfNeeded(lpNewFileName),
            dwFlags);
}
