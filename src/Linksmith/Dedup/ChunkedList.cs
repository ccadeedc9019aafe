namespace Linksmith;

/// <summary>
/// A list kept in fixed-size chunks (4,096 items each), for a big run's long-lived lists: a list
/// doubling its array allocates twice the final size on the way, each old array staying on the
/// large-object heap until a full collection (on the large preset the scanned files' list was most
/// of the run's peak memory), and it is never copied.
/// </summary>
internal sealed class ChunkedList<T>
{
    private const int ChunkBits = 12;
    private const int ChunkSize = 1 << ChunkBits;

    private readonly List<T[]> chunks = [];

    public int Count { get; private set; }

    public ref T this[int index] => ref chunks[index >> ChunkBits][index & (ChunkSize - 1)];

    public void Add(in T item)
    {
        if ((Count & (ChunkSize - 1)) == 0)
        {
            chunks.Add(new T[ChunkSize]);
        }

        chunks[Count >> ChunkBits][Count & (ChunkSize - 1)] = item;
        Count++;
    }

    public void AddRange(ReadOnlySpan<T> items)
    {
        foreach (var item in items)
        {
            Add(item);
        }
    }
}
