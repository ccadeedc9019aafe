using System.Runtime.InteropServices;
using Linksmith.Interop;

namespace Linksmith;

/// <summary>How a file's bytes lie on disk, as FIEMAP reports them.</summary>
/// <param name="DataBytes">Bytes in extents (holes excluded).</param>
/// <param name="SharedBytes">Of those, bytes in extents the file system shares with another file or snapshot (reflinks).</param>
/// <param name="Extents">How many extents FIEMAP returned.</param>
internal readonly record struct ExtentSummary(long DataBytes, long SharedBytes, int Extents);

/// <summary>Reads a file's extent map (Linux FS_IOC_FIEMAP) from an open descriptor.</summary>
internal static class FileExtents
{
    private const int ExtentsPerCall = 64;

    /// <summary>
    /// Calls <paramref name="visit"/> for each extent of the file open at <paramref name="fd"/>
    /// (logical offset, length, flags), in order; returns false when the file system has no
    /// extent map (FIEMAP unsupported: tmpfs, some FUSE and network file systems).
    /// </summary>
    /// <param name="fd">The file, open (for reading; an O_PATH descriptor is not enough).</param>
    /// <param name="path">The file's path, for messages.</param>
    /// <param name="visit">Called with logical offset (with <paramref name="physical"/>: physical offset), length and FIEMAP_EXTENT_* flags.</param>
    /// <param name="sync">Flush delayed allocation first, so just-written data has its final extents.</param>
    /// <param name="physical">Pass each extent's physical offset (where it lies on the device) instead of its offset in the file.</param>
    public static unsafe bool Visit(int fd, string path, Action<long, long, uint> visit, bool sync = false, bool physical = false)
    {
        var size = sizeof(Libc.FiemapHeader) + (ExtentsPerCall * sizeof(Libc.FiemapExtent));
        var buffer = stackalloc byte[size];
        var header = (Libc.FiemapHeader*)buffer;
        var extents = (Libc.FiemapExtent*)(buffer + sizeof(Libc.FiemapHeader));
        ulong start = 0;
        while (true)
        {
            new Span<byte>(buffer, size).Clear();
            header->Start = start;
            header->Length = ulong.MaxValue - start;
            header->Flags = sync ? Libc.FIEMAP_FLAG_SYNC : 0;
            header->ExtentCount = ExtentsPerCall;
            if (Libc.ioctl(fd, Libc.FS_IOC_FIEMAP, (nint)buffer) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno is Libc.EOPNOTSUPP or Libc.ENOTTY or Libc.EINVAL)
                {
                    return false;
                }

                throw new LinkSystemException(path, $"cannot read its extent map: {Libc.StrError(errno)}", errno);
            }

            var mapped = header->MappedExtents;
            if (mapped == 0)
            {
                return true;
            }

            for (var i = 0; i < mapped; i++)
            {
                ref readonly var extent = ref extents[i];
                visit((long)(physical ? extent.Physical : extent.Logical), (long)extent.Length, extent.Flags);
                if ((extent.Flags & Libc.FIEMAP_EXTENT_LAST) != 0)
                {
                    return true;
                }
            }

            ref readonly var last = ref extents[mapped - 1];
            start = last.Logical + last.Length;
        }
    }

    /// <summary>Adds up the file's extents; null when the file system has no extent map.</summary>
    /// <param name="fd">The file, open.</param>
    /// <param name="path">The file's path, for messages.</param>
    public static ExtentSummary? Summarize(int fd, string path)
    {
        long data = 0, shared = 0;
        var count = 0;
        var known = Visit(fd, path, (_, length, flags) =>
        {
            data += length;
            count++;
            if ((flags & Libc.FIEMAP_EXTENT_SHARED) != 0)
            {
                shared += length;
            }
        });
        return known ? new ExtentSummary(data, shared, count) : null;
    }
}
