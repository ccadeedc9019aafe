using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Linksmith.Interop;

internal static partial class Ntdll
{
    // Access rights (winnt.h) beyond those Kernel32 declares.
    internal const uint FILE_READ_DATA = 0x0001;
    internal const uint FILE_LIST_DIRECTORY = 0x0001;
    internal const uint FILE_WRITE_DATA = 0x0002;
    internal const uint FILE_TRAVERSE = 0x0020;
    internal const uint SYNCHRONIZE = 0x00100000;
    internal const uint GENERIC_READ = 0x80000000;

    // CreateDisposition (wdm.h).
    internal const uint FILE_OPEN = 1;
    internal const uint FILE_CREATE = 2;
    internal const uint FILE_OPEN_IF = 3;
    internal const uint FILE_OVERWRITE_IF = 5;

    // CreateOptions (wdm.h).
    internal const uint FILE_DIRECTORY_FILE = 0x00000001;
    internal const uint FILE_SEQUENTIAL_ONLY = 0x00000004;
    internal const uint FILE_SYNCHRONOUS_IO_NONALERT = 0x00000020;
    internal const uint FILE_NON_DIRECTORY_FILE = 0x00000040;
    internal const uint FILE_OPEN_FOR_BACKUP_INTENT = 0x00004000;
    internal const uint FILE_OPEN_REPARSE_POINT = 0x00200000;

    // Returns its NTSTATUS; it does not set the thread's last error, so SetLastError is not asked for.
    [LibraryImport(Name, EntryPoint = "NtCreateFile")]
    internal static unsafe partial int NtCreateFile(
        out SafeFileHandle FileHandle,
        uint DesiredAccess,
        OBJECT_ATTRIBUTES* ObjectAttributes,
        IO_STATUS_BLOCK* IoStatusBlock,
        long* AllocationSize,
        uint FileAttributes,
        uint ShareAccess,
        uint CreateDisposition,
        uint CreateOptions,
        void* EaBuffer,
        uint EaLength);
}
