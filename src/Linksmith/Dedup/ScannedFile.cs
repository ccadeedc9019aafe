using System.Runtime.InteropServices;
using System.Text;

namespace Linksmith;

/// <summary>
/// One name of a regular file as the walk saw it: what dedupe needs and no more, since it holds
/// one of these per file of the tree. What many files share (volume, the high half of the file
/// id, owner, group, mode) is a <see cref="FileClass"/> kept once; the directory is an index into
/// a shared list, the name a place in a <see cref="NameStore"/>.
/// </summary>
internal struct ScannedFile
{
    // 48 bytes, held for every file of the tree, so each field counts.
    public long Size;
    public ulong IdLow;
    public long ModifiedTicks;
    public long ChangedTicks;
    public int Class;
    public int Directory;
    public int NameStart;

    /// <summary>The file's names, at most <see cref="ushort.MaxValue"/> (a file with as many is never merged: its names cannot all be counted).</summary>
    public ushort LinkCount;
    public ushort NameLength;

    /// <param name="status">What the walk read.</param>
    /// <param name="fileClass">The index of its <see cref="FileClass"/>.</param>
    /// <param name="directory">The index of the file's directory.</param>
    /// <param name="nameStart">Where its name is in the <see cref="NameStore"/>.</param>
    /// <param name="storedNameLength">The name's length as the <see cref="NameStore"/> gave it.</param>
    public static ScannedFile From(in FileStatus status, int fileClass, int directory, int nameStart, ushort storedNameLength) => new()
    {
        Size = status.Size,
        IdLow = (ulong)status.Identity.FileId,
        ModifiedTicks = Ticks(status.ModifiedTime),
        ChangedTicks = Ticks(status.ChangeTime),
        Class = fileClass,
        LinkCount = CountOf(status.LinkCount),
        Directory = directory,
        NameStart = nameStart,
        NameLength = storedNameLength,
    };

    /// <summary>A time as nanoseconds since 1970 (the hash cache's key uses the same).</summary>
    public static long Ticks(FileTime time) => (time.Seconds * 1_000_000_000) + time.Nanoseconds;

    /// <summary>A link count as kept here (capped).</summary>
    public static ushort CountOf(long linkCount) => (ushort)Math.Min(linkCount, ushort.MaxValue);

    /// <summary>Whether <paramref name="status"/> is still this file with the content it had: same identity, size, mtime and ctime.</summary>
    public readonly bool Matches(in FileStatus status, in FileClass fileClass) =>
        status.Identity.Volume == fileClass.Volume
        && (ulong)status.Identity.FileId == IdLow
        && (ulong)(status.Identity.FileId >> 64) == fileClass.IdHigh
        && status.Size == Size
        && Ticks(status.ModifiedTime) == ModifiedTicks
        && Ticks(status.ChangeTime) == ChangedTicks;
}

/// <summary>What many files share: volume, the high half of the file id (zero on Linux and NTFS), owner, group and permission bits (Windows: 1 when read-only).</summary>
internal readonly record struct FileClass(ulong Volume, ulong IdHigh, uint Uid, uint Gid, ushort Mode)
{
    public static FileClass Of(in FileStatus status) =>
        new(status.Identity.Volume, (ulong)(status.Identity.FileId >> 64), status.Uid, status.Gid, (ushort)status.Mode);
}

/// <summary>The distinct <see cref="FileClass"/>es of a run, each kept once and known by its index: added to while scanning, read-only after.</summary>
internal sealed class FileClasses
{
    private readonly Dictionary<FileClass, int> indexes = [];
    private readonly List<FileClass> classes = [];

    public int Count => classes.Count;

    public ref readonly FileClass this[int index] => ref CollectionsMarshal.AsSpan(classes)[index];

    public int IndexOf(in FileClass fileClass)
    {
        ref var index = ref CollectionsMarshal.GetValueRefOrAddDefault(indexes, fileClass, out var known);
        if (!known)
        {
            index = classes.Count;
            classes.Add(fileClass);
        }

        return index;
    }
}

/// <summary>
/// File names kept back to back in large byte arrays instead of a string each: a string costs
/// about 30 bytes of header and padding besides its chars, as much as a typical name itself. A
/// name whose every char is below U+0100 (most names) takes one byte per char, any other two.
/// </summary>
internal sealed class NameStore
{
    // Fixed-size chunks, so growing never copies what is stored (a doubling array would hold
    // the old and the new copy at once at the peak); a name never spans two chunks.
    private const int ChunkSize = 1 << 16;

    /// <summary>The longest text stored (in chars): a stored length keeps it in 15 bits.</summary>
    public const int MaxLength = 0x7FFF;

    // In a stored length: the text is kept as UTF-16, not one byte per char.
    private const ushort Wide = 0x8000;

    private readonly List<byte[]> chunks = [];
    private int used = ChunkSize;

    /// <summary>
    /// Stores <paramref name="name"/> (a file name, or a path of at most <see cref="MaxLength"/>
    /// chars, which as UTF-16 still fits a chunk); returns where it starts, and in
    /// <paramref name="storedLength"/> its length with how it is kept.
    /// </summary>
    public int Add(ReadOnlySpan<char> name, out ushort storedLength)
    {
        var narrow = !name.ContainsAnyExceptInRange('\0', '\u00FF');
        var bytes = narrow ? name.Length : name.Length * 2;
        if (ChunkSize - used < bytes || chunks.Count == 0)
        {
            chunks.Add(new byte[ChunkSize]);
            used = 0;
        }

        var destination = chunks[^1].AsSpan(used, bytes);
        if (narrow)
        {
            // Exact: Latin-1 is the first 256 code points, one byte each.
            Encoding.Latin1.GetBytes(name, destination);
        }
        else
        {
            MemoryMarshal.AsBytes(name).CopyTo(destination);
        }

        var start = ((chunks.Count - 1) * ChunkSize) + used;
        used += bytes;
        storedLength = checked((ushort)(name.Length | (narrow ? 0 : Wide)));
        return start;
    }

    /// <summary>The number of chars a stored length stands for.</summary>
    public static int LengthOf(ushort storedLength) => storedLength & ~Wide;

    /// <summary>Writes the stored name at <paramref name="start"/> into the start of <paramref name="destination"/>.</summary>
    public void CopyTo(int start, ushort storedLength, Span<char> destination)
    {
        var length = LengthOf(storedLength);
        var chunk = chunks[start / ChunkSize];
        var offset = start % ChunkSize;
        if ((storedLength & Wide) != 0)
        {
            MemoryMarshal.Cast<byte, char>(chunk.AsSpan(offset, length * 2)).CopyTo(destination);
        }
        else
        {
            Encoding.Latin1.GetChars(chunk.AsSpan(offset, length), destination);
        }
    }
}
