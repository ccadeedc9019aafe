using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Libc
{
    internal const int ENOTTY = 25;

    // linux/fs.h: _IOW(0x94, 9, int). Makes the destination share all of the source's extents
    // (a reflink); the destination's old contents are dropped.
    internal const uint FICLONE = 0x40049409;

    // linux/fs.h: _IOWR(0x94, 54, struct file_dedupe_range). The kernel compares the ranges itself,
    // under its own locks, and shares them only if they are equal (FILE_DEDUPE_RANGE_SAME).
    internal const uint FIDEDUPERANGE = 0xC0189436;

    // linux/fs.h: _IOWR('f', 11, struct fiemap). The file's extents, each with flags such as SHARED.
    internal const uint FS_IOC_FIEMAP = 0xC020660B;

    internal const int FILE_DEDUPE_RANGE_SAME = 0;
    internal const int FILE_DEDUPE_RANGE_DIFFERS = 1;

    internal const uint FIEMAP_FLAG_SYNC = 0x1;
    internal const uint FIEMAP_EXTENT_LAST = 0x1;
    internal const uint FIEMAP_EXTENT_UNKNOWN = 0x2;
    internal const uint FIEMAP_EXTENT_DELALLOC = 0x4;
    internal const uint FIEMAP_EXTENT_DATA_INLINE = 0x200;
    internal const uint FIEMAP_EXTENT_UNWRITTEN = 0x800;
    internal const uint FIEMAP_EXTENT_SHARED = 0x2000;

    /// <summary>struct file_dedupe_range with room for one destination (linux/fs.h; 24 + 32 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct FileDedupeRange
    {
        internal ulong SourceOffset;
        internal ulong SourceLength;
        internal ushort DestinationCount;
        internal ushort Reserved1;
        internal uint Reserved2;
        internal FileDedupeRangeInfo Destination;
    }

    /// <summary>struct file_dedupe_range_info (linux/fs.h).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct FileDedupeRangeInfo
    {
        internal long DestinationFd;
        internal ulong DestinationOffset;
        internal ulong BytesDeduped;
        internal int Status;
        internal uint Reserved;
    }

    /// <summary>struct fiemap's header (linux/fiemap.h; 32 bytes), followed by the extents.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct FiemapHeader
    {
        internal ulong Start;
        internal ulong Length;
        internal uint Flags;
        internal uint MappedExtents;
        internal uint ExtentCount;
        internal uint Reserved;
    }

    /// <summary>struct fiemap_extent (linux/fiemap.h; 56 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct FiemapExtent
    {
        internal ulong Logical;
        internal ulong Physical;
        internal ulong Length;
        internal ulong Reserved64a;
        internal ulong Reserved64b;
        internal uint Flags;
        internal uint Reserved32a;
        internal uint Reserved32b;
        internal uint Reserved32c;
    }

    // ioctl is variadic in C; its third argument is passed as a pointer-sized value.
    [LibraryImport(Name, EntryPoint = "ioctl", SetLastError = true)]
    internal static partial int ioctl(int fd, nuint request, nint argument);
}
