using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Linksmith.Interop;

internal static partial class Kernel32
{
    // FILE_INFO_BY_HANDLE_CLASS (minwinbase.h).
    internal const int FileBasicInfo = 0;
    internal const int FileStandardInfo = 1;
    internal const int FileDispositionInfo = 4;
    internal const int FileAttributeTagInfo = 9;
    internal const int FileIdInfo = 18;
    internal const int FileDispositionInfoEx = 21;

    [LibraryImport(Name, EntryPoint = "GetFileInformationByHandleEx", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static unsafe partial bool GetFileInformationByHandleEx(SafeFileHandle hFile, int FileInformationClass, void* lpFileInformation, uint dwBufferSize);

    [StructLayout(LayoutKind.Sequential)]
    internal struct FILE_BASIC_INFO
    {
        internal long CreationTime;
        internal long LastAccessTime;
        internal long LastWriteTime;
        internal long ChangeTime;
        internal uint FileAttributes;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct FILE_STANDARD_INFO
    {
        internal long AllocationSize;
        internal long EndOfFile;
        internal uint NumberOfLinks;
        internal byte DeletePending;
        internal byte Directory;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct FILE_ATTRIBUTE_TAG_INFO
    {
        internal uint FileAttributes;
        internal uint ReparseTag;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct FILE_ID_INFO
    {
        internal ulong VolumeSerialNumber;

        // FILE_ID_128: 16 bytes, little-endian on every Windows architecture.
        internal fixed byte FileId[16];
    }
}
