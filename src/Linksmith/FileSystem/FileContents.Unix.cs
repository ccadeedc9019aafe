using System.Runtime.InteropServices;
using Linksmith.Interop;

namespace Linksmith;

/// <summary>Copies a file's bytes between two open descriptors: in the kernel where it can (copy_file_range), else read/write.</summary>
internal static class FileContents
{
    private const int CopyChunk = 1 << 30;

    // Once copy_file_range is known not to work here (old kernel, seccomp), stop asking.
    private static volatile bool copyFileRangeUnavailable;

    /// <summary>Copies from <paramref name="input"/>'s position to its end; returns the bytes copied.</summary>
    public static unsafe long Copy(int input, int output, long expectedSize, string source, string destination)
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
}
