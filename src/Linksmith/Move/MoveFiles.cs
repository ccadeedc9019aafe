using System.Runtime.InteropServices;
using Linksmith.Interop;

namespace Linksmith;

/// <summary>The few file operations a move needs beyond the link primitives and the tree engine.</summary>
internal static class MoveFiles
{
    /// <summary>
    /// Renames <paramref name="source"/> to <paramref name="destination"/>, failing (and changing
    /// nothing) when the destination exists: a move never lands on someone else's name.
    /// </summary>
    public static void RenameNoReplace(string source, string destination)
    {
        if (OperatingSystem.IsWindows())
        {
            // Without MOVEFILE_REPLACE_EXISTING, MoveFileExW fails with ERROR_ALREADY_EXISTS.
            if (!Kernel32.MoveFileEx(source, destination, 0))
            {
                var error = Marshal.GetLastPInvokeError();
                throw WindowsErrors.ToException(error, destination, existingKind: LinkPlatform.Current.Stat(destination).Kind);
            }

            return;
        }

        if (OperatingSystem.IsLinux() && TryRenameAt2(source, destination))
        {
            return;
        }

        // renameat2 is refused (old kernel, some FUSE file systems): check, then rename. The
        // names are private to this move (hidden, with a random part), so the window is harmless.
        if (TreeWalker.StatPath(destination, followLinks: false) is { } existing)
        {
            throw new LinkNameExistsException(destination, existing.Kind);
        }

        UnixFile.Rename(source, destination);
    }

    /// <summary>True when done; false when this file system does not offer RENAME_NOREPLACE.</summary>
    private static unsafe bool TryRenameAt2(string source, string destination)
    {
        var s = NativePath.ToNullTerminatedBytes(source);
        var d = NativePath.ToNullTerminatedBytes(destination);
        fixed (byte* ps = s, pd = d)
        {
            if (Libc.renameat2(Libc.AT_FDCWD, ps, Libc.AT_FDCWD, pd, Libc.RENAME_NOREPLACE) == 0)
            {
                return true;
            }
        }

        var errno = Marshal.GetLastPInvokeError();
        // EINVAL: the file system does not support the flag; ENOSYS: the kernel lacks the call.
        if (errno is Libc.EINVAL or Libc.ENOSYS)
        {
            return false;
        }

        throw UnixErrors.ToException(errno, errno == Libc.ENOENT ? source : destination);
    }

    /// <summary>
    /// Makes what was written to the file system that holds <paramref name="path"/> durable, so a
    /// power cut after the original is deleted cannot leave a copy that was only in memory.
    /// </summary>
    public static unsafe void SyncFileSystem(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            // Windows writes through CopyFileEx; there is no per-volume flush without administrator rights.
            return;
        }

        var native = NativePath.ToNullTerminatedBytes(path);
        int fd;
        fixed (byte* p = native)
        {
            fd = Libc.open(p, Libc.O_RDONLY | Libc.O_CLOEXEC | Libc.O_NOCTTY | Libc.O_NONBLOCK, 0);
        }

        if (fd < 0)
        {
            throw UnixErrors.ToException(Marshal.GetLastPInvokeError(), path);
        }

        try
        {
            if (Libc.syncfs(fd) != 0)
            {
                throw UnixErrors.ToException(Marshal.GetLastPInvokeError(), path);
            }
        }
        finally
        {
            _ = Libc.close(fd);
        }
    }

    /// <summary>
    /// Whether a rename can carry <paramref name="path"/> into <paramref name="directory"/>: the
    /// same file system and, on Linux, the same mount (rename(2) refuses to cross bind mounts too).
    /// </summary>
    public static bool CanRename(string path, string directory)
    {
        if (OperatingSystem.IsLinux())
        {
            if (!UnixFile.TryStatx(path, Libc.AT_SYMLINK_NOFOLLOW, out var a) || !UnixFile.TryStatx(directory, 0, out var b))
            {
                return false;
            }

            var sameDevice = a.stx_dev_major == b.stx_dev_major && a.stx_dev_minor == b.stx_dev_minor;
            var mountKnown = (a.stx_mask & b.stx_mask & Libc.STATX_MNT_ID) != 0;
            return sameDevice && (!mountKnown || a.stx_mnt_id == b.stx_mnt_id);
        }

        var source = LinkPlatform.Current.Stat(path);
        var target = LinkPlatform.Current.StatFollowingLinks(directory);
        return source.Kind != LinkKind.Missing && target.Kind != LinkKind.Missing && source.Identity.Volume == target.Identity.Volume;
    }

    /// <summary>Bytes free for this user on the file system that holds the directory.</summary>
    public static long AvailableBytes(string directory)
    {
        try
        {
            // DriveInfo asks statvfs (Unix) or GetDiskFreeSpaceEx (Windows) about the path's file system.
            return new DriveInfo(directory).AvailableFreeSpace;
        }
        catch (Exception error) when (error is IOException or ArgumentException or UnauthorizedAccessException)
        {
            // Unknown: let the copy itself find out; ENOSPC then rolls the move back.
            return long.MaxValue;
        }
    }

    /// <summary>
    /// Windows: the first file under <paramref name="root"/> that another program holds open
    /// without sharing, the usual reason a folder cannot be renamed; null if none is found.
    /// </summary>
    public static string? FindFileInUse(string root)
    {
        if (!OperatingSystem.IsWindows())
        {
            return null;
        }

        foreach (var entry in TreeWalker.Walk(root, new WalkOptions { StatEverything = false }))
        {
            if (entry.Kind != LinkKind.File)
            {
                continue;
            }

            try
            {
                // Asking for exclusive access fails with a sharing violation while anyone else has it open.
                using var handle = File.OpenHandle(entry.FullPath, FileMode.Open, FileAccess.Read, FileShare.None);
            }
            catch (IOException error) when ((error.HResult & 0xFFFF) == Kernel32.ERROR_SHARING_VIOLATION)
            {
                return entry.FullPath;
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                // Not this file's sharing; keep looking.
            }
        }

        return null;
    }
}
