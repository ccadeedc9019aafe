using System.Buffers.Binary;

namespace Linksmith;

/// <summary>A run of a file's clusters: virtual clusters [<see cref="Vcn"/>, <see cref="NextVcn"/>) at logical cluster <see cref="Lcn"/> of the volume on; <see cref="Lcn"/> −1: a hole.</summary>
internal readonly record struct ClusterRun(long Vcn, long NextVcn, long Lcn);

/// <summary>
/// The pure half of reading where a file's clusters lie on Windows
/// (<c>FSCTL_GET_RETRIEVAL_POINTERS</c>; see <c>WindowsDirectoryHandle.QueryRetrievalPointers</c>):
/// reading the answer byte by byte, where to ask again after ERROR_MORE_DATA, and turning the runs
/// into byte extents for <see cref="SharedExtents"/>. No system call here, so it is unit-tested on
/// every platform.
/// </summary>
/// <remarks>
/// The answer is RETRIEVAL_POINTERS_BUFFER (winioctl.h): a 32-bit ExtentCount, four bytes of
/// padding, the 64-bit StartingVcn of the first run, then ExtentCount pairs of 64-bit NextVcn and
/// Lcn, all little-endian; each run ends where the next begins. Two files share a cluster where
/// the same virtual cluster of each lies at the same logical cluster: block cloning (ReFS, Dev
/// Drive) maps the clone's runs to the source's clusters and counts references to them.
/// </remarks>
internal static class RetrievalPointers
{
    /// <summary>The bytes before the first run: ExtentCount, padding, StartingVcn.</summary>
    public const int HeaderSize = 16;

    /// <summary>The size of one run (NextVcn, Lcn).</summary>
    public const int RecordSize = 16;

    /// <summary>
    /// Appends to <paramref name="into"/> the runs in <paramref name="output"/> (the bytes the call
    /// returned to a query from virtual cluster <paramref name="queriedFrom"/>), the first cut to
    /// start there (the answer may start at the beginning of the run that holds it). False, with
    /// nothing appended, where the answer cannot be right: shorter than its head, a count of runs
    /// it does not hold, a start past the cluster asked for, or a run that does not end past its
    /// start (Wine 10's stub answers StartingVcn 1, NextVcn 0 for every file).
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> output, long queriedFrom, List<ClusterRun> into)
    {
        if (output.Length < HeaderSize)
        {
            return false;
        }

        var count = BinaryPrimitives.ReadUInt32LittleEndian(output);
        var vcn = BinaryPrimitives.ReadInt64LittleEndian(output[8..]);
        if (count > (uint)((output.Length - HeaderSize) / RecordSize) || vcn > queriedFrom)
        {
            return false;
        }

        var runs = new List<ClusterRun>((int)count);
        for (var i = 0; i < (int)count; i++)
        {
            var record = output.Slice(HeaderSize + (i * RecordSize), RecordSize);
            var next = BinaryPrimitives.ReadInt64LittleEndian(record);
            if (next <= vcn)
            {
                return false;
            }

            if (next > queriedFrom)
            {
                runs.Add(new ClusterRun(Math.Max(vcn, queriedFrom), next, CutLcn(BinaryPrimitives.ReadInt64LittleEndian(record[8..]), queriedFrom - vcn)));
            }

            vcn = next;
        }

        into.AddRange(runs);
        return true;
    }

    /// <summary>
    /// After ERROR_MORE_DATA to a query from <paramref name="queriedFrom"/>: the virtual cluster to
    /// ask from next, where the last run found ends; null when the answer did not get past
    /// <paramref name="queriedFrom"/>, as asking again would get the same answer for ever.
    /// </summary>
    public static long? NextQuery(IReadOnlyList<ClusterRun> found, long queriedFrom) =>
        found.Count > 0 && found[^1].NextVcn > queriedFrom ? found[^1].NextVcn : null;

    // A run cut by `skipped` clusters at its start starts that much further on the volume (a hole
    // stays one, and so does a place that would overflow).
    private static long CutLcn(long lcn, long skipped) =>
        lcn < 0 || skipped <= 0 ? lcn : lcn > long.MaxValue - skipped ? -1 : lcn + skipped;

    /// <summary>
    /// The runs as byte extents of a file of <paramref name="size"/> bytes on a volume with clusters
    /// of <paramref name="clusterSize"/> bytes, in file order: holes left out, each cut to the
    /// file's size (its last cluster is only partly the file's).
    /// </summary>
    public static List<PlacedExtent> Placed(IEnumerable<ClusterRun> runs, long clusterSize, long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(clusterSize);
        var clusters = (size + clusterSize - 1) / clusterSize;
        var extents = new List<PlacedExtent>();
        foreach (var (vcn, nextVcn, lcn) in runs)
        {
            // Past the file's clusters, a hole, or (malformed) a run that ends before it begins or
            // whose cluster would overflow as a byte offset: nothing of the file's data.
            var end = Math.Min(nextVcn, clusters);
            if (lcn < 0 || vcn < 0 || end <= vcn || lcn > (long.MaxValue / clusterSize) - (end - vcn))
            {
                continue;
            }

            var logical = vcn * clusterSize;
            extents.Add(new PlacedExtent(logical, lcn * clusterSize, Math.Min((end - vcn) * clusterSize, size - logical)));
        }

        return extents;
    }
}
