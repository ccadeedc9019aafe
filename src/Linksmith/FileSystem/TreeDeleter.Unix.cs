using System.Runtime.InteropServices;
using Linksmith.Interop;

namespace Linksmith;

/// <summary>How <see cref="DirectoryHandle.DeleteTree(string, Action{LinksmithException})"/> deletes.</summary>
internal sealed record DeleteOptions
{
    /// <summary>Called for an entry that could not be deleted (or a mount point not entered); the rest goes on.</summary>
    public Action<LinksmithException>? OnError { get; init; }

    /// <summary>Called for each entry deleted (or, in a dry run, that would be), deepest first.</summary>
    public Action<string, LinkKind>? OnDeleted { get; init; }

    /// <summary>Only report what would be deleted.</summary>
    public bool DryRun { get; init; }

    /// <summary>Stop between entries when cancelled.</summary>
    public CancellationToken Cancellation { get; init; }
}

/// <summary>
/// The depth-first delete of <see cref="UnixDirectoryHandle"/>, as rm's <c>unlinkat</c> loop: each
/// directory is opened <c>O_NOFOLLOW</c> relative to its parent's descriptor, checked to be the
/// directory that was listed and on the same file system, emptied, then removed relative to its
/// parent. Paths of any length work (no full path is ever handed to the kernel).
/// </summary>
internal sealed class TreeDeleter(UnixDirectoryHandle root, DeleteOptions options)
{
    private static readonly uint EffectiveUser = Libc.geteuid();
    private ulong volume;
    private DeleteTally tally;

    public unsafe DeleteTally Delete(string relativePath)
    {
        var status = root.Stat(relativePath);
        if (status is null)
        {
            return default;
        }

        volume = root.Volume;
        var path = root.FullPath(relativePath);
        if (status.Value.Kind != LinkKind.Directory)
        {
            if (!options.DryRun)
            {
                root.Remove(relativePath, status.Value.Kind);
            }

            Count(path, status.Value);
            return tally;
        }

        using (var parent = (UnixDirectoryHandle)root.OpenDirectory(Path.GetDirectoryName(relativePath) ?? string.Empty))
        using (var parentDescriptor = parent.OpenBeneath(string.Empty, Libc.O_RDONLY | Libc.O_DIRECTORY))
        {
            var leaf = NativePath.ToNullTerminatedBytes(Path.GetFileName(relativePath));
            var madeWritable = false;
            RemoveDirectory(parentDescriptor, leaf, path, status.Value, parent.Path, ref madeWritable);
        }

        root.Forget(relativePath);
        return tally;
    }

    /// <summary>Empties a directory, then removes it from <paramref name="parent"/>; false when something stayed (reported).</summary>
    private bool RemoveDirectory(FileDescriptor parent, byte[] leaf, string path, in FileStatus listed, string parentPath, ref bool parentMadeWritable)
    {
        if (listed.Identity.Volume != volume)
        {
            Report(new LinkSystemException(path, "is a mount point of another file system; not entered", 0));
            return false;
        }

        var opened = OpenDirectory(parent.Fd, leaf, path, listed);
        if (opened is null)
        {
            return false;
        }

        using (opened)
        {
            if (!DeleteContents(opened, path))
            {
                return false;
            }
        }

        if (!options.DryRun && !RemoveName(parent, leaf, Libc.AT_REMOVEDIR, path, parentPath, ref parentMadeWritable))
        {
            return false;
        }

        Count(path, listed);
        return true;
    }

    /// <summary>unlinkat, after giving the user write permission on a folder they own when that is what was missing.</summary>
    private bool RemoveName(FileDescriptor directory, byte[] name, int flags, string path, string directoryPath, ref bool madeWritable)
    {
        var rc = Unlink(directory.Fd, name, flags);
        if (rc == Libc.EACCES && !madeWritable && MakeWritable(directory, directoryPath))
        {
            madeWritable = true;
            rc = Unlink(directory.Fd, name, flags);
        }

        if (rc is 0 or Libc.ENOENT)
        {
            return true;
        }

        Report(rc is Libc.ENOTEMPTY or Libc.EEXIST
            ? new ReplaceRefusedException(path, "is a non-empty directory (something was added while it was deleted)")
            : UnixErrors.ToException(rc, path));
        return false;
    }

    /// <summary>Deletes everything in a directory; false when something stayed (reported).</summary>
    private unsafe bool DeleteContents(FileDescriptor directory, string path)
    {
        List<string> names;
        try
        {
            names = UnixDirectoryReader.ReadNames(directory, path);
        }
        catch (LinksmithException error)
        {
            Report(error);
            return false;
        }

        var complete = true;
        var madeWritable = false;
        foreach (var name in names)
        {
            options.Cancellation.ThrowIfCancellationRequested();
            var childPath = Path.Join(path, name);
            var native = NativePath.ToNullTerminatedBytes(name);
            Libc.Statx stx;
            fixed (byte* n = native)
            {
                if (Libc.statx(directory.Fd, n, Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, &stx) != 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno != Libc.ENOENT)
                    {
                        Report(UnixErrors.ToException(errno, childPath));
                        complete = false;
                    }

                    continue;
                }
            }

            var child = FileStatus.FromStatx(stx);
            if (child.Kind == LinkKind.Directory)
            {
                complete &= RemoveDirectory(directory, native, childPath, child, path, ref madeWritable);
                continue;
            }

            if (options.DryRun || RemoveName(directory, native, 0, childPath, path, ref madeWritable))
            {
                Count(childPath, child);
            }
            else
            {
                complete = false;
            }
        }

        return complete;
    }

    /// <summary>
    /// Opens a directory to empty it, relative to its parent and without following a link, and
    /// checks it is the one that was listed. A directory without read or search permission that
    /// the user owns gets them first (rm -rf does the same).
    /// </summary>
    private unsafe FileDescriptor? OpenDirectory(int parent, byte[] leaf, string path, in FileStatus listed)
    {
        int fd;
        fixed (byte* l = leaf)
        {
            fd = Libc.openat(parent, l, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_NONBLOCK | Libc.O_CLOEXEC, 0);
            if (fd < 0 && Marshal.GetLastPInvokeError() == Libc.EACCES && !options.DryRun && listed.Uid == EffectiveUser)
            {
                var pathFd = Libc.openat(parent, l, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
                if (pathFd >= 0)
                {
                    using var pathDescriptor = new FileDescriptor(pathFd);
                    if (UnixDirectoryHandle.StatDescriptor(pathFd, path).Identity == listed.Identity)
                    {
                        ChangeModeThroughDescriptor(pathFd, listed.Mode | 0x1C0);
                    }
                }

                fd = Libc.openat(parent, l, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_NONBLOCK | Libc.O_CLOEXEC, 0);
            }
        }

        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            Report(errno is Libc.ELOOP or Libc.ENOTDIR
                ? new TreeChangedException(path, "is no longer the directory that was listed (a link or file took its place); left alone")
                : UnixErrors.ToException(errno, path));
            return null;
        }

        var descriptor = new FileDescriptor(fd);
        var opened = UnixDirectoryHandle.StatDescriptor(fd, path);
        if (opened.Identity != listed.Identity)
        {
            descriptor.Dispose();
            Report(new TreeChangedException(path, "is no longer the directory that was listed; left alone"));
            return null;
        }

        return descriptor;
    }

    /// <summary>Gives the user write and search permission on a directory they own (for deleting in it).</summary>
    private static bool MakeWritable(FileDescriptor directory, string path)
    {
        var status = UnixDirectoryHandle.StatDescriptor(directory.Fd, path);
        return status.Uid == EffectiveUser && Libc.fchmod(directory.Fd, status.Mode | 0x1C0) == 0;
    }

    /// <summary>chmod of an O_PATH descriptor, through its /proc/self/fd name (which resolves to that very inode).</summary>
    private static unsafe void ChangeModeThroughDescriptor(int fd, uint mode)
    {
        var native = NativePath.ToNullTerminatedBytes($"/proc/self/fd/{fd}");
        fixed (byte* p = native)
        {
            _ = Libc.chmod(p, mode);
        }
    }

    private static unsafe int Unlink(int directory, byte[] name, int flags)
    {
        fixed (byte* n = name)
        {
            return Libc.unlinkat(directory, n, flags) == 0 ? 0 : Marshal.GetLastPInvokeError();
        }
    }

    private void Count(string path, in FileStatus status)
    {
        tally.Entries++;
        if (status.Kind == LinkKind.File && status.LinkCount <= 1)
        {
            tally.Bytes += status.Size;
        }

        options.OnDeleted?.Invoke(path, status.Kind);
    }

    private void Report(LinksmithException error)
    {
        if (options.OnError is null)
        {
            throw error;
        }

        options.OnError(error);
    }
}
