using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Linksmith.Interop;

internal static partial class Kernel32
{
    // GetVolumeInformationByHandleW's file-system flags (winnt.h): the volume can share clusters
    // between files (ReFS, Dev Drive): FSCTL_DUPLICATE_EXTENTS_TO_FILE works there.
    internal const uint FILE_SUPPORTS_BLOCK_REFCOUNTING = 0x08000000;

    // The volume can hold sparse files (NTFS, ReFS; not FAT, exFAT): FSCTL_SET_SPARSE works there.
    internal const uint FILE_SUPPORTS_SPARSE_FILES = 0x00000040;

    // winioctl.h: CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 159, METHOD_BUFFERED, FILE_ANY_ACCESS) and
    // CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 160, METHOD_BUFFERED, FILE_READ_DATA | FILE_WRITE_DATA):
    // ReFS's integrity-stream setting of a file, and (read) its volume's cluster size.
    internal const uint FSCTL_GET_INTEGRITY_INFORMATION = 0x0009027C;
    internal const uint FSCTL_SET_INTEGRITY_INFORMATION = 0x0009C280;

    // winioctl.h: CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 49, METHOD_BUFFERED, FILE_SPECIAL_ACCESS).
    internal const uint FSCTL_SET_SPARSE = 0x000900C4;

    // FILE_INFO_BY_HANDLE_CLASS (minwinbase.h): FILE_END_OF_FILE_INFO, the file's length.
    internal const int FileEndOfFileInfo = 6;

    [LibraryImport(Name, EntryPoint = "GetVolumeInformationByHandleW", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static unsafe partial bool GetVolumeInformationByHandle(
        SafeFileHandle hFile,
        char* lpVolumeNameBuffer,
        uint nVolumeNameSize,
        uint* lpVolumeSerialNumber,
        uint* lpMaximumComponentLength,
        uint* lpFileSystemFlags,
        char* lpFileSystemNameBuffer,
        uint nFileSystemNameSize);

    /// <summary>FSCTL_GET_INTEGRITY_INFORMATION_BUFFER (winioctl.h): 16 bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct FSCTL_GET_INTEGRITY_INFORMATION_BUFFER
    {
        internal ushort ChecksumAlgorithm;
        internal ushort Reserved;
        internal uint Flags;
        internal uint ChecksumChunkSizeInBytes;
        internal uint ClusterSizeInBytes;
    }

    /// <summary>FSCTL_SET_INTEGRITY_INFORMATION_BUFFER (winioctl.h): 8 bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct FSCTL_SET_INTEGRITY_INFORMATION_BUFFER
    {
        internal ushort ChecksumAlgorithm;
        internal ushort Reserved;
        internal uint Flags;
    }
}
