using System.Runtime.InteropServices;
using Linksmith.Interop;

namespace Linksmith;

/// <summary>
/// Copy-on-write sharing of identical files' data blocks (Linux <c>FIDEDUPERANGE</c>) and the
/// extent arithmetic that says how much of two files is shared already (FIEMAP).
/// </summary>
/// <remarks>
/// <c>FIDEDUPERANGE</c> locks both files, compares the ranges itself and shares them only when
/// they are byte-identical, so a file written after it was hashed is refused, never overwritten
/// (unlike <c>FICLONE</c>). The destination may be open read-only when the caller owns it or is
/// root (the kernel's <c>allow_file_dedupe</c>).
/// </remarks>
internal static class FileSharing
{
    /// <summary>The most one call asks for: some file systems cap a call at 16 MiB (Btrfs did, and shortens silently).</summary>
    public const long ChunkBytes = 16L << 20;

    /// <summary>
    /// Asks the kernel to share nothing (a zero-length range) between the two open files: it checks
    /// that the file system can share blocks and that the caller may, and changes nothing. Throws
    /// <see cref="ReflinksNotSupportedException"/> (naming <paramref name="destinationPath"/>)
    /// where it cannot.
    /// </summary>
    /// <remarks>
    /// A zero-length range is refused only where files have no remap operation at all (ext4,
    /// tmpfs) or lie on two file systems. XFS made with <c>reflink=0</c> has the operation and
    /// refuses only real ranges, with EOPNOTSUPP, before it looks at them: so the source's first
    /// block is also offered to itself at the same offset, which a file system with reflinks
    /// refuses as an overlap (EINVAL) or does as nothing, and which changes nothing either way.
    /// </remarks>
    public static void Probe(int sourceFd, int destinationFd, string destinationPath)
    {
        var errno = Dedupe(sourceFd, 0, destinationFd, 0, out _, out _);
        if (errno != 0)
        {
            throw Refusal(errno, destinationPath);
        }

        errno = Dedupe(sourceFd, 0, sourceFd, 1, out _, out _);
        if (errno is Libc.EOPNOTSUPP or Libc.ENOTTY)
        {
            throw Refusal(errno, destinationPath);
        }
    }

    /// <summary>
    /// Shares the first <paramref name="length"/> bytes of the source with the destination, a chunk
    /// of at most <see cref="ChunkBytes"/> at a time, from offset 0 in both. Stops at the first
    /// chunk the kernel finds different.
    /// </summary>
    /// <exception cref="ReflinksNotSupportedException">The file system cannot share blocks (EOPNOTSUPP, EINVAL, EXDEV).</exception>
    /// <exception cref="LinksmithException">Any other refusal, with the destination's path.</exception>
    public static ShareResult Share(int sourceFd, int destinationFd, long length, string destinationPath)
    {
        long offset = 0;
        while (offset < length)
        {
            var asked = Math.Min(ChunkBytes, length - offset);
            var errno = Dedupe(sourceFd, offset, destinationFd, asked, out var status, out var done);
            if (errno != 0)
            {
                throw Refusal(errno, destinationPath);
            }

            if (status == Libc.FILE_DEDUPE_RANGE_DIFFERS)
            {
                return ShareResult.Differs;
            }

            if (done <= 0)
            {
                // Nothing shared and nothing refused: the kernel would answer the same again.
                throw new LinkSystemException(destinationPath, "the file system shared none of a range it reported equal", 0);
            }

            offset += done;
        }

        return ShareResult.Shared;
    }

    /// <summary>
    /// Bytes of the file at <paramref name="fd"/> within its first <paramref name="size"/> bytes that
    /// do not share their blocks with the same offsets of the file at <paramref name="otherFd"/>
    /// (what sharing them would free); <paramref name="size"/> where either has no extent map.
    /// </summary>
    public static long BytesNotSharedWith(int fd, string path, int otherFd, string otherPath, long size)
    {
        if (Map(fd, path, size) is not { } mine || Map(otherFd, otherPath, size) is not { } theirs)
        {
            return size;
        }

        return SharedExtents.NotSharedBytes(mine, theirs);
    }

    /// <summary>Sets the file's access and modification times back to those in <paramref name="status"/>.</summary>
    public static unsafe void RestoreTimes(int fd, in FileStatus status, string path)
    {
        var times = stackalloc Libc.Timespec[2];
        times[0] = new Libc.Timespec { tv_sec = status.AccessTime.Seconds, tv_nsec = status.AccessTime.Nanoseconds };
        times[1] = new Libc.Timespec { tv_sec = status.ModifiedTime.Seconds, tv_nsec = status.ModifiedTime.Nanoseconds };
        if (Libc.futimens(fd, times) != 0)
        {
            throw UnixErrors.ToException(Marshal.GetLastPInvokeError(), path);
        }
    }

    /// <summary>The file's real extents clipped to its first <paramref name="size"/> bytes; null without an extent map.</summary>
    private static List<PlacedExtent>? Map(int fd, string path, long size)
    {
        var extents = new List<PlacedExtent>();
        var known = FileExtents.VisitPlaced(fd, path, (logical, physical, length, flags) =>
        {
            if (logical >= size)
            {
                return;
            }

            // Not yet on disk (delayed allocation: physical is 0) or kept inside metadata: this
            // file's own bytes, shared with nothing.
            var placed = (flags & (Libc.FIEMAP_EXTENT_UNKNOWN | Libc.FIEMAP_EXTENT_DELALLOC | Libc.FIEMAP_EXTENT_DATA_INLINE)) == 0;
            extents.Add(new PlacedExtent(logical, placed ? physical : -1, Math.Min(length, size - logical)));
        });
        return known ? extents : null;
    }

    /// <summary>One FIDEDUPERANGE call, the destination at the source's offset: the errno of the call or of the destination's status, else 0.</summary>
    private static unsafe int Dedupe(int sourceFd, long sourceOffset, int destinationFd, long length, out int status, out long done)
    {
        var range = new Libc.FileDedupeRange
        {
            SourceOffset = (ulong)sourceOffset,
            SourceLength = (ulong)length,
            DestinationCount = 1,
            Destination = new Libc.FileDedupeRangeInfo { DestinationFd = destinationFd, DestinationOffset = (ulong)sourceOffset },
        };
        var result = Libc.ioctl(sourceFd, Libc.FIDEDUPERANGE, (nint)(&range));
        status = range.Destination.Status;
        done = (long)range.Destination.BytesDeduped;
        // The call fails for the source; a destination's refusal comes back as a negative status.
        return result != 0 ? Marshal.GetLastPInvokeError() : status < 0 ? -status : 0;
    }

    /// <summary>
    /// EOPNOTSUPP: a file system without the operation, or XFS without reflink=1; EINVAL: a file
    /// system whose files have no remap operation at all (ext4, tmpfs); EXDEV: the two files are on
    /// different file systems (never shared). Anything else is a failure with the file.
    /// </summary>
    private static LinksmithException Refusal(int errno, string path) => errno switch
    {
        Libc.EOPNOTSUPP or Libc.EINVAL or Libc.EXDEV or Libc.ENOTTY => new ReflinksNotSupportedException(path),
        _ => UnixErrors.ToException(errno, path),
    };
}
