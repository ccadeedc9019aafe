using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Linksmith.Interop;

internal static partial class Ntdll
{
    // FILE_INFORMATION_CLASS (wdm.h): FILE_STREAM_INFORMATION records, one per stream of the open file.
    internal const int FileStreamInformation = 22;

    // Returns its NTSTATUS; it does not set the thread's last error.
    [LibraryImport(Name, EntryPoint = "NtQueryInformationFile")]
    internal static unsafe partial int NtQueryInformationFile(
        SafeFileHandle FileHandle,
        IO_STATUS_BLOCK* IoStatusBlock,
        void* FileInformation,
        uint Length,
        int FileInformationClass);
}
