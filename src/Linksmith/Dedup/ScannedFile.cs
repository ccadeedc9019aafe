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

    // In a stored length: the name is kept as UTF-16, not one byte per char. Names are at most
    // 255 chars (on Linux 255 bytes), so the length never reaches this bit.
    private const ushort Wide = 0x8000;

    private readonly List<byte[]> chunks = [];
    private int used = ChunkSize;

    /// <summary>
    /// Stores <paramref name="name"/> (a file name: far shorter than a chunk); returns where it
    /// starts, and in <paramref name="storedLength"/> its length with how it is kept.
    /// </summary>
    public int Add(ReadOnlySpan<char> name, out ushort storedLength)
    {
        var narrow = !name.ContainsAnyExceptInRange('\0', '\u00FF');
        var bytes = narrow ? name.Length : name.Length * 2;
        if (ChunkSize - used < bytes)
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

    /// <summary>The path of a stored name in <paramref name="directory"/> (joined as <see cref="Path.Join(string, string)"/> does).</summary>
    public string Join(string directory, int start, ushort storedLength) => Join(directory, 0, start, storedLength);

    /// <summary>
    /// The path of a stored name in the part of <paramref name="directory"/> from
    /// <paramref name="directoryStart"/> on (a directory's path below a root, without a string of its own).
    /// </summary>
    public string Join(string directory, int directoryStart, int start, ushort storedLength)
    {
        var wide = (storedLength & Wide) != 0;
        var length = storedLength & ~Wide;
        var chunk = chunks[start / ChunkSize];
        var offset = start % ChunkSize;
        var directoryLength = directory.Length - directoryStart;
        var separator = directoryLength == 0 || Path.EndsInDirectorySeparator(directory) ? 0 : 1;
        return string.Create(directoryLength + separator + length, (directory, directoryStart, chunk, offset, length, wide, separator), static (path, state) =>
        {
            var directoryLength = state.directory.Length - state.directoryStart;
            state.directory.AsSpan(state.directoryStart).CopyTo(path);
            if (state.separator == 1)
            {
                path[directoryLength] = Path.DirectorySeparatorChar;
            }

            var name = path[(directoryLength + state.separator)..];
            if (state.wide)
            {
                MemoryMarshal.Cast<byte, char>(state.chunk.AsSpan(state.offset, state.length * 2)).CopyTo(name);
            }
            else
            {
                Encoding.Latin1.GetChars(state.chunk.AsSpan(state.offset, state.length), name);
            }
        });
    }
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
