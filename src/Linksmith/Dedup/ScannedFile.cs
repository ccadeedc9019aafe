namespace Linksmith;

/// <summary>
/// One name of a regular file as the walk saw it: what dedupe needs and no more, since it holds
/// one of these per file of the tree (the directory is an index into a shared list, the name a
/// place in a <see cref="NameStore"/>).
/// </summary>
internal struct ScannedFile
{
    // 72 bytes: times as nanoseconds since 1970 and 16-bit mode and name length (the record
    // is held for every file, so each field counts).
    public long Size;
    public ulong Volume;
    public ulong IdLow;
    public ulong IdHigh;
    public long ModifiedTicks;
    public long ChangedTicks;
    public uint Uid;
    public uint Gid;
    public uint LinkCount;
    public int Directory;
    public int NameStart;
    public ushort NameLength;
    public ushort Mode;

    public static ScannedFile From(in FileStatus status, int directory, int nameStart, int nameLength) => new()
    {
        Size = status.Size,
        Volume = status.Identity.Volume,
        IdLow = (ulong)status.Identity.FileId,
        IdHigh = (ulong)(status.Identity.FileId >> 64),
        ModifiedTicks = Ticks(status.ModifiedTime),
        ChangedTicks = Ticks(status.ChangeTime),
        // Permission bits (07777) on Unix, 0 or 1 on Windows; a name is at most 255 units.
        Mode = (ushort)status.Mode,
        Uid = status.Uid,
        Gid = status.Gid,
        LinkCount = (uint)Math.Min(status.LinkCount, uint.MaxValue),
        Directory = directory,
        NameStart = nameStart,
        NameLength = checked((ushort)nameLength),
    };

    /// <summary>A time as nanoseconds since 1970 (the hash cache's key uses the same).</summary>
    public static long Ticks(FileTime time) => (time.Seconds * 1_000_000_000) + time.Nanoseconds;

    public readonly bool SameFile(in ScannedFile other) =>
        Volume == other.Volume && IdLow == other.IdLow && IdHigh == other.IdHigh;

    /// <summary>Whether <paramref name="status"/> is still this file with the content it had: same identity, size, mtime and ctime.</summary>
    public readonly bool Matches(in FileStatus status) =>
        status.Identity.Volume == Volume
        && (ulong)status.Identity.FileId == IdLow
        && (ulong)(status.Identity.FileId >> 64) == IdHigh
        && status.Size == Size
        && Ticks(status.ModifiedTime) == ModifiedTicks
        && Ticks(status.ChangeTime) == ChangedTicks;
}

/// <summary>
/// File names kept back to back in large char arrays instead of a string each: a string costs
/// about 30 bytes of header and padding besides its chars, as much as a typical name itself.
/// </summary>
internal sealed class NameStore
{
    // Fixed-size chunks, so growing never copies what is stored (a doubling array would hold
    // the old and the new copy at once at the peak); a name never spans two chunks.
    private const int ChunkSize = 1 << 16;

    private readonly List<char[]> chunks = [];
    private int used = ChunkSize;

    /// <summary>Stores <paramref name="name"/> (a file name: far shorter than a chunk) and returns where it starts.</summary>
    public int Add(ReadOnlySpan<char> name)
    {
        if (ChunkSize - used < name.Length)
        {
            chunks.Add(new char[ChunkSize]);
            used = 0;
        }

        name.CopyTo(chunks[^1].AsSpan(used));
        var start = ((chunks.Count - 1) * ChunkSize) + used;
        used += name.Length;
        return start;
    }

    public ReadOnlySpan<char> Get(int start, int length) => chunks[start / ChunkSize].AsSpan(start % ChunkSize, length);
}

/// <summary>
/// The scanned files, in fixed-size chunks: a list doubling its array would allocate 2× the
/// final size on the way (every old array stays on the large-object heap until a full GC), and
/// on the large preset that was most of the run's peak memory.
/// </summary>
internal sealed class ScannedFiles
{
    private const int ChunkBits = 12;
    private const int ChunkSize = 1 << ChunkBits;

    private readonly List<ScannedFile[]> chunks = [];

    public int Count { get; private set; }

    public ref ScannedFile this[int index] => ref chunks[index >> ChunkBits][index & (ChunkSize - 1)];

    public void Add(in ScannedFile file)
    {
        if ((Count & (ChunkSize - 1)) == 0)
        {
            chunks.Add(new ScannedFile[ChunkSize]);
        }

        chunks[^1][Count & (ChunkSize - 1)] = file;
        Count++;
    }
}
