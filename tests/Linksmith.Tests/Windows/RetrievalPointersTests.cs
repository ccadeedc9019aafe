using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Linksmith.Interop;

namespace Linksmith.Tests.Windows;

/// <summary>
/// The pure parts of telling, on Windows, how much of a duplicate already shares its survivor's
/// clusters (dedupe --reflink's savings), checked on every platform: the layout winioctl.h gives
/// FSCTL_GET_RETRIEVAL_POINTERS' input and answer, reading the answer byte by byte, asking again
/// after ERROR_MORE_DATA, and the shared bytes of two files from their runs.
/// </summary>
public sealed class RetrievalPointersTests
{
    private const long Cluster = 4096;

    [Fact]
    public void The_query_and_its_answer_have_the_layout_of_winioctl_h()
    {
        Assert.Equal(0x00090073u, Kernel32.FSCTL_GET_RETRIEVAL_POINTERS);
        Assert.Equal(8, Marshal.SizeOf<Kernel32.STARTING_VCN_INPUT_BUFFER>());
        Assert.Equal(RetrievalPointers.HeaderSize, Marshal.SizeOf<Kernel32.RETRIEVAL_POINTERS_BUFFER>());
        Assert.Equal(0, (int)Marshal.OffsetOf<Kernel32.RETRIEVAL_POINTERS_BUFFER>(nameof(Kernel32.RETRIEVAL_POINTERS_BUFFER.ExtentCount)));
        Assert.Equal(8, (int)Marshal.OffsetOf<Kernel32.RETRIEVAL_POINTERS_BUFFER>(nameof(Kernel32.RETRIEVAL_POINTERS_BUFFER.StartingVcn)));
        Assert.Equal(RetrievalPointers.RecordSize, Marshal.SizeOf<Kernel32.RETRIEVAL_POINTERS_EXTENT>());
        Assert.Equal(0, (int)Marshal.OffsetOf<Kernel32.RETRIEVAL_POINTERS_EXTENT>(nameof(Kernel32.RETRIEVAL_POINTERS_EXTENT.NextVcn)));
        Assert.Equal(8, (int)Marshal.OffsetOf<Kernel32.RETRIEVAL_POINTERS_EXTENT>(nameof(Kernel32.RETRIEVAL_POINTERS_EXTENT.Lcn)));
    }

    [Fact]
    public void The_answer_is_read_as_runs_each_starting_where_the_last_ended()
    {
        byte[] answer =
        [
            0x03, 0x00, 0x00, 0x00, 0xEE, 0xEE, 0xEE, 0xEE, // ExtentCount 3, padding
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // StartingVcn 0
            0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // NextVcn 16
            0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // Lcn 4096
            0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // NextVcn 32
            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, // Lcn -1: a hole
            0x21, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // NextVcn 33
            0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, // Lcn 2^32
        ];
        var runs = new List<ClusterRun>();

        Assert.True(RetrievalPointers.TryRead(answer, queriedFrom: 0, runs));
        Assert.Equal([new ClusterRun(0, 16, 4096), new ClusterRun(16, 32, -1), new ClusterRun(32, 33, 1L << 32)], runs);
    }

    [Fact]
    public void An_answer_that_starts_before_the_cluster_asked_for_is_cut_there()
    {
        var runs = new List<ClusterRun> { new(0, 8, 100) };

        // Asked from VCN 8, answered from the start of the run that holds it (VCN 4).
        Assert.True(RetrievalPointers.TryRead(Answer(startingVcn: 4, (12, 500), (20, -1), (30, 900)), queriedFrom: 8, runs));

        Assert.Equal([new ClusterRun(0, 8, 100), new ClusterRun(8, 12, 504), new ClusterRun(12, 20, -1), new ClusterRun(20, 30, 900)], runs);
    }

    [Fact]
    public void An_answer_that_cannot_be_right_is_refused_and_adds_nothing()
    {
        var runs = new List<ClusterRun>();
        // Wine 10's stub, measured: ExtentCount 1, StartingVcn 1, then NextVcn 0 and Lcn 0, for every file.
        byte[] wine = [1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        var claimsMore = Answer(startingVcn: 0, (20, 500), (40, 600));
        BinaryPrimitives.WriteUInt32LittleEndian(claimsMore, 3);

        Assert.False(RetrievalPointers.TryRead(wine, queriedFrom: 0, runs));
        Assert.False(RetrievalPointers.TryRead(claimsMore, queriedFrom: 0, runs));
        Assert.False(RetrievalPointers.TryRead(Answer(startingVcn: 0, (20, 500), (20, 600)), queriedFrom: 0, runs));
        Assert.False(RetrievalPointers.TryRead(Answer(startingVcn: 9, (20, 500)), queriedFrom: 8, runs));
        Assert.False(RetrievalPointers.TryRead(new byte[10], queriedFrom: 0, runs));
        Assert.Empty(runs);
    }

    [Fact]
    public void An_answer_with_no_runs_and_a_part_of_a_run_past_its_count_are_read_as_they_say()
    {
        var runs = new List<ClusterRun>();

        Assert.True(RetrievalPointers.TryRead(Answer(startingVcn: 0), queriedFrom: 0, runs));
        Assert.True(RetrievalPointers.TryRead([.. Answer(startingVcn: 0, (4, 7)), 1, 2, 3], queriedFrom: 0, runs));

        Assert.Equal([new ClusterRun(0, 4, 7)], runs);
    }

    [Fact]
    public void After_more_data_the_next_query_starts_where_the_last_run_ends()
    {
        List<ClusterRun> found = [new(0, 16, 4096), new(16, 40, -1)];

        Assert.Equal(40L, RetrievalPointers.NextQuery(found, queriedFrom: 0));
        // An answer that did not get past the query would be the same answer for ever.
        Assert.Null(RetrievalPointers.NextQuery(found, queriedFrom: 40));
        Assert.Null(RetrievalPointers.NextQuery([], queriedFrom: 0));
    }

    [Fact]
    public void Runs_become_byte_extents_without_holes_cut_to_the_file()
    {
        List<ClusterRun> runs = [new(0, 2, 10), new(2, 5, -1), new(5, 9, 70), new(9, 100, 200)];

        // 8 clusters and 100 bytes: the run at VCN 5 ends inside the file's last cluster, the next is past it.
        var extents = RetrievalPointers.Placed(runs, Cluster, (8 * Cluster) + 100);

        Assert.Equal(
            [new PlacedExtent(0, 10 * Cluster, 2 * Cluster), new PlacedExtent(5 * Cluster, 70 * Cluster, (3 * Cluster) + 100)],
            extents);
        Assert.Empty(RetrievalPointers.Placed(runs, Cluster, 0));
    }

    [Fact]
    public void Runs_that_cannot_be_are_left_out_instead_of_overflowing()
    {
        List<ClusterRun> runs = [new(-4, 2, 10), new(3, 3, 10), new(4, 6, long.MaxValue / 2)];

        Assert.Empty(RetrievalPointers.Placed(runs, Cluster, 64 * Cluster));
        Assert.Throws<ArgumentOutOfRangeException>(() => RetrievalPointers.Placed(runs, 0, 4096));
    }

    [Fact]
    public void A_clone_at_the_same_clusters_has_nothing_left_to_share()
    {
        var size = (10 * Cluster) + 1;
        List<ClusterRun> keeper = [new(0, 6, 1000), new(6, 11, 5000)];
        // The clone's runs may be cut differently; what counts is each cluster's place.
        List<ClusterRun> clone = [new(0, 3, 1000), new(3, 6, 1003), new(6, 11, 5000)];

        Assert.Equal(0, NotShared(clone, keeper, size));
        Assert.Equal(0, NotShared(keeper, clone, size));
    }

    [Fact]
    public void Separate_copies_share_nothing_and_count_their_data_only()
    {
        var size = 10 * Cluster;
        List<ClusterRun> keeper = [new(0, 10, 1000)];
        List<ClusterRun> copy = [new(0, 4, 3000), new(4, 8, -1), new(8, 10, 3008)];

        // The hole holds nothing: sharing would free the 6 clusters of data.
        Assert.Equal(6 * Cluster, NotShared(copy, keeper, size));
    }

    [Fact]
    public void Clusters_shared_at_other_offsets_do_not_count_and_a_partial_clone_counts_the_rest()
    {
        var size = 8 * Cluster;
        List<ClusterRun> keeper = [new(0, 8, 1000)];
        // The first half is the keeper's clusters 4..7 (the same clusters, other offsets); the second
        // half was cloned at the same offsets, but for its last cluster.
        List<ClusterRun> duplicate = [new(0, 4, 1004), new(4, 7, 1004), new(7, 8, 9000)];

        Assert.Equal(5 * Cluster, NotShared(duplicate, keeper, size));
    }

    [Fact]
    public void The_shared_computation_counts_unplaced_extents_as_not_shared()
    {
        // Linux's delayed allocation (no physical place yet) beside a placed, shared extent.
        List<PlacedExtent> mine = [new(0, 8192, 4096), new(4096, -1, 4096)];
        List<PlacedExtent> theirs = [new(0, 8192, 8192)];

        Assert.Equal(4096, SharedExtents.NotSharedBytes(mine, theirs));
        Assert.Equal(0, SharedExtents.NotSharedBytes([], theirs));
        Assert.Equal(8192, SharedExtents.NotSharedBytes(theirs, []));
    }

    private static long NotShared(List<ClusterRun> mine, List<ClusterRun> theirs, long size) =>
        SharedExtents.NotSharedBytes(RetrievalPointers.Placed(mine, Cluster, size), RetrievalPointers.Placed(theirs, Cluster, size));

    private static byte[] Answer(long startingVcn, params (long NextVcn, long Lcn)[] runs)
    {
        var answer = new byte[RetrievalPointers.HeaderSize + (runs.Length * RetrievalPointers.RecordSize)];
        BinaryPrimitives.WriteUInt32LittleEndian(answer, (uint)runs.Length);
        BinaryPrimitives.WriteInt64LittleEndian(answer.AsSpan(8), startingVcn);
        for (var i = 0; i < runs.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(answer.AsSpan(RetrievalPointers.HeaderSize + (i * RetrievalPointers.RecordSize)), runs[i].NextVcn);
            BinaryPrimitives.WriteInt64LittleEndian(answer.AsSpan(RetrievalPointers.HeaderSize + (i * RetrievalPointers.RecordSize) + 8), runs[i].Lcn);
        }

        return answer;
    }
}
