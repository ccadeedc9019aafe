namespace Linksmith;

/// <summary>
/// A piece of a file on disk: <see cref="Length"/> bytes from <see cref="Logical"/> in the file,
/// stored from <see cref="Physical"/> on the volume (−1 where it has no place on disk yet, as a
/// delayed allocation on Linux).
/// </summary>
internal readonly record struct PlacedExtent(long Logical, long Physical, long Length)
{
    public long End => Logical + Length;
}

/// <summary>
/// How much of one file's data is shared with another's at the same offsets, from the two files'
/// extent maps (Linux FIEMAP, Windows <c>FSCTL_GET_RETRIEVAL_POINTERS</c>): what sharing them would
/// still free. No system call here, so it is unit-tested on every platform.
/// </summary>
internal static class SharedExtents
{
    /// <summary>
    /// Bytes of <paramref name="mine"/>'s extents that do not lie at the same place on disk as the
    /// same offsets of <paramref name="theirs"/>. Both lists are in file order, cut to the size
    /// that counts; holes are left out of them (they hold nothing to share), and an extent without
    /// a place (<see cref="PlacedExtent.Physical"/> −1) counts as not shared.
    /// </summary>
    public static long NotSharedBytes(IReadOnlyList<PlacedExtent> mine, IReadOnlyList<PlacedExtent> theirs)
    {
        long data = 0, shared = 0;
        var j = 0;
        for (var i = 0; i < mine.Count; i++)
        {
            var extent = mine[i];
            data += extent.Length;
            while (j < theirs.Count && theirs[j].End <= extent.Logical)
            {
                j++;
            }

            for (var k = j; k < theirs.Count && theirs[k].Logical < extent.End; k++)
            {
                var other = theirs[k];
                var start = Math.Max(extent.Logical, other.Logical);
                var end = Math.Min(extent.End, other.End);
                if (end > start && extent.Physical >= 0 && other.Physical >= 0 && extent.Physical - extent.Logical == other.Physical - other.Logical)
                {
                    shared += end - start;
                }
            }
        }

        return data - shared;
    }
}
