using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Linksmith.Interop;

internal static partial class Ntdll
{
    // FILE_INFORMATION_CLASS (wdm.h, ntifs.h).
    internal const int FileFullDirectoryInformation = 2;
    internal const int FileRenameInformation = 10;
    internal const int FileLinkInformation = 11;
    internal const int FileRenameInformationEx = 65;

    // FILE_RENAME_INFORMATION_EX.Flags (ntifs.h; Windows 10 1709 and later).
    internal const uint FILE_RENAME_REPLACE_IF_EXISTS = 0x00000001;
    internal const uint FILE_RENAME_POSIX_SEMANTICS = 0x00000002;
    internal const uint FILE_RENAME_IGNORE_READONLY_ATTRIBUTE = 0x00000040;

    // Returns its NTSTATUS; it does not set the thread's last error.
    [LibraryImport(Name, EntryPoint = "NtSetInformationFile")]
    internal static unsafe partial int NtSetInformationFile(
        SafeFileHandle FileHandle,
        IO_STATUS_BLOCK* IoStatusBlock,
        void* FileInformation,
        uint Length,
        int FileInformationClass);
}
