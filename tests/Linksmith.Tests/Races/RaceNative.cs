using System.Runtime.InteropServices;

namespace Linksmith.Tests.Races;

/// <summary>
/// The few libc calls the harness needs, declared here rather than borrowed from the library under
/// test: the attacker's <c>renameat2</c>, and a <c>statx</c> that sees what a sentinel really is.
/// </summary>
internal static unsafe partial class RaceNative
{
    public const int AT_FDCWD = -100;
    public const uint RENAME_EXCHANGE = 2;
    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const uint STATX_BASIC_STATS = 0x7ff;
    public const int ENOENT = 2;

    // struct statx (linux/stat.h) has one layout on every architecture; offsets of the fields read.
    private const int StatxSize = 256;
    private const int OffsetNlink = 16;
    private const int OffsetUid = 20;
    private const int OffsetGid = 24;
    private const int OffsetMode = 28;
    private const int OffsetIno = 32;
    private const int OffsetSize = 40;
    private const int OffsetMtimeSec = 112;
    private const int OffsetMtimeNsec = 120;
    private const int OffsetDevMajor = 136;
    private const int OffsetDevMinor = 140;

    /// <summary>A path as the NUL-terminated bytes a syscall takes, encoded once so the attacker's loop allocates nothing.</summary>
    public static byte[] Bytes(string path) => [.. System.Text.Encoding.UTF8.GetBytes(path), 0];

    /// <summary>Swaps two names atomically; returns 0 or the errno.</summary>
    public static int Exchange(byte[] first, byte[] second)
    {
        fixed (byte* a = first)
        fixed (byte* b = second)
        {
            return renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) == 0 ? 0 : Marshal.GetLastPInvokeError();
        }
    }

    /// <summary>What <paramref name="path"/> is, without following a link; null when it does not exist.</summary>
    public static NodeStatus? Lstat(string path)
    {
        var buffer = stackalloc byte[StatxSize];
        if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, buffer) != 0)
        {
            return null;
        }

        return new NodeStatus(
            Device: ((ulong)*(uint*)(buffer + OffsetDevMajor) << 32) | *(uint*)(buffer + OffsetDevMinor),
            Inode: *(ulong*)(buffer + OffsetIno),
            Links: *(uint*)(buffer + OffsetNlink),
            Mode: *(ushort*)(buffer + OffsetMode),
            Uid: *(uint*)(buffer + OffsetUid),
            Gid: *(uint*)(buffer + OffsetGid),
            Size: *(long*)(buffer + OffsetSize),
            MtimeNanoseconds: (*(long*)(buffer + OffsetMtimeSec) * 1_000_000_000) + *(uint*)(buffer + OffsetMtimeNsec));
    }

    /// <summary>Gives <paramref name="path"/> (never a link's target) to <paramref name="uid"/>.</summary>
    public static void Lchown(string path, uint uid, uint gid)
    {
        if (lchown(path, uid, gid) != 0)
        {
            throw new IOException($"lchown {path}: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int renameat2(int olddirfd, byte* oldpath, int newdirfd, byte* newpath, uint flags);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx(int dirfd, string pathname, int flags, uint mask, byte* statxbuf);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int lchown(string pathname, uint owner, uint group);
}

/// <summary>The facts of a name that a job must not change when the name is outside its tree.</summary>
internal readonly record struct NodeStatus(ulong Device, ulong Inode, uint Links, ushort Mode, uint Uid, uint Gid, long Size, long MtimeNanoseconds)
{
    public bool IsDirectory => (Mode & 0xF000) == 0x4000;

    public bool IsSymbolicLink => (Mode & 0xF000) == 0xA000;

    public bool IsRegularFile => (Mode & 0xF000) == 0x8000;
}
