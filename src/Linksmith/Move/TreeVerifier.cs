using System.Diagnostics;
using System.Runtime.InteropServices;
using Linksmith.Interop;
using Microsoft.Win32.SafeHandles;

namespace Linksmith;

/// <summary>
/// Compares a copy with its original before the original may go: the same entries of the same
/// kinds, and every file with the same size and the same bytes. Links are only checked to be
/// links: the copy re-points inner ones, so their text may rightly differ.
/// </summary>
/// <remarks>
/// Bytes are compared directly rather than through a hash: both files have to be read either way,
/// and a comparison cannot collide. Two threads read, since a copy's data is mostly in the page
/// cache and the comparison is then bound by the CPU.
/// </remarks>
internal sealed class TreeVerifier
{
    private const int ChunkSize = 1 << 20;
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(200);

    private readonly Action<long, long>? onProgress;
    private readonly CancellationToken cancellation;
    private readonly Stopwatch progressClock = Stopwatch.StartNew();
    private readonly Lock progressLock = new();
    private long files;
    private long bytes;

    public TreeVerifier(Action<long, long>? onProgress, CancellationToken cancellation)
    {
        this.onProgress = onProgress;
        this.cancellation = cancellation;
    }

    public long Files => files;

    public long Bytes => bytes;

    /// <summary>Throws <see cref="MoveVerificationException"/> at the first difference.</summary>
    public void Verify(string original, string copy)
    {
        var root = TreeWalker.StatPath(original, followLinks: false) ?? throw new TargetNotFoundException(original);
        if (root.Kind == LinkKind.File)
        {
            CompareFile(original, copy, root);
            return;
        }

        var pairs = new List<(string Original, string Copy, FileStatus Status)>();
        long originalEntries = 0;
        foreach (var entry in TreeWalker.Walk(original, new WalkOptions { OnError = error => throw error }))
        {
            cancellation.ThrowIfCancellationRequested();
            originalEntries++;
            var counterpart = entry.Depth == 0 ? copy : Path.Join(copy, entry.RelativePath);
            var other = TreeWalker.StatPath(counterpart, followLinks: false);
            if (other is null)
            {
                throw new MoveVerificationException(counterpart, entry.Kind == LinkKind.Special
                    ? $"a special file (device, FIFO or socket) cannot be copied: {entry.FullPath}"
                    : $"missing; the original has a {entry.Kind.Describe()} there");
            }

            if (!SameKind(entry.Kind, other.Value.Kind))
            {
                throw new MoveVerificationException(counterpart, $"a {other.Value.Kind.Describe()} where the original has a {entry.Kind.Describe()}");
            }

            if (entry.Kind == LinkKind.File)
            {
                if (other.Value.Size != entry.Status.Size)
                {
                    throw new MoveVerificationException(counterpart, $"{other.Value.Size:N0} bytes where the original has {entry.Status.Size:N0}");
                }

                pairs.Add((entry.FullPath, counterpart, entry.Status));
            }
        }

        // Nothing extra in the copy either: it is to become the data.
        var copyEntries = TreeWalker.Walk(copy, new WalkOptions { StatEverything = false, OnError = error => throw error }).LongCount();
        if (copyEntries != originalEntries)
        {
            throw new MoveVerificationException(copy, $"{copyEntries:N0} entries where the original has {originalEntries:N0}");
        }

        // Large files first, so the two readers finish together.
        pairs.Sort(static (a, b) => b.Status.Size.CompareTo(a.Status.Size));
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Min(2, Environment.ProcessorCount), CancellationToken = cancellation };
        try
        {
            Parallel.ForEach(pairs, options, () => GC.AllocateUninitializedArray<byte>(2 * ChunkSize), (pair, _, buffer) =>
            {
                CompareFile(pair.Original, pair.Copy, pair.Status, buffer);
                return buffer;
            }, static _ => { });
        }
        catch (AggregateException error) when (error.InnerExceptions.FirstOrDefault(static e => e is LinksmithException) is { } first)
        {
            throw first;
        }
    }

    private static bool SameKind(LinkKind original, LinkKind copy) =>
        original == copy || (original.IsPathLink() && copy.IsPathLink());

    private void CompareFile(string original, string copy, in FileStatus status, byte[]? buffer = null)
    {
        buffer ??= GC.AllocateUninitializedArray<byte>(2 * ChunkSize);
        using var a = OpenedFile.Open(original);
        using var b = OpenedFile.Open(copy);
        var left = buffer.AsSpan(0, ChunkSize);
        var right = buffer.AsSpan(ChunkSize, ChunkSize);
        long offset = 0;
        while (true)
        {
            var readA = a.ReadAt(left, offset);
            var readB = b.ReadAt(right, offset);
            if (readA != readB || !left[..readA].SequenceEqual(right[..readB]))
            {
                throw new MoveVerificationException(copy, readA != readB ? "a different size" : $"different contents at byte {offset:N0}");
            }

            offset += readA;
            if (readA < ChunkSize)
            {
                break;
            }

            cancellation.ThrowIfCancellationRequested();
        }

        if (offset != status.Size)
        {
            throw new MoveVerificationException(original, "the original changed while it was being moved");
        }

        Interlocked.Increment(ref files);
        Interlocked.Add(ref bytes, offset);
        if (onProgress is not null && progressClock.Elapsed >= ProgressInterval)
        {
            lock (progressLock)
            {
                if (progressClock.Elapsed >= ProgressInterval)
                {
                    progressClock.Restart();
                    onProgress(files, bytes);
                }
            }
        }
    }

    /// <summary>A file open for reading: a descriptor from the byte name on Linux, a handle elsewhere.</summary>
    private sealed class OpenedFile : IDisposable
    {
        private readonly string path;
        private readonly int fd = -1;
        private readonly SafeFileHandle? handle;

        private OpenedFile(string path, int fd, SafeFileHandle? handle)
        {
            this.path = path;
            this.fd = fd;
            this.handle = handle;
        }

        public static unsafe OpenedFile Open(string path)
        {
            if (OperatingSystem.IsLinux())
            {
                var native = NativePath.ToNullTerminatedBytes(path);
                int fd;
                fixed (byte* p = native)
                {
                    // O_NOFOLLOW: a name swapped for a link since the walk is not followed.
                    fd = Libc.open(p, Libc.O_RDONLY | Libc.O_CLOEXEC | Libc.O_NOFOLLOW | Libc.O_NOCTTY | Libc.O_NONBLOCK, 0);
                }

                return fd >= 0 ? new OpenedFile(path, fd, null) : throw UnixErrors.ToException(Marshal.GetLastPInvokeError(), path);
            }

            try
            {
                return new OpenedFile(path, -1, File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.SequentialScan));
            }
            catch (UnauthorizedAccessException error)
            {
                throw SystemErrors.Translate(error, path);
            }
            catch (IOException error) when (error is not LinksmithException)
            {
                throw SystemErrors.Translate(error, path);
            }
        }

        /// <summary>Reads until the span is full or the file ends.</summary>
        public unsafe int ReadAt(Span<byte> destination, long offset)
        {
            var total = 0;
            while (total < destination.Length)
            {
                int read;
                if (handle is not null)
                {
                    read = RandomAccess.Read(handle, destination[total..], offset + total);
                }
                else
                {
                    nint n;
                    fixed (byte* p = destination[total..])
                    {
                        n = Libc.pread(fd, p, (nuint)(destination.Length - total), offset + total);
                    }

                    if (n < 0)
                    {
                        var errno = Marshal.GetLastPInvokeError();
                        if (errno == Libc.EINTR)
                        {
                            continue;
                        }

                        throw UnixErrors.ToException(errno, path);
                    }

                    read = (int)n;
                }

                var asked = destination.Length - total;
                total += read;
                // A regular file reads short only at its end: spare the call that would return 0.
                if (read < asked)
                {
                    break;
                }
            }

            return total;
        }

        public void Dispose()
        {
            if (handle is not null)
            {
                handle.Dispose();
            }
            else if (fd >= 0)
            {
                _ = Libc.close(fd);
            }
        }
    }
}
