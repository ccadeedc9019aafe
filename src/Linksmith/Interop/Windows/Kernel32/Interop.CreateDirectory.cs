using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Kernel32
{
    [LibraryImport(Name, EntryPoint = "CreateDirectoryW", SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool CreateDirectoryPrivate(string lpPathName, IntPtr lpSecurityAttributes);

    internal static bool CreateDirectory(string lpPathName) =>
        CreateDirectoryPrivate(WindowsPath.EnsureExtendedPrefixIfNeeded(lpPathName), IntPtr.Zero);
}
