using System.Runtime.InteropServices;
using Linksmith.Interop;

namespace Linksmith.Tests.Windows;

/// <summary>
/// The pure parts of Windows block cloning (FSCTL_DUPLICATE_EXTENTS_TO_FILE), checked on every
/// platform: the DUPLICATE_EXTENTS_DATA layout winioctl.h defines, cluster-aligned ranges, and the
/// bytes of each range dedupe --reflink compares before it clones it.
/// </summary>
public sealed class DuplicateExtentsTests
{
    [Fact]
    public void The_request_has_the_layout_of_winioctl_h()
    {
        Assert.Equal(0x00098344u, Kernel32.FSCTL_DUPLICATE_EXTENTS_TO_FILE);
        Assert.Equal(32, Marshal.SizeOf<Kernel32.DUPLICATE_EXTENTS_DATA>());
        Assert.Equal(0, (int)Marshal.OffsetOf<Kernel32.DUPLICATE_EXTENTS_DATA>(nameof(Kernel32.DUPLICATE_EXTENTS_DATA.FileHandle)));
        Assert.Equal(8, (int)Marshal.OffsetOf<Kernel32.DUPLICATE_EXTENTS_DATA>(nameof(Kernel32.DUPLICATE_EXTENTS_DATA.SourceFileOffset)));
        Assert.Equal(16, (int)Marshal.OffsetOf<Kernel32.DUPLICATE_EXTENTS_DATA>(nameof(Kernel32.DUPLICATE_EXTENTS_DATA.TargetFileOffset)));
        Assert.Equal(24, (int)Marshal.OffsetOf<Kernel32.DUPLICATE_EXTENTS_DATA>(nameof(Kernel32.DUPLICATE_EXTENTS_DATA.ByteCount)));
    }

    [Theory]
    [InlineData(0, 4096, new long[] { })]
    [InlineData(1, 4096, new long[] { 0, 4096 })]
    [InlineData(4096, 4096, new long[] { 0, 4096 })]
    [InlineData(4097, 4096, new long[] { 0, 8192 })]
    [InlineData(65536, 65536, new long[] { 0, 65536 })]
    [InlineData(100_000, 65536, new long[] { 0, 131072 })]
    public void Ranges_start_and_end_on_cluster_boundaries_and_cover_the_whole_file(long size, long cluster, long[] expected)
    {
        var ranges = BlockCloning.Ranges(size, cluster);

        Assert.Equal(expected, ranges.SelectMany(r => new[] { r.Offset, r.ByteCount }));
    }

    [Fact]
    public void A_big_file_is_cloned_in_cluster_aligned_chunks_under_the_limit()
    {
        var size = (10L << 30) + 5;

        var ranges = BlockCloning.Ranges(size, 4096);

        Assert.Equal(3, ranges.Count);
        Assert.All(ranges, r => Assert.True(r.Offset % 4096 == 0 && r.ByteCount % 4096 == 0 && r.ByteCount <= BlockCloning.MaxChunkBytes));
        Assert.Equal(0, ranges[0].Offset);
        Assert.Equal(ranges[0].ByteCount, ranges[1].Offset);
        Assert.Equal(BlockCloning.RoundUp(size, 4096), ranges[^1].Offset + ranges[^1].ByteCount);
    }

    [Theory]
    [InlineData(1, 4096)]
    [InlineData(4096, 4096)]
    [InlineData(100_000, 65536)]
    [InlineData((10L << 30) + 5, 4096)]
    public void Dedupe_compares_every_byte_of_the_file_once_and_no_byte_past_its_end(long size, long cluster)
    {
        var ranges = BlockCloning.Ranges(size, cluster, maxChunkBytes: 1L << 30);

        var compared = ranges.Select(r => (r.Offset, Length: BlockCloning.FileBytesIn(r.Offset, r.ByteCount, size))).ToList();

        Assert.Equal(size, compared.Sum(c => c.Length));
        Assert.All(compared.Zip(ranges), pair => Assert.Equal(pair.Second.Offset, pair.First.Offset));
        Assert.All(compared.SkipLast(1).Zip(ranges), pair => Assert.Equal(pair.Second.ByteCount, pair.First.Length));
        Assert.Equal(size - ranges[^1].Offset, compared[^1].Length);
    }

    [Fact]
    public void A_range_wholly_past_the_end_compares_nothing() =>
        Assert.Equal(0, BlockCloning.FileBytesIn(8192, 4096, 4096));

    [Theory]
    [InlineData(0)]
    [InlineData(3000)]
    [InlineData(128 << 10)]
    public void A_cluster_size_that_cannot_be_is_refused(long cluster) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => BlockCloning.Ranges(4096, cluster));
}
