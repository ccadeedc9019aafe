using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Kernel32
{
    // FINDEX_INFO_LEVELS, FINDEX_SEARCH_OPS (minwinbase.h) and the additional flags (winbase.h).
    internal const int FindExInfoBasic = 1;
    internal const int FindExSearchNameMatch = 0;
    internal const uint FIND_FIRST_EX_LARGE_FETCH = 0x2;

    [LibraryImport(Name, EntryPoint = "FindFirstFileExW", SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    private static unsafe partial SafeFindHandle FindFirstFileExPrivate(
        string lpFileName,
        int fInfoLevelId,
        WIN32_FIND_DATA* lpFindFileData,
        int fSearchOp,
        IntPtr lpSearchFilter,
        uint dwAdditionalFlags);

    internal static unsafe SafeFindHandle FindFirstFileEx(string lpFileName, WIN32_FIND_DATA* lpFindFileData) =>
        FindFirstFileExPrivate(
            WindowsPath.EnsureExtendedPrefixIfNeeded(lpFileName),
            FindExInfoBasic,
            lpFindFileData,
            FindExSearchNameMatch,
            IntPtr.Zero,
            FIND_FIRST_EX_LARGE_FETCH);

    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct WIN32_FIND_DATA
    {
        internal uint dwFileAttributes;
        internal FILETIME ftCreationTime;
        internal FILETIME ftLastAccessTime;
        internal FILETIME ftLastWriteTime;
        internal uint nFileSizeHigh;
        internal uint nFileSizeLow;

        // "If the dwFileAttributes member includes the FILE_ATTRIBUTE_REPARSE_POINT attribute,
        // this member specifies the reparse point tag" (WIN32_FIND_DATAW docs).
        internal uint dwReserved0;
        internal uint dwReserved1;
        internal fixed char cFileName[260];
        internal fixed char cAlternateFileName[14];
    }
}
