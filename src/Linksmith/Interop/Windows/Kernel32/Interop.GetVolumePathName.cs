using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Kernel32
{
    [LibraryImport(Name, EntryPoint = "GetVolumePathNameW", SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static unsafe partial bool GetVolumePathNamePrivate(string lpszFileName, char* lpszVolumePathName, uint cchBufferLength);

    internal static unsafe bool GetVolumePathName(string lpszFileName, char* lpszVolumePathName, uint cchBufferLength) =>
        GetVolumePathNamePrivate(WindowsPath.EnsureExtendedPrefixIfNeeded(lpszFileName), lpszVolumePathName, cchBufferLength);
}
