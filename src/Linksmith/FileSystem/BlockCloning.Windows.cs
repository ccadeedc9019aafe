namespace Linksmith;

/// <summary>
/// How a whole file is cloned with <c>FSCTL_DUPLICATE_EXTENTS_TO_FILE</c> (ReFS, Dev Drive): the
/// ranges to ask for. Used by copies (WindowsDirectoryHandle.TryCloneBlocks) and by
/// <c>dedupe --reflink</c> (<see cref="WindowsSharingPair"/>, which compares each range's bytes
/// before it clones it); the arithmetic is unit-tested on every platform.
/// </summary>
/// <remarks>
/// The call wants source and target offsets and the byte count on cluster boundaries; a file whose
/// size is not a whole number of clusters is cloned with its last range rounded up to the next
/// boundary, past its end (the target must already be at least as long as the source, so its end
/// of file is set first, as Windows' own block-cloning copy does). One call is kept under 4 GiB, the
/// limit ReFS documents for a single request.
/// </remarks>
internal static class BlockCloning
{
    /// <summary>The largest range one call asks for: 4 GiB less one 64 KiB cluster, so it is a whole number of any cluster size up to 64 KiB.</summary>
    public const long MaxChunkBytes = (4L << 30) - (64 << 10);

    /// <summary>
    /// The (offset, byte count) ranges that clone a file of <paramref name="fileSize"/> bytes on a
    /// volume with clusters of <paramref name="clusterSize"/> bytes: each offset and count a
    /// multiple of the cluster size, the last count rounded up past the end of the file.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative size, or a cluster size that is not a power of two up to 64 KiB.</exception>
    public static IReadOnlyList<(long Offset, long ByteCount)> Ranges(long fileSize, long clusterSize, long maxChunkBytes = MaxChunkBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fileSize);
        if (clusterSize <= 0 || clusterSize > (64 << 10) || (clusterSize & (clusterSize - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(clusterSize), clusterSize, "a cluster size is a power of two up to 64 KiB");
        }

        var chunk = RoundDown(maxChunkBytes, clusterSize);
        if (chunk <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxChunkBytes), maxChunkBytes, "smaller than one cluster");
        }

        var total = RoundUp(fileSize, clusterSize);
        var ranges = new List<(long, long)>();
        for (long offset = 0; offset < total; offset += chunk)
        {
            ranges.Add((offset, Math.Min(chunk, total - offset)));
        }

        return ranges;
    }

    /// <summary>
    /// The bytes of a range from <see cref="Ranges"/> that are the file's, from
    /// <paramref name="offset"/>: the whole range but the last, which ends at the end of the file
    /// (what dedupe compares before it clones the range).
    /// </summary>
    public static long FileBytesIn(long offset, long byteCount, long fileSize) => Math.Clamp(fileSize - offset, 0, byteCount);

    /// <summary><paramref name="value"/> rounded up to a multiple of <paramref name="clusterSize"/> (a power of two).</summary>
    public static long RoundUp(long value, long clusterSize) => (value + clusterSize - 1) & ~(clusterSize - 1);

    private static long RoundDown(long value, long clusterSize) => value & ~(clusterSize - 1);
}
