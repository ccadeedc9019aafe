using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Libc
{
    internal const uint STATX_TYPE = 0x0001;
    internal const uint STATX_MODE = 0x0002;
    internal const uint STATX_NLINK = 0x0004;
    internal const uint STATX_UID = 0x0008;
    internal const uint STATX_GID = 0x0010;
    internal const uint STATX_ATIME = 0x0020;
    internal const uint STATX_MTIME = 0x0040;
    internal const uint STATX_CTIME = 0x0080;
    internal const uint STATX_INO = 0x0100;
    internal const uint STATX_SIZE = 0x0200;
    internal const uint STATX_BLOCKS = 0x0400;
    internal const uint STATX_BASIC_STATS = 0x07ff;
    internal const uint STATX_MNT_ID = 0x1000;

    // stx_attributes bits (chattr +i, +a).
    internal const ulong STATX_ATTR_IMMUTABLE = 0x0010;
    internal const ulong STATX_ATTR_APPEND = 0x0020;

    internal const ushort S_IFMT = 0xF000;
    internal const ushort S_IFSOCK = 0xC000;
    internal const ushort S_IFLNK = 0xA000;
    internal const ushort S_IFREG = 0x8000;
    internal const ushort S_IFBLK = 0x6000;
    internal const ushort S_IFDIR = 0x4000;
    internal const ushort S_IFCHR = 0x2000;
    internal const ushort S_IFIFO = 0x1000;

    /// <summary>statx_timestamp: the same layout on every Linux architecture.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct StatxTimestamp
    {
        public long tv_sec;
        public uint tv_nsec;
        public int __reserved;
    }

    /// <summary>
    /// struct statx from linux/stat.h. Unlike struct stat it has one layout on every
    /// architecture, which is why Linksmith reads file metadata with statx.
    /// </summary>
    [StructLayout(LayoutKind.Sequential, Size = 256)]
    internal struct Statx
    {
        public uint stx_mask;
        public uint stx_blksize;
        public ulong stx_attributes;
        public uint stx_nlink;
        public uint stx_uid;
        public uint stx_gid;
        public ushort stx_mode;
        public ushort __spare0;
        public ulong stx_ino;
        public ulong stx_size;
        public ulong stx_blocks;
        public ulong stx_attributes_mask;
        public StatxTimestamp stx_atime;
        public StatxTimestamp stx_btime;
        public StatxTimestamp stx_ctime;
        public StatxTimestamp stx_mtime;
        public uint stx_rdev_major;
        public uint stx_rdev_minor;
        public uint stx_dev_major;
        public uint stx_dev_minor;
        public ulong stx_mnt_id;
    }

    [LibraryImport(Name, EntryPoint = "statx", SetLastError = true)]
    internal static unsafe partial int statx(int dirfd, byte* pathname, int flags, uint mask, Statx* statxbuf);
}
