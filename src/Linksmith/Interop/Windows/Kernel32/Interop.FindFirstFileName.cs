using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Kernel32
{
    // Names come back relative to the volume root ("\dir\file"). Not exported by Wine 8, where
    // the first call throws EntryPointNotFoundException; a stub in Wine 10 (error 120).
    [LibraryImport(Name, EntryPoint = "FindFirstFileNameW", SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    private static unsafe partial SafeFindHandle FindFirstFileNamePrivate(string lpFileName, uint dwFlags, ref uint StringLength, char* LinkName);

    internal static unsafe SafeFindHandle FindFirstFileName(string lpFileName, ref uint StringLength, char* LinkName) =>
        FindFirstFileNamePrivate(WindowsPath.EnsureExtendedPrefixIfNeeded(lpFileName), 0, ref StringLength, LinkName);
}
