using System.Buffers;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Linksmith.Interop;

namespace Linksmith;

/// <summary>
/// Copies a file's bytes between two open descriptors: as a reflink (FICLONE) where the file system
/// can share the blocks and the <see cref="ReflinkMode"/> allows it, else in the kernel
/// (copy_file_range), else read/write; a sparse file's data ranges only, so its holes stay holes.
/// </summary>
internal static class FileContents
{
    private const int CopyChunk = 1 << 30;
    private const int BufferSize = 1 << 20;

    private static readonly byte[] Zeros = new byte[1 << 16];

    // Once copy_file_range is known not to work here (old kernel, seccomp), stop asking.
    private static volatile bool copyFileRangeUnavailable;

    /// <summary>
    /// Copies <paramref name="source"/> (open at <paramref name="input"/>, its position at the
    /// start) to the empty file open at <paramref name="output"/>; returns the bytes copied.
    /// </summary>
    /// <param name="input">The source, open for reading, its position at 0.</param>
    /// <param name="output">The new file, empty, open for writing.</param>
    /// <param name="source">The source as fstat saw it after it was opened: its size and allocated blocks.</param>
    /// <param name="sourcePath">The source's path, for messages.</param>
    /// <param name="destination">The new file's path, for messages.</param>
    /// <param name="reflink">
    /// Auto: FICLONE first (the new file shares the source's blocks; holes stay holes), the byte
    /// copy where the file system refuses. Always: FICLONE or <see cref="ReflinksNotSupportedException"/>.
    /// Never: read/write only (copy_file_range may share blocks on XFS and Btrfs).
    /// </param>
    /// <param name="contentHash">
    /// When given, every byte of the copy is added to it, read once: a byte copy goes through
    /// read/write (not copy_file_range, whose bytes never reach this process) and hashes each buffer
    /// between the read and the write, holes as the zeros they read as; a reflink reads nothing,
    /// so the source is read once after it to hash it. The price of seeing the bytes, measured on
    /// ext4 with a warm cache (128 files of 4 MiB, 2 cores): a backup's copies take 1.4–1.6 s where
    /// <c>copy</c> with copy_file_range takes 0.75–0.9 s.
    /// </param>
    /// <param name="known">
    /// What the two file systems are already known to refuse (from an earlier file between the
    /// same two): with <see cref="ReflinkMode.Auto"/> no FICLONE is tried where it is refused, and
    /// no copy_file_range where that is; the bytes are read and written.
    /// </param>
    /// <param name="refused">
    /// What was tried and refused for good here (FICLONE between two file systems or on one without
    /// reflinks; copy_file_range between two file systems): the caller passes it as
    /// <paramref name="known"/> for the next file between the same two, sparing a failing call a file.
    /// </param>
    public static long Copy(int input, int output, in FileStatus source, MessagePath sourcePath, MessagePath destination, ReflinkMode reflink, IncrementalHash? contentHash, CopyRefusals known, out CopyRefusals refused)
    {
        refused = CopyRefusals.None;
        if (reflink == ReflinkMode.Always || (reflink == ReflinkMode.Auto && (known & CopyRefusals.Clone) == 0))
        {
            var errno = TryClone(input, output);
            if (errno is Libc.EXDEV or Libc.EOPNOTSUPP or Libc.ENOTTY or Libc.ENOSYS)
            {
                refused = CopyRefusals.Clone;
            }

            if (errno == 0)
            {
                FaultPoints.Hit(FaultPoints.CopyData, sourcePath, destination);
                if (contentHash is not null)
                {
                    HashAll(input, contentHash, sourcePath);
                }

                return source.Size;
            }

            if (reflink == ReflinkMode.Always)
            {
                throw CannotShare(errno, sourcePath, destination);
            }
        }

        var kernelCopy = reflink != ReflinkMode.Never && contentHash is null && (known & CopyRefusals.KernelCopy) == 0;
        var kernelCopyRefused = false;
        // Fewer blocks than bytes: the file has holes (or is compressed or stored inline, which
        // costs two lseek calls for nothing). A file without holes takes the usual path: no extra
        // system call for it.
        var copied = source.AllocatedBytes < source.Size
            ? CopySparse(input, output, source.Size, sourcePath, destination, kernelCopy, ref kernelCopyRefused, contentHash)
            : CopyDense(input, output, source.Size, sourcePath, destination, kernelCopy, ref kernelCopyRefused, contentHash);
        if (kernelCopyRefused)
        {
            refused |= CopyRefusals.KernelCopy;
        }

        return copied;
    }

    /// <summary>Adds the whole file open at <paramref name="input"/> to <paramref name="contentHash"/>, read from its start with pread.</summary>
    public static unsafe long HashAll(int input, IncrementalHash contentHash, MessagePath sourcePath)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        long offset = 0;
        try
        {
            fixed (byte* b = buffer)
            {
                while (true)
                {
                    var read = Libc.pread(input, b, buffer.Length, offset);
                    if (read == 0)
                    {
                        return offset;
                    }

                    if (read < 0)
                    {
                        var errno = Marshal.GetLastPInvokeError();
                        if (errno == Libc.EINTR)
                        {
                            continue;
                        }

                        throw UnixErrors.ToException(errno, sourcePath.ToString());
                    }

                    contentHash.AppendData(buffer, 0, (int)read);
                    offset += read;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Adds <paramref name="count"/> zero bytes (a hole, as it reads) to <paramref name="contentHash"/>.</summary>
    private static void HashZeros(IncrementalHash? contentHash, long count)
    {
        if (contentHash is null || count <= 0)
        {
            return;
        }

        for (; count > 0; count -= Zeros.Length)
        {
            contentHash.AppendData(Zeros, 0, (int)Math.Min(count, Zeros.Length));
        }
    }

    /// <summary>
    /// FICLONE: the empty file open at <paramref name="output"/> gets all of <paramref name="input"/>'s
    /// extents, shared copy-on-write (the kernel locks both files, so it is one consistent state of
    /// the source). Returns 0, or the errno: EXDEV between file systems, EOPNOTSUPP (or EINVAL,
    /// ENOTTY) where the file system has no reflinks.
    /// </summary>
    public static int TryClone(int input, int output)
    {
        while (true)
        {
            if (Libc.ioctl(output, Libc.FICLONE, input) == 0)
            {
                return 0;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno != Libc.EINTR)
            {
                return errno;
            }
        }
    }

    /// <summary>What a failed FICLONE means for a copy that must share blocks.</summary>
    public static LinksmithException CannotShare(int errno, MessagePath sourcePath, MessagePath destination) => errno switch
    {
        Libc.EXDEV => new ReflinksNotSupportedException(
            destination.ToString(),
            $"reflinks never cross file systems, and the source '{sourcePath}' is on another one",
            "Choose a destination on the source's file system, or use --reflink auto (it copies the bytes where it cannot share them)"),
        Libc.EOPNOTSUPP or Libc.EINVAL or Libc.ENOTTY or Libc.ENOSYS or Libc.EBADF => new ReflinksNotSupportedException(destination.ToString()),
        Libc.ENOSPC or Libc.EDQUOT => UnixErrors.ToException(errno, destination.ToString()),
        _ => UnixErrors.ToException(errno, sourcePath.ToString()),
    };

    private static unsafe long CopyDense(int input, int output, long expectedSize, MessagePath sourcePath, MessagePath destination, bool kernelCopy, ref bool kernelCopyRefused, IncrementalHash? contentHash)
    {
        long total = 0;
        while (kernelCopy && !copyFileRangeUnavailable)
        {
            var n = Libc.copy_file_range(input, null, output, null, CopyChunk, 0);
            if (n > 0)
            {
                total += n;
                FaultPoints.Hit(FaultPoints.CopyData, sourcePath, destination);
                // The size fstat read is reached: spare the call that would only say "end of file".
                // A file that grew since is caught by the fstat after the copy (its size moved).
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
            if (errno != Libc.EINTR)
            {
                kernelCopyRefused |= ThrowUnlessFallBack(errno, sourcePath, destination);
                break;
            }
        }

        // Up to the size fstat read, as above: a file another program keeps appending to would
        // otherwise be read for as long as it grows. Size 0 (procfs) means "read to the end".
        return total + ReadWrite(input, output, expectedSize > 0 ? expectedSize - total : long.MaxValue, sourcePath, destination, contentHash);
    }

    /// <summary>
    /// The data ranges (SEEK_DATA / SEEK_HOLE) copied at their offsets, then the new file's size set
    /// with ftruncate, so the holes between them and at the end stay unallocated, as <c>cp</c> keeps them.
    /// </summary>
    private static long CopySparse(int input, int output, long size, MessagePath sourcePath, MessagePath destination, bool kernelCopy, ref bool kernelCopyRefused, IncrementalHash? contentHash)
    {
        long total = 0;
        var offset = 0L;
        while (offset < size)
        {
            var data = Libc.lseek(input, offset, Libc.SEEK_DATA);
            if (data < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                // ENXIO: no data at or after offset; the rest of the file is a hole.
                if (errno == Libc.ENXIO)
                {
                    break;
                }

                throw UnixErrors.ToException(errno, sourcePath.ToString());
            }

            if (data >= size)
            {
                break;
            }

            var hole = Libc.lseek(input, data, Libc.SEEK_HOLE);
            if (hole < 0)
            {
                throw UnixErrors.ToException(Marshal.GetLastPInvokeError(), sourcePath.ToString());
            }

            var end = Math.Min(hole, size);
            HashZeros(contentHash, data - offset);
            total += CopyRange(input, output, data, end - data, sourcePath, destination, kernelCopy && !kernelCopyRefused, ref kernelCopyRefused, contentHash);
            offset = end;
        }

        HashZeros(contentHash, size - offset);

        // The length of the holes at the end; a file that shrank meanwhile is caught by the fstat after the copy.
        if (Libc.ftruncate(output, size) != 0)
        {
            throw UnixErrors.ToException(Marshal.GetLastPInvokeError(), destination.ToString());
        }

        return total;
    }

    private static unsafe long CopyRange(int input, int output, long start, long length, MessagePath sourcePath, MessagePath destination, bool kernelCopy, ref bool kernelCopyRefused, IncrementalHash? contentHash)
    {
        long inOffset = start, outOffset = start;
        while (kernelCopy && !copyFileRangeUnavailable && inOffset < start + length)
        {
            var n = Libc.copy_file_range(input, &inOffset, output, &outOffset, (nint)Math.Min(start + length - inOffset, CopyChunk), 0);
            if (n > 0)
            {
                FaultPoints.Hit(FaultPoints.CopyData, sourcePath, destination);
                continue;
            }

            if (n == 0)
            {
                // The source ended early (it shrank); the fstat after the copy reports it.
                return inOffset - start;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno != Libc.EINTR)
            {
                kernelCopyRefused |= ThrowUnlessFallBack(errno, sourcePath, destination);
                break;
            }
        }

        if (inOffset >= start + length)
        {
            return inOffset - start;
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(BufferSize, start + length - inOffset));
        try
        {
            fixed (byte* b = buffer)
            {
                while (inOffset < start + length)
                {
                    var read = Libc.pread(input, b, (nint)Math.Min(buffer.Length, start + length - inOffset), inOffset);
                    if (read == 0)
                    {
                        break;
                    }

                    if (read < 0)
                    {
                        var errno = Marshal.GetLastPInvokeError();
                        if (errno == Libc.EINTR)
                        {
                            continue;
                        }

                        throw UnixErrors.ToException(errno, sourcePath.ToString());
                    }

                    contentHash?.AppendData(buffer, 0, (int)read);
                    for (nint written = 0; written < read;)
                    {
                        var n = Libc.pwrite(output, b + written, read - written, outOffset + written);
                        if (n < 0)
                        {
                            var errno = Marshal.GetLastPInvokeError();
                            if (errno == Libc.EINTR)
                            {
                                continue;
                            }

                            throw UnixErrors.ToException(errno, destination.ToString());
                        }

                        written += n;
                    }

                    inOffset += read;
                    outOffset += read;
                    FaultPoints.Hit(FaultPoints.CopyData, sourcePath, destination);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return inOffset - start;
    }

    /// <summary>
    /// Returns when a copy_file_range failure means "not this way" (fall back to read/write):
    /// true when it is so for every file between these two file systems; throws when it means the
    /// data cannot be copied.
    /// </summary>
    private static bool ThrowUnlessFallBack(int errno, MessagePath sourcePath, MessagePath destination)
    {
        switch (errno)
        {
            case Libc.ENOSYS: // the kernel or a seccomp filter does not offer it
                copyFileRangeUnavailable = true;
                return true;
            case Libc.EXDEV: // between two file systems (before 5.3 any two; since 5.19 two that are not one type that can)
                return true;
            case Libc.EINVAL: // special files, or file systems that cannot do it
            case Libc.EOPNOTSUPP:
            case Libc.EBADF:
                return false;
            case Libc.ENOSPC or Libc.EDQUOT:
                throw UnixErrors.ToException(errno, destination.ToString());
            default:
                throw UnixErrors.ToException(errno, sourcePath.ToString());
        }
    }

    private static unsafe long ReadWrite(int input, int output, long limit, MessagePath sourcePath, MessagePath destination, IncrementalHash? contentHash)
    {
        long total = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            fixed (byte* b = buffer)
            {
                while (true)
                {
                    var read = total >= limit ? 0 : Libc.read(input, b, (nint)Math.Min(buffer.Length, limit - total));
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

                        throw UnixErrors.ToException(errno, sourcePath.ToString());
                    }

                    contentHash?.AppendData(buffer, 0, (int)read);
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

                            throw UnixErrors.ToException(errno, destination.ToString());
                        }

                        written += n;
                    }

                    total += read;
                    FaultPoints.Hit(FaultPoints.CopyData, sourcePath, destination);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

/// <summary>What copying between two file systems was refused for good, learnt from one file for the next.</summary>
[Flags]
internal enum CopyRefusals
{
    None = 0,

    /// <summary>FICLONE: the two are different file systems, or the one has no reflinks.</summary>
    Clone = 1,

    /// <summary>copy_file_range: the kernel does not copy between these two file systems.</summary>
    KernelCopy = 2,
}
