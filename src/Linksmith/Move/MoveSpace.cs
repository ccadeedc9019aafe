namespace Linksmith;

/// <summary>Which copied files keep their holes on a destination (see <see cref="MoveSpace.For"/>).</summary>
internal enum HoleKeeping
{
    /// <summary>None: every byte is written (Windows: a volume without sparse files, such as FAT or exFAT).</summary>
    None,

    /// <summary>Files marked sparse (Windows: a volume with FILE_SUPPORTS_SPARSE_FILES, such as NTFS or ReFS).</summary>
    SparseFiles,

    /// <summary>Every file with fewer allocated bytes than bytes (Linux: its data found with SEEK_DATA / SEEK_HOLE, no mark needed).</summary>
    AnyFile,
}

/// <summary>
/// What a move's free-space check counts for each file: the bytes its copy will take. A pure
/// function of the file's status and the destination, so the Windows rule is unit-tested on
/// every platform (tests/Linksmith.Tests/Move/MoveSpaceTests.cs).
/// </summary>
internal static class MoveSpace
{
    /// <summary>The unit each file, and each folder, is counted in.</summary>
    public const long BlockSize = 4096;

    /// <summary>
    /// The bytes <paramref name="file"/> is counted as on a destination that keeps holes as
    /// <paramref name="destination"/> says, rounded up to a block: its allocated bytes when the
    /// copy keeps its holes, else its size. On Windows only a file marked sparse keeps them, and
    /// only on a volume that has sparse files; a compressed file, which has fewer clusters than
    /// bytes too, is copied uncompressed, so it counts whole even when it is also sparse (its
    /// allocation counts compressed clusters, its copy writes them out).
    /// </summary>
    public static long For(in FileStatus file, HoleKeeping destination)
    {
        var keepsHoles = destination switch
        {
            HoleKeeping.AnyFile => true,
            HoleKeeping.SparseFiles => file.IsSparse && !file.IsCompressed,
            _ => false,
        };
        return RoundUp(keepsHoles && file.AllocatedBytes < file.Size ? file.AllocatedBytes : file.Size);
    }

    private static long RoundUp(long size) => (size + BlockSize - 1) / BlockSize * BlockSize;
}
