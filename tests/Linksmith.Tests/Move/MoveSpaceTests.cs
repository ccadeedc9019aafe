using Linksmith.Interop;

namespace Linksmith.Tests.Move;

/// <summary>
/// What a move's free-space check counts for a file, before it copies across volumes: the bytes
/// its copy will take. Pure code over a file's status and what the destination keeps of holes,
/// so the Windows rule (a sparse file counted by its allocation only on a volume with sparse
/// files; a compressed one always whole) runs on every OS.
/// </summary>
public sealed class MoveSpaceTests
{
    private const long GiB = 1L << 30;
    private const long MiB = 1L << 20;

    // A 1 GiB file holding 4 KiB of data (on NTFS: one 64 KiB allocation unit of a sparse file).
    private static readonly FileStatus Sparse = FileOf(GiB, allocated: 64 << 10) with { IsSparse = true };

    [Fact]
    public void The_flags_have_the_values_of_winnt_h()
    {
        Assert.Equal(0x00000200u, Kernel32.FILE_ATTRIBUTE_SPARSE_FILE);
        Assert.Equal(0x00000800u, Kernel32.FILE_ATTRIBUTE_COMPRESSED);
        Assert.Equal(0x00000040u, Kernel32.FILE_SUPPORTS_SPARSE_FILES);
    }

    [Fact]
    public void A_sparse_file_counts_its_allocated_bytes_on_a_volume_with_sparse_files()
    {
        Assert.Equal(64L << 10, MoveSpace.For(Sparse, HoleKeeping.SparseFiles));
        // The 1 GiB file of the issue fits where 100 MiB are free.
        Assert.True(MoveSpace.For(Sparse, HoleKeeping.SparseFiles) < 100 * MiB);
    }

    [Fact]
    public void A_sparse_file_counts_whole_on_a_volume_without_sparse_files()
    {
        // FAT and exFAT refuse FSCTL_SET_SPARSE: the copy writes every byte, the holes as zeros.
        Assert.Equal(GiB, MoveSpace.For(Sparse, HoleKeeping.None));
    }

    [Fact]
    public void A_compressed_file_counts_whole_because_its_copy_is_not_compressed()
    {
        var compressed = FileOf(GiB, allocated: 300 * MiB) with { IsCompressed = true };

        Assert.Equal(GiB, MoveSpace.For(compressed, HoleKeeping.SparseFiles));
        // Sparse too: its allocation counts compressed clusters, which the copy writes out.
        Assert.Equal(GiB, MoveSpace.For(compressed with { IsSparse = true }, HoleKeeping.SparseFiles));
    }

    [Fact]
    public void A_file_with_fewer_clusters_than_bytes_but_no_sparse_mark_counts_whole_on_windows()
    {
        // Under Wine, where no file carries the mark, every file is counted this way.
        Assert.Equal(GiB, MoveSpace.For(FileOf(GiB, allocated: 0), HoleKeeping.SparseFiles));
    }

    [Fact]
    public void On_linux_any_file_with_holes_counts_its_allocated_bytes_without_a_mark()
    {
        Assert.Equal(12L << 10, MoveSpace.For(FileOf(GiB, allocated: 12 << 10), HoleKeeping.AnyFile));
    }

    [Theory]
    [InlineData(0, 0, 0)]
    [InlineData(1, 4096, 4096)]
    [InlineData(4097, 8192, 8192)]
    [InlineData(10_000, 12_288, 12_288)]
    public void A_file_without_holes_counts_its_size_rounded_up_to_a_block(long size, long allocated, long counted)
    {
        Assert.Equal(counted, MoveSpace.For(FileOf(size, allocated), HoleKeeping.AnyFile));
        Assert.Equal(counted, MoveSpace.For(FileOf(size, allocated) with { IsSparse = true }, HoleKeeping.SparseFiles));
        Assert.Equal(counted, MoveSpace.For(FileOf(size, allocated), HoleKeeping.None));
    }

    [Fact]
    public void An_allocation_that_is_not_a_whole_block_is_rounded_up_to_one()
    {
        Assert.Equal(8192L, MoveSpace.For(FileOf(GiB, allocated: 4097) with { IsSparse = true }, HoleKeeping.SparseFiles));
    }

    private static FileStatus FileOf(long size, long allocated) =>
        new() { Kind = LinkKind.File, Size = size, AllocatedBytes = allocated, LinkCount = 1, IsComplete = true };
}
