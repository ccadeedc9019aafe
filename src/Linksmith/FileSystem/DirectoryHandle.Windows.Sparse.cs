using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Linksmith.Interop;
using Microsoft.Win32.SafeHandles;

namespace Linksmith;

/// <summary>
/// Sparse files copied as sparse files, as on Linux with SEEK_DATA / SEEK_HOLE: the source's
/// allocated ranges (<c>FSCTL_QUERY_ALLOCATED_RANGES</c>) are written at their offsets into a new
/// file marked sparse (<c>FSCTL_SET_SPARSE</c>), then its end of file is set, so the holes between
/// and after them stay unallocated and read as zeros. Written from Microsoft's documentation; on
/// NTFS and ReFS checked on paper only. Stock Wine 10 (measured) fails the query with
/// ERROR_NOT_SUPPORTED, so there every byte is copied as before; CI's Wine overlay answers it from
/// SEEK_DATA / SEEK_HOLE (.ci/wine-reparse/patches/linksmith-fixes/0002), so the tests run this
/// path there. Wine takes FSCTL_SET_SPARSE without keeping a mark, a file it extends by its end of
/// file gets no blocks, and its FILE_STANDARD_INFO.AllocationSize counts the blocks Linux gave the file.
/// </summary>
internal sealed partial class WindowsDirectoryHandle
{
    // 64 ranges a call (1 KiB): a sparse file with more asks again from the last one's end.
    private const int RangesPerQuery = 64;

    private static readonly byte[] Zeros = new byte[1 << 16];

    /// <summary>
    /// The first <paramref name="size"/> bytes of <paramref name="input"/> into the new, empty
    /// <paramref name="output"/>, its allocated ranges only; returns the bytes copied (the data,
    /// not the holes), each hole added to <paramref name="contentHash"/> as the zeros it reads
    /// as. Null, with nothing written, where the source's volume cannot list its ranges or the
    /// destination's cannot hold a sparse file, or where the source has no hole: the caller copies
    /// every byte.
    /// </summary>
    private static long? TryCopySparse(SafeFileHandle input, SafeFileHandle output, long size, string sourcePath, string destination, IncrementalHash? contentHash)
    {
        if (QueryAllocatedRanges(input, size, sourcePath) is not { } allocated)
        {
            return null;
        }

        var data = AllocatedRanges.Plan(allocated, size);
        if (AllocatedRanges.CoversWholeFile(data, size))
        {
            // A compressed file (fewer clusters than bytes, yet no hole): nothing to keep.
            return null;
        }

        if (!SetSparse(output, destination))
        {
            return null;
        }

        var buffer = new byte[(int)Math.Clamp(data.Count == 0 ? 1 : data.Max(r => r.Length), 1, CopyBufferSize)];
        long copied = 0, offset = 0;
        foreach (var (start, length) in data)
        {
            HashZeros(contentHash, start - offset);
            // A source that shrank meanwhile yields less; the look at it after the copy reports it.
            copied += CopyRange(input, output, buffer, start, length, sourcePath, destination, contentHash, faultPoint: true);
            offset = start + length;
        }

        HashZeros(contentHash, size - offset);
        if (!SetLength(output, size))
        {
            throw WindowsErrors.ToException(Marshal.GetLastPInvokeError(), destination);
        }

        return copied;
    }

    /// <summary>
    /// The allocated ranges of <paramref name="input"/> within its first <paramref name="size"/>
    /// bytes, as the file system reports them (whole allocation units); null where the volume does
    /// not answer the query.
    /// </summary>
    private static unsafe List<(long Offset, long Length)>? QueryAllocatedRanges(SafeFileHandle input, long size, string sourcePath)
    {
        var found = new List<(long Offset, long Length)>();
        var output = new byte[RangesPerQuery * AllocatedRanges.RecordSize];
        var query = new Kernel32.FILE_ALLOCATED_RANGE_BUFFER { FileOffset = 0, Length = size };
        while (true)
        {
            bool answered;
            uint returned;
            fixed (byte* o = output)
            {
                answered = Kernel32.DeviceIoControl(input, Kernel32.FSCTL_QUERY_ALLOCATED_RANGES, &query, (uint)sizeof(Kernel32.FILE_ALLOCATED_RANGE_BUFFER), o, (uint)output.Length, out returned, IntPtr.Zero);
            }

            var error = answered ? Kernel32.ERROR_SUCCESS : Marshal.GetLastPInvokeError();
            if (!answered && error != Kernel32.ERROR_MORE_DATA)
            {
                return IsSparseRefusal(error) ? null : throw WindowsErrors.ToException(error, sourcePath);
            }

            AllocatedRanges.Read(output.AsSpan(0, (int)Math.Min(returned, (uint)output.Length)), found);
            if (answered)
            {
                return found;
            }

            // ERROR_MORE_DATA: the output was full; ask again from the end of the last range.
            if (AllocatedRanges.NextQuery(found, query.FileOffset, size) is not { } next)
            {
                return null;
            }

            if (next >= size)
            {
                return found;
            }

            query = new Kernel32.FILE_ALLOCATED_RANGE_BUFFER { FileOffset = next, Length = size - next };
        }
    }

    /// <summary>Whether this folder's volume has sparse files (FILE_SUPPORTS_SPARSE_FILES); false where Windows does not say.</summary>
    internal unsafe bool VolumeHasSparseFiles()
    {
        uint flags;
        return Kernel32.GetVolumeInformationByHandle(root, null, 0, null, null, &flags, null, 0)
            && (flags & Kernel32.FILE_SUPPORTS_SPARSE_FILES) != 0;
    }

    /// <summary>Marks the new file sparse; false where its volume has no sparse files.</summary>
    private static unsafe bool SetSparse(SafeFileHandle output, string destination)
    {
        // No input buffer: FILE_SET_SPARSE_BUFFER's SetSparse defaults to TRUE.
        if (Kernel32.DeviceIoControl(output, Kernel32.FSCTL_SET_SPARSE, null, 0, null, 0, out _, IntPtr.Zero))
        {
            return true;
        }

        var error = Marshal.GetLastPInvokeError();
        return IsSparseRefusal(error) ? false : throw WindowsErrors.ToException(error, destination);
    }

    /// <summary>
    /// The errors of FSCTL_QUERY_ALLOCATED_RANGES and FSCTL_SET_SPARSE that mean "not on this
    /// volume", after which every byte is copied instead.
    /// </summary>
    private static bool IsSparseRefusal(int error) => error is
        // STATUS_INVALID_DEVICE_REQUEST: FAT, exFAT and UDF have no sparse files.
        Kernel32.ERROR_INVALID_FUNCTION or
        // STATUS_NOT_SUPPORTED: redirectors to servers without them, and Wine 10 for the query.
        Kernel32.ERROR_NOT_SUPPORTED;

    /// <summary>Adds <paramref name="count"/> zero bytes (a hole, as it reads) to <paramref name="contentHash"/>.</summary>
    private static void HashZeros(IncrementalHash? contentHash, long count)
    {
        if (contentHash is null)
        {
            return;
        }

        for (; count > 0; count -= Zeros.Length)
        {
            contentHash.AppendData(Zeros, 0, (int)Math.Min(count, Zeros.Length));
        }
    }
}
