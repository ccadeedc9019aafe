namespace Linksmith;

/// <summary>
/// The entries of one directory as an <see cref="IDirectoryReader"/> read them for
/// <see cref="TreeWalker"/>, in buffers reused from one directory to the next: a name is a span of a shared char array and a status a struct, so a
/// directory of any size costs no object per entry. Valid until the walk moves on.
/// </summary>
internal sealed class DirectoryListing : IComparer<DirectoryListing.Item>
{
    private char[] names = new char[4096];
    private int namesUsed;

    // Sorting moves only the small items; a status stays where it was read.
    private Item[] items = new Item[64];
    private FileStatus[] statuses = new FileStatus[64];
    private bool[] skipped = new bool[64];
    private string prefix = string.Empty;

    /// <summary>The full path of the directory listed (for the root's listing: the root itself).</summary>
    public string Path { get; private set; } = string.Empty;

    /// <summary>The depth of the entries: 0 for the root's listing (its one entry is the root), 1 for the root's entries, and so on.</summary>
    public int Depth { get; private set; }

    /// <summary>Where a relative path starts in the full path of an entry.</summary>
    internal int RelativeStart { get; private set; }

    public int Count { get; private set; }

    /// <summary>The name of entry <paramref name="index"/> (for the root's listing, empty).</summary>
    public ReadOnlySpan<char> Name(int index) => names.AsSpan(items[index].NameStart, items[index].NameLength);

    public ref readonly FileStatus Status(int index) => ref statuses[items[index].StatusIndex];

    /// <summary>The full path of entry <paramref name="index"/>, made on each call.</summary>
    public string FullPath(int index) => Depth == 0 ? Path : string.Concat(prefix, Name(index));

    /// <summary>The path relative to the root, made on each call; empty for the root.</summary>
    public string RelativePath(int index) => Depth == 0 ? string.Empty : string.Concat(prefix.AsSpan(RelativeStart), Name(index));

    /// <summary>Do not go into directory entry <paramref name="index"/> (ask before the walk moves on).</summary>
    public void Skip(int index) => skipped[items[index].StatusIndex] = true;

    internal bool IsSkipped(int index) => skipped[items[index].StatusIndex];

    internal void Reset(string path, int depth, int relativeStart)
    {
        Path = path;
        Depth = depth;
        RelativeStart = relativeStart;
        prefix = depth == 0 || path.EndsWith(System.IO.Path.DirectorySeparatorChar) ? path : path + System.IO.Path.DirectorySeparatorChar;
        Count = 0;
        namesUsed = 0;
    }

    internal void Add(ReadOnlySpan<byte> nativeName, in FileStatus status)
    {
        var start = Reserve(nativeName.Length);
        AddItem(start, NativePath.FromBytes(nativeName, names.AsSpan(start)), status);
    }

    internal void Add(ReadOnlySpan<char> name, in FileStatus status)
    {
        var start = Reserve(name.Length);
        name.CopyTo(names.AsSpan(start));
        AddItem(start, name.Length, status);
    }

    /// <summary>Ordinal order of names: what sorting full paths that share the directory gives.</summary>
    internal void Sort() => items.AsSpan(0, Count).Sort(this);

    int IComparer<Item>.Compare(Item x, Item y) =>
        names.AsSpan(x.NameStart, x.NameLength).SequenceCompareTo(names.AsSpan(y.NameStart, y.NameLength));

    private int Reserve(int length)
    {
        if (names.Length - namesUsed < length)
        {
            Array.Resize(ref names, Math.Max(names.Length * 2, namesUsed + length));
        }

        return namesUsed;
    }

    private void AddItem(int start, int length, in FileStatus status)
    {
        if (Count == items.Length)
        {
            Array.Resize(ref items, items.Length * 2);
            Array.Resize(ref statuses, items.Length);
            Array.Resize(ref skipped, items.Length);
        }

        statuses[Count] = status;
        skipped[Count] = false;
        items[Count] = new Item(start, length, Count);
        Count++;
        namesUsed = start + length;
    }

    /// <summary>A name and the index of its status.</summary>
    internal readonly record struct Item(int NameStart, int NameLength, int StatusIndex);
}
