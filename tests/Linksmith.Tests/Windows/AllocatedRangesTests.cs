using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Linksmith.Interop;

namespace Linksmith.Tests.Windows;

/// <summary>
/// The pure parts of copying a sparse file on Windows, checked on every platform: the
/// FILE_ALLOCATED_RANGE_BUFFER layout winioctl.h defines, reading the answer of
/// FSCTL_QUERY_ALLOCATED_RANGES byte by byte, asking again after ERROR_MORE_DATA, and the ranges
/// a copy writes (everything else stays a hole).
/// </summary>
public sealed class AllocatedRangesTests
{
    private const long GiB = 1L << 30;

    [Fact]
    public void The_query_and_its_answer_have_the_layout_of_winioctl_h()
    {
        Assert.Equal(0x000940CFu, Kernel32.FSCTL_QUERY_ALLOCATED_RANGES);
        Assert.Equal(0x000900C4u, Kernel32.FSCTL_SET_SPARSE);
        Assert.Equal(AllocatedRanges.RecordSize, Marshal.SizeOf<Kernel32.FILE_ALLOCATED_RANGE_BUFFER>());
        Assert.Equal(0, (int)Marshal.OffsetOf<Kernel32.FILE_ALLOCATED_RANGE_BUFFER>(nameof(Kernel32.FILE_ALLOCATED_RANGE_BUFFER.FileOffset)));
        Assert.Equal(8, (int)Marshal.OffsetOf<Kernel32.FILE_ALLOCATED_RANGE_BUFFER>(nameof(Kernel32.FILE_ALLOCATED_RANGE_BUFFER.Length)));
    }

    [Fact]
    public void The_answer_is_read_as_little_endian_offset_and_length_pairs()
    {
        byte[] answer =
        [
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // FileOffset 0
            0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, // Length 64 KiB
            0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, // FileOffset 512 MiB
            0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, // Length 64 KiB
            0x00, 0x00, 0xFF, 0x3F, 0x01, 0x00, 0x00, 0x00, // FileOffset 5 GiB - 64 KiB
            0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, // Length 64 KiB
        ];
        var found = new List<(long Offset, long Length)>();

        var count = AllocatedRanges.Read(answer, found);

        Assert.Equal(3, count);
        Assert.Equal([(0L, 65536L), (512L << 20, 65536L), ((5L * GiB) - 65536, 65536L)], found);
    }

    [Fact]
    public void Reading_appends_and_ignores_a_part_of_a_record()
    {
        var found = new List<(long Offset, long Length)> { (0, 4096) };
        var answer = new byte[AllocatedRanges.RecordSize + 8];
        BinaryPrimitives.WriteInt64LittleEndian(answer, 1 << 20);
        BinaryPrimitives.WriteInt64LittleEndian(answer.AsSpan(8), 4096);
        BinaryPrimitives.WriteInt64LittleEndian(answer.AsSpan(16), 99);

        Assert.Equal(1, AllocatedRanges.Read(answer, found));
        Assert.Equal([(0L, 4096L), (1L << 20, 4096L)], found);
        Assert.Equal(0, AllocatedRanges.Read([], found));
    }

    [Fact]
    public void After_more_data_the_next_query_starts_at_the_end_of_the_last_range()
    {
        List<(long Offset, long Length)> found = [(0, 65536), (1 << 20, 65536)];

        Assert.Equal((1L << 20) + 65536, AllocatedRanges.NextQuery(found, queriedFrom: 0, size: GiB));
        // The last range reaches the end of the file: nothing is left to ask about.
        Assert.Equal(GiB, AllocatedRanges.NextQuery([(GiB - 65536, 131072)], queriedFrom: 0, size: GiB));
    }

    [Fact]
    public void An_answer_that_does_not_get_past_the_query_stops_the_asking()
    {
        Assert.Null(AllocatedRanges.NextQuery([], queriedFrom: 0, size: GiB));
        Assert.Null(AllocatedRanges.NextQuery([(0, 65536)], queriedFrom: 65536, size: GiB));
        Assert.Null(AllocatedRanges.NextQuery([(4096, 0)], queriedFrom: 4096, size: GiB));
    }

    [Fact]
    public void The_plan_copies_the_allocated_ranges_cut_to_the_file_in_order()
    {
        // NTFS reports whole 64 KiB units: the last one runs past a file that ends inside it.
        List<(long Offset, long Length)> allocated = [(GiB / 2, 65536), (0, 65536), (GiB - 4096, 65536)];

        var plan = AllocatedRanges.Plan(allocated, GiB);

        Assert.Equal([(0L, 65536L), (GiB / 2, 65536L), (GiB - 4096, 4096L)], plan);
        Assert.False(AllocatedRanges.CoversWholeFile(plan, GiB));
    }

    [Fact]
    public void Overlapping_and_touching_ranges_are_joined_and_empty_ones_dropped()
    {
        List<(long Offset, long Length)> allocated = [(0, 4096), (4096, 4096), (6000, 10_000), (100_000, 0), (200_000, -5), (300_000, 4096)];

        var plan = AllocatedRanges.Plan(allocated, 1 << 20);

        Assert.Equal([(0L, 16_000L), (300_000L, 4096L)], plan);
    }

    [Fact]
    public void Ranges_past_the_end_or_before_the_start_are_cut_and_huge_ones_do_not_overflow()
    {
        List<(long Offset, long Length)> allocated = [(-4096, 8192), (2 << 20, 4096), (1 << 19, long.MaxValue)];

        var plan = AllocatedRanges.Plan(allocated, 1 << 20);

        Assert.Equal([(0L, 4096L), (1L << 19, 1L << 19)], plan);
    }

    [Fact]
    public void A_file_allocated_throughout_has_no_hole_to_keep()
    {
        var plan = AllocatedRanges.Plan([(0, 65536), (65536, 65536)], 100_000);

        Assert.Equal([(0L, 100_000L)], plan);
        Assert.True(AllocatedRanges.CoversWholeFile(plan, 100_000));
    }

    [Fact]
    public void A_file_that_is_all_hole_copies_nothing()
    {
        Assert.Empty(AllocatedRanges.Plan([], GiB));
        Assert.False(AllocatedRanges.CoversWholeFile([], GiB));
        Assert.Empty(AllocatedRanges.Plan([(0, 65536)], 0));
    }
}
