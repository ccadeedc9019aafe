using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Kernel32
{
    // On a file symbolic link this deletes the link, not its target (DeleteFileW docs).
    [LibraryImport(Name, EntryPoint = "DeleteFileW", SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool DeleteFilePrivate(string lpFileName);

    internal static bool DeleteFile(string lpFileName) =>
        DeleteFilePrivate(WindowsPath.EnsureExtendedPrefixIfNeeded(lpFileName));
}
