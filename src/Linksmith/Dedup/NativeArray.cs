using System.Runtime.InteropServices;

namespace Linksmith;

/// <summary>
/// Scratch memory outside the GC heap for a large array needed only briefly: freed on
/// <see cref="Dispose"/>, it goes back to the system at once, where a managed array of the same
/// size would leave the heap grown to hold it for the rest of the run.
/// </summary>
internal sealed unsafe class NativeArray<T> : IDisposable
    where T : unmanaged
{
    private T* items;

    public NativeArray(int length)
    {
        Length = length;
        items = (T*)NativeMemory.Alloc((nuint)Math.Max(length, 1), (nuint)sizeof(T));
    }

    public int Length { get; }

    public Span<T> Span => items is null ? throw new ObjectDisposedException(nameof(NativeArray<T>)) : new Span<T>(items, Length);

    public void Dispose()
    {
        NativeMemory.Free(items);
        items = null;
    }
}
