using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Linksmith.Interop;

internal static partial class Ntdll
{
    // Returns its NTSTATUS (STATUS_NO_MORE_FILES at the end); it does not set the thread's last error.
    [LibraryImport(Name, EntryPoint = "NtQueryDirectoryFile")]
    internal static unsafe partial int NtQueryDirectoryFile(
        SafeFileHandle FileHandle,
        nint Event,
        nint ApcRoutine,
        nint ApcContext,
        IO_STATUS_BLOCK* IoStatusBlock,
        void* FileInformation,
        uint Length,
        int FileInformationClass,
        byte ReturnSingleEntry,
        UNICODE_STRING* FileName,
        byte RestartScan);
}
