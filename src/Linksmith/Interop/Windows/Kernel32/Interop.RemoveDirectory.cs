using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Kernel32
{
    // On a junction or directory symbolic link this removes the link itself: "If the directory
    // is a symbolic link, the symbolic link is removed, not the target directory" (RemoveDirectoryW docs).
    [LibraryImport(Name, EntryPoint = "RemoveDirectoryW", SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool RemoveDirectoryPrivate(string lpPathName);

    internal static bool RemoveDirectory(string lpPathName) =>
        RemoveDirectoryPrivate(WindowsPath.EnsureExtendedPrefixIfNeeded(lpPathName));
}
