using System.Buffers.Binary;

namespace Linksmith;

/// <summary>
/// The pure half of copying a sparse file on Windows (WindowsDirectoryHandle.TryCopySparse): reading
/// the answer of <c>FSCTL_QUERY_ALLOCATED_RANGES</c> and turning it into the ranges to copy. No
/// system call here, so it is unit-tested on every platform.
/// </summary>
/// <remarks>
/// The answer is an array of FILE_ALLOCATED_RANGE_BUFFER (winioctl.h: FileOffset, Length, two
/// little-endian 64-bit integers). NTFS answers in whole allocation units (a sparse file's are 16
/// clusters, 64 KiB with 4 KiB clusters), so a range may start before the data written and end past
/// the end of the file; a full output buffer is reported as ERROR_MORE_DATA with the ranges that fit,
/// and the caller asks again from the end of the last one.
/// </remarks>
internal static class AllocatedRanges
{
    /// <summary>The size of one FILE_ALLOCATED_RANGE_BUFFER.</summary>
    public const int RecordSize = 16;

    /// <summary>
    /// Appends to <paramref name="into"/> the ranges in <paramref name="output"/> (the bytes the
    /// call returned); returns how many. A trailing part of a record, which the system never
    /// writes, is ignored.
    /// </summary>
    public static int Read(ReadOnlySpan<byte> output, List<(long Offset, long Length)> into)
    {
        var count = output.Length / RecordSize;
        for (var i = 0; i < count; i++)
        {
            var record = output.Slice(i * RecordSize, RecordSize);
            into.Add((BinaryPrimitives.ReadInt64LittleEndian(record), BinaryPrimitives.ReadInt64LittleEndian(record[8..])));
        }

        return count;
    }

    /// <summary>
    /// After ERROR_MORE_DATA to a query from <paramref name="queriedFrom"/>: where to ask again,
    /// the end of the last range found (at most <paramref name="size"/>: nothing left to ask); null
    /// when the answer did not get past <paramref name="queriedFrom"/>, as asking again would get
    /// the same answer for ever.
    /// </summary>
    public static long? NextQuery(IReadOnlyList<(long Offset, long Length)> found, long queriedFrom, long size)
    {
        if (found.Count == 0)
        {
            return null;
        }

        var (offset, length) = found[^1];
        var next = End(offset, length);
        return next > queriedFrom ? Math.Min(next, size) : null;
    }

    /// <summary>
    /// The ranges of a file of <paramref name="size"/> bytes to copy: the allocated ones cut to
    /// [0, size), in order, empty ones dropped and overlapping or touching ones joined. Everything
    /// between them (and after the last) is a hole, which reads as zeros.
    /// </summary>
    public static List<(long Offset, long Length)> Plan(IEnumerable<(long Offset, long Length)> allocated, long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        var cut = new List<(long Start, long End)>();
        foreach (var (offset, length) in allocated)
        {
            var start = Math.Max(offset, 0);
            var end = Math.Min(End(offset, length), size);
            if (length > 0 && start < end)
            {
                cut.Add((start, end));
            }
        }

        cut.Sort();
        var plan = new List<(long Offset, long Length)>();
        foreach (var (start, end) in cut)
        {
            if (plan.Count > 0 && start <= plan[^1].Offset + plan[^1].Length)
            {
                var last = plan[^1];
                plan[^1] = (last.Offset, Math.Max(last.Offset + last.Length, end) - last.Offset);
            }
            else
            {
                plan.Add((start, end - start));
            }
        }

        return plan;
    }

    /// <summary>Whether <paramref name="plan"/> (from <see cref="Plan"/>) is the whole file: no hole to keep (a compressed file, or a sparse one with none).</summary>
    public static bool CoversWholeFile(IReadOnlyList<(long Offset, long Length)> plan, long size) =>
        plan.Count == 1 && plan[0].Offset == 0 && plan[0].Length == size;

    // A malformed answer (negative, or past 2^63) must not overflow into a wrong end.
    private static long End(long offset, long length) => length <= 0
        ? offset
        : offset > 0 && length > long.MaxValue - offset ? long.MaxValue : offset + length;
}
