using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Kernel32
{
    [LibraryImport(Name, EntryPoint = "CreateHardLinkW", SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool CreateHardLinkPrivate(string lpFileName, string lpExistingFileName, IntPtr lpSecurityAttributes);

    internal static bool CreateHardLink(string lpFileName, string lpExistingFileName) =>
        CreateHardLinkPrivate(
            WindowsPath.EnsureExtendedPrefixIfNeeded(lpFileName),
            WindowsPath.EnsureExtendedPrefixIfNeeded(lpExistingFileName),
            IntPtr.Zero);
}
