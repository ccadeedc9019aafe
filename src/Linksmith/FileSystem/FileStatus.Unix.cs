using Linksmith.Interop;

namespace Linksmith;

internal readonly partial record struct FileStatus
{
    /// <summary>The status statx(2) reported (asked for <c>STATX_BASIC_STATS</c>).</summary>
    public static FileStatus FromStatx(in Libc.Statx stx)
    {
        var kind = (stx.stx_mode & Libc.S_IFMT) switch
        {
            Libc.S_IFREG => LinkKind.File,
            Libc.S_IFDIR => LinkKind.Directory,
            Libc.S_IFLNK => LinkKind.SymbolicLink,
            _ => LinkKind.Special,
        };
        return new FileStatus
        {
            Kind = kind,
            Mode = stx.stx_mode & 0xFFFu,
            Uid = stx.stx_uid,
            Gid = stx.stx_gid,
            Size = (long)stx.stx_size,
            AllocatedBytes = (long)stx.stx_blocks * 512,
            LinkCount = stx.stx_nlink,
            Identity = new FileIdentity(FileIdentity.MakeDevice(stx.stx_dev_major, stx.stx_dev_minor), stx.stx_ino),
            ModifiedTime = new FileTime(stx.stx_mtime.tv_sec, stx.stx_mtime.tv_nsec),
            AccessTime = new FileTime(stx.stx_atime.tv_sec, stx.stx_atime.tv_nsec),
            ChangeTime = new FileTime(stx.stx_ctime.tv_sec, stx.stx_ctime.tv_nsec),
            IsComplete = true,
            TargetIsDirectory = kind == LinkKind.Directory,
        };
    }
}
