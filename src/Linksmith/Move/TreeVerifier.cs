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
    /// <remarks>
    /// Both trees are walked and read beneath their open roots, never through a link: a file or
    /// folder that became a link since it was copied is <see cref="TreeChangedException"/>.
    /// </remarks>
    public void Verify(string original, string copy)
    {
        var (originalParent, originalName) = DirectoryHandle.OpenParent(original);
        using (originalParent)
        {
            var (copyParent, copyName) = DirectoryHandle.OpenParent(copy);
            using (copyParent)
            {
                var root = originalParent.Stat(originalName) ?? throw new TargetNotFoundException(original);
                if (root.Kind != LinkKind.Directory)
                {
                    var other = copyParent.Stat(copyName);
                    CheckCounterpart(copyParent.FullPath(copyName), other, original, root);
                    if (root.Kind == LinkKind.File)
                    {
                        CompareFile(new FilePair(originalParent, originalName, root, copyParent, copyName, other!.Value));
                    }

                    return;
                }

                using var originalRoot = originalParent.OpenDirectory(originalName);
                using var copyRoot = copyParent.OpenDirectory(copyName);
                Verify(originalRoot, copyRoot);
            }
        }
    }

    private void Verify(DirectoryHandle original, DirectoryHandle copy)
    {
        var pairs = new List<FilePair>();
        long originalEntries = 0;
        foreach (var entry in TreeWalker.Walk(original, new WalkOptions { OnError = error => throw error }))
        {
            cancellation.ThrowIfCancellationRequested();
            originalEntries++;
            var other = copy.Stat(entry.RelativePath);
            CheckCounterpart(copy.FullPath(entry.RelativePath), other, entry.FullPath, entry.Status);
            if (entry.Kind == LinkKind.File)
            {
                pairs.Add(new FilePair(original, entry.RelativePath, entry.Status, copy, entry.RelativePath, other!.Value));
            }
        }

        // Nothing extra in the copy either: it is to become the data.
        var copyEntries = TreeWalker.Walk(copy, new WalkOptions { StatEverything = false, OnError = error => throw error }).LongCount();
        if (copyEntries != originalEntries)
        {
            throw new MoveVerificationException(copy.Path, $"{copyEntries:N0} entries where the original has {originalEntries:N0}");
        }

        // Large files first, so the two readers finish together.
        pairs.Sort(static (a, b) => b.Original.Size.CompareTo(a.Original.Size));
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Min(2, Environment.ProcessorCount), CancellationToken = cancellation };
        try
        {
            Parallel.ForEach(pairs, options, () => GC.AllocateUninitializedArray<byte>(2 * ChunkSize), (pair, _, buffer) =>
            {
                CompareFile(pair, buffer);
                return buffer;
            }, static _ => { });
        }
        catch (AggregateException error) when (error.InnerExceptions.FirstOrDefault(static e => e is LinksmithException) is { } first)
        {
            throw first;
        }
    }

    /// <summary>The copy's entry for an entry of the original: there, of the same kind, and for a file of the same size.</summary>
    private static void CheckCounterpart(string counterpart, FileStatus? other, string originalPath, in FileStatus original)
    {
        if (other is null)
        {
            throw new MoveVerificationException(counterpart, original.Kind == LinkKind.Special
                ? $"a special file (device, FIFO or socket) cannot be copied: {originalPath}"
                : $"missing; the original has a {original.Kind.Describe()} there");
        }

        if (!SameKind(original.Kind, other.Value.Kind))
        {
            throw new MoveVerificationException(counterpart, $"a {other.Value.Kind.Describe()} where the original has a {original.Kind.Describe()}");
        }

        if (original.Kind == LinkKind.File && other.Value.Size != original.Size)
        {
            throw new MoveVerificationException(counterpart, $"{other.Value.Size:N0} bytes where the original has {original.Size:N0}");
        }
    }

    private static bool SameKind(LinkKind original, LinkKind copy) =>
        original == copy || (original.IsPathLink() && copy.IsPathLink());

    private void CompareFile(in FilePair pair, byte[]? buffer = null)
    {
        buffer ??= GC.AllocateUninitializedArray<byte>(2 * ChunkSize);
        var original = pair.OriginalRoot.FullPath(pair.OriginalPath);
        var copy = pair.CopyRoot.FullPath(pair.CopyPath);
        using var a = OpenedFile.Open(pair.OriginalRoot, pair.OriginalPath, pair.Original);
        using var b = OpenedFile.Open(pair.CopyRoot, pair.CopyPath, pair.Copy);
        var status = pair.Original;
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

    /// <summary>A file of the original and its copy, each below its open root, as the walk saw them.</summary>
    private readonly record struct FilePair(DirectoryHandle OriginalRoot, string OriginalPath, FileStatus Original, DirectoryHandle CopyRoot, string CopyPath, FileStatus Copy);

    /// <summary>A file open for reading: a descriptor opened beneath its root on Linux, a handle elsewhere.</summary>
    private sealed class OpenedFile : IDisposable
    {
        private readonly string path;
        private readonly FileDescriptor? descriptor;
        private readonly SafeFileHandle? handle;

        private OpenedFile(string path, FileDescriptor? descriptor, SafeFileHandle? handle)
        {
            this.path = path;
            this.descriptor = descriptor;
            this.handle = handle;
        }

        /// <summary>
        /// Opens <paramref name="relativePath"/> below <paramref name="root"/>, never through a
        /// link, and checks it is still the regular file <paramref name="listed"/> describes.
        /// </summary>
        public static OpenedFile Open(DirectoryHandle root, string relativePath, in FileStatus listed)
        {
            var path = root.FullPath(relativePath);
            if (OperatingSystem.IsWindows() && root is WindowsDirectoryHandle windows)
            {
                var handle = windows.OpenFileForRead(relativePath, out var openedOnWindows);
                try
                {
                    Check(openedOnWindows, listed, path);
                    return new OpenedFile(path, null, handle);
                }
                catch
                {
                    handle.Dispose();
                    throw;
                }
            }

            if (root is not UnixDirectoryHandle unix)
            {
                return new OpenedFile(path, null, ((PortableDirectoryHandle)root).OpenFileForRead(relativePath));
            }

            var descriptor = unix.OpenFileForRead(relativePath);
            try
            {
                Check(UnixDirectoryHandle.StatDescriptor(descriptor.Fd, path), listed, path);
                return new OpenedFile(path, descriptor, null);
            }
            catch
            {
                descriptor.Dispose();
                throw;
            }
        }

        /// <summary>What was opened must still be the regular file the walk listed.</summary>
        private static void Check(in FileStatus opened, in FileStatus listed, string path)
        {
            if (opened.Kind != LinkKind.File)
            {
                throw new TreeChangedException(path, "is no longer a regular file");
            }

            if (listed.IsComplete && opened.Identity != listed.Identity)
            {
                throw new TreeChangedException(path, "is not the file that was listed (it was replaced)");
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
                        n = Libc.pread(descriptor!.Fd, p, (nuint)(destination.Length - total), offset + total);
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
            handle?.Dispose();
            descriptor?.Dispose();
        }
    }
}
