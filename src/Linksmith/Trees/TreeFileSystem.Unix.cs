using System.Runtime.InteropServices;
using Linksmith.Interop;

namespace Linksmith;

/// <summary>Tree file operations on Linux through libc, with byte paths and kernel-side copies.</summary>
internal sealed class UnixTreeFileSystem : TreeFileSystem
{
    private const int CopyChunk = 1 << 30;
    private static readonly bool IsRoot = Libc.geteuid() == 0;

    // Once copy_file_range is known not to work here (old kernel, seccomp), stop asking.
    private static volatile bool copyFileRangeUnavailable;

    public override bool CanPreserveOwner => IsRoot;

    public override unsafe void CreateDirectory(string path)
    {
        var native = NativePath.ToNullTerminatedBytes(path);
        fixed (byte* p = native)
        {
            if (Libc.mkdir(p, 0x1C0 /* 0700 until its real mode is set after its contents */) == 0)
            {
                return;
            }
        }

        var errno = Marshal.GetLastPInvokeError();
        if (errno == Libc.EEXIST && TreeWalker.StatPath(path, followLinks: false)?.Kind == LinkKind.Directory)
        {
            return;
        }

        throw UnixErrors.ToException(errno, path);
    }

    public override unsafe long CopyFile(string source, string destination, in FileStatus status)
    {
        var sourceNative = NativePath.ToNullTerminatedBytes(source);
        var destinationNative = NativePath.ToNullTerminatedBytes(destination);
        int input;
        fixed (byte* s = sourceNative)
        {
            input = Libc.open(s, Libc.O_RDONLY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC | Libc.O_NOCTTY, 0);
        }

        if (input < 0)
        {
            throw UnixErrors.ToException(Marshal.GetLastPInvokeError(), source);
        }

        try
        {
            int output;
            fixed (byte* d = destinationNative)
            {
                output = Libc.open(d, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0x180 /* 0600 until the copy is done */);
            }

            if (output < 0)
            {
                throw UnixErrors.ToException(Marshal.GetLastPInvokeError(), destination);
            }

            try
            {
                var copied = CopyContents(input, output, status.Size, source, destination);
                ApplyMetadata(output, status, destination);
                return copied;
            }
            finally
            {
                _ = Libc.close(output);
            }
        }
        finally
        {
            _ = Libc.close(input);
        }
    }

    public override void HardLink(string existing, string link) => LinkPlatform.Current.CreateHardLink(link, existing);

    public override void Symlink(string targetText, string link, bool targetIsDirectory) =>
        LinkPlatform.Current.CreateSymbolicLink(link, targetText, targetIsDirectory);

    public override string ReadLink(string path) => UnixFile.ReadLink(path);

    public override unsafe void SetMetadata(string path, in FileStatus status)
    {
        var native = NativePath.ToNullTerminatedBytes(path);
        var times = stackalloc Libc.Timespec[2];
        times[0] = new Libc.Timespec { tv_sec = status.AccessTime.Seconds, tv_nsec = status.AccessTime.Nanoseconds };
        times[1] = new Libc.Timespec { tv_sec = status.ModifiedTime.Seconds, tv_nsec = status.ModifiedTime.Nanoseconds };
        fixed (byte* p = native)
        {
            if (IsRoot && Libc.lchown(p, status.Uid, status.Gid) != 0)
            {
                throw UnixErrors.ToException(Marshal.GetLastPInvokeError(), path);
            }

            // A symlink has no mode of its own on Linux (chmod would follow it).
            if (status.Kind != LinkKind.SymbolicLink && Libc.chmod(p, status.Mode) != 0)
            {
                throw UnixErrors.ToException(Marshal.GetLastPInvokeError(), path);
            }

            if (Libc.utimensat(Libc.AT_FDCWD, p, times, Libc.AT_SYMLINK_NOFOLLOW) != 0)
            {
                throw UnixErrors.ToException(Marshal.GetLastPInvokeError(), path);
            }
        }
    }

    public override void Rename(string source, string destination) => UnixFile.Rename(source, destination);

    public override void RemoveEntry(string path, LinkKind kind)
    {
        if (kind == LinkKind.Directory)
        {
            UnixFile.RemoveDirectory(path);
        }
        else
        {
            UnixFile.Unlink(path);
        }
    }

    public override IEnumerable<string> ListNames(string directory) => UnixDirectory.Enumerate(directory).Select(static e => e.Name);

    private static unsafe long CopyContents(int input, int output, long expectedSize, string source, string destination)
    {
        long total = 0;
        if (!copyFileRangeUnavailable)
        {
            while (true)
            {
                var n = Libc.copy_file_range(input, null, output, null, CopyChunk, 0);
                if (n > 0)
                {
                    total += n;
                    // The size read by the walk is reached: spare the call that would only say "end of file".
                    // A file that grew since is caught by the next incremental run (its mtime moved too).
                    if (total >= expectedSize && expectedSize > 0)
                    {
                        return total;
                    }

                    continue;
                }

                if (n == 0)
                {
                    // A file that reports size 0 but has contents (procfs, some FUSE) copies 0 bytes:
                    // fall through to read/write, which sees the real contents.
                    if (total > 0 || expectedSize == 0)
                    {
                        return total;
                    }

                    break;
                }

                var errno = Marshal.GetLastPInvokeError();
                switch (errno)
                {
                    case Libc.EINTR:
                        continue;
                    // Each of these means "not this way", never "the data is bad": fall back to read/write.
                    case Libc.ENOSYS: // the kernel or a seccomp filter does not offer it
                        copyFileRangeUnavailable = true;
                        break;
                    case Libc.EXDEV: // kernels before 5.3 refuse copies between file systems
                    case Libc.EINVAL: // special files, or file systems that cannot do it
                    case Libc.EOPNOTSUPP:
                    case Libc.EBADF:
                        break;
                    case Libc.ENOSPC or Libc.EDQUOT:
                        throw UnixErrors.ToException(errno, destination);
                    default:
                        throw UnixErrors.ToException(errno, source);
                }

                break;
            }
        }

        return total + ReadWrite(input, output, source, destination);
    }

    private static unsafe long ReadWrite(int input, int output, string source, string destination)
    {
        long total = 0;
        var buffer = new byte[1 << 20];
        fixed (byte* b = buffer)
        {
            while (true)
            {
                var read = Libc.read(input, b, buffer.Length);
                if (read == 0)
                {
                    return total;
                }

                if (read < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Libc.EINTR)
                    {
                        continue;
                    }

                    throw UnixErrors.ToException(errno, source);
                }

                for (nint written = 0; written < read;)
                {
                    var n = Libc.write(output, b + written, read - written);
                    if (n < 0)
                    {
                        var errno = Marshal.GetLastPInvokeError();
                        if (errno == Libc.EINTR)
                        {
                            continue;
                        }

                        throw UnixErrors.ToException(errno, destination);
                    }

                    written += n;
                }

                total += read;
            }
        }
    }

    private static unsafe void ApplyMetadata(int fd, in FileStatus status, string destination)
    {
        // Owner before mode: chown clears set-user-ID and set-group-ID bits.
        if (IsRoot && Libc.fchown(fd, status.Uid, status.Gid) != 0)
        {
            throw UnixErrors.ToException(Marshal.GetLastPInvokeError(), destination);
        }

        if (Libc.fchmod(fd, status.Mode) != 0)
        {
            throw UnixErrors.ToException(Marshal.GetLastPInvokeError(), destination);
        }

        var times = stackalloc Libc.Timespec[2];
        times[0] = new Libc.Timespec { tv_sec = status.AccessTime.Seconds, tv_nsec = status.AccessTime.Nanoseconds };
        times[1] = new Libc.Timespec { tv_sec = status.ModifiedTime.Seconds, tv_nsec = status.ModifiedTime.Nanoseconds };
        if (Libc.futimens(fd, times) != 0)
        {
            throw UnixErrors.ToException(Marshal.GetLastPInvokeError(), destination);
        }
    }
}
