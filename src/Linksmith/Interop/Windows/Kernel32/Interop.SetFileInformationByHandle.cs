using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Linksmith.Interop;

internal static partial class Kernel32
{
    // FILE_DISPOSITION_INFO_EX.Flags (winbase.h; Windows 10 1607 and later, NTFS).
    internal const uint FILE_DISPOSITION_FLAG_DELETE = 0x00000001;
    internal const uint FILE_DISPOSITION_FLAG_POSIX_SEMANTICS = 0x00000002;
    internal const uint FILE_DISPOSITION_FLAG_IGNORE_READONLY_ATTRIBUTE = 0x00000010;

    [LibraryImport(Name, EntryPoint = "SetFileInformationByHandle", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static unsafe partial bool SetFileInformationByHandle(SafeFileHandle hFile, int FileInformationClass, void* lpFileInformation, uint dwBufferSize);
}
