using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Linksmith.Interop;

internal static partial class Kernel32
{
    internal const uint GENERIC_WRITE = 0x40000000;
    internal const uint DELETE = 0x00010000;
    internal const uint FILE_READ_ATTRIBUTES = 0x0080;
    internal const uint FILE_WRITE_ATTRIBUTES = 0x0100;

    internal const uint FILE_SHARE_READ = 0x00000001;
    internal const uint FILE_SHARE_WRITE = 0x00000002;
    internal const uint FILE_SHARE_DELETE = 0x00000004;

    internal const uint OPEN_EXISTING = 3;

    internal const uint FILE_FLAG_BACKUP_SEMANTICS = 0x02000000;
    internal const uint FILE_FLAG_OPEN_REPARSE_POINT = 0x00200000;

    [LibraryImport(Name, EntryPoint = "CreateFileW", SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    private static partial SafeFileHandle CreateFilePrivate(
        string lpFileName,
        uint dwDesiredAccess,
        uint dwShareMode,
        IntPtr lpSecurityAttributes,
        uint dwCreationDisposition,
        uint dwFlagsAndAttributes,
        IntPtr hTemplateFile);

    /// <summary>Opens an existing file or directory (FILE_FLAG_BACKUP_SEMANTICS is what lets a directory be opened), sharing everything.</summary>
    internal static SafeFileHandle CreateFile(string lpFileName, uint dwDesiredAccess, uint dwFlagsAndAttributes) =>
        CreateFilePrivate(
            WindowsPath.EnsureExtendedPrefixIfNeeded(lpFileName),
            dwDesiredAccess,
            FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
            IntPtr.Zero,
            OPEN_EXISTING,
            dwFlagsAndAttributes | FILE_FLAG_BACKUP_SEMANTICS,
            IntPtr.Zero);
}
