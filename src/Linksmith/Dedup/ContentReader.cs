using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using Linksmith.Interop;
using Microsoft.Win32.SafeHandles;

namespace Linksmith;

/// <summary>A SHA-256 digest, kept inline (no array per file) and comparable.</summary>
internal readonly record struct ContentHash(ulong A, ulong B, ulong C, ulong D)
{
    public static ContentHash FromBytes(ReadOnlySpan<byte> digest) => new(
        BinaryPrimitives.ReadUInt64BigEndian(digest),
        BinaryPrimitives.ReadUInt64BigEndian(digest[8..]),
        BinaryPrimitives.ReadUInt64BigEndian(digest[16..]),
        BinaryPrimitives.ReadUInt64BigEndian(digest[24..]));

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, A);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], B);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], C);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], D);
    }
}

/// <summary>How a read went.</summary>
internal enum ReadOutcome
{
    Done,

    /// <summary>The file is no longer the one that was listed (another file, another size or time).</summary>
    Changed,
}

/// <summary>
/// Reads one file at a time for dedupe, with one large buffer per reading thread: the sample (first
/// and last block, hashed with XxHash128 only to narrow) and the whole content (SHA-256, which decides).
/// </summary>
/// <remarks>
/// On Linux the file is opened beneath the open root it was walked from (see
/// <see cref="UnixDirectoryHandle.OpenFileForRead"/>), so no link is followed at its name or in any
/// folder on the way: a folder swapped for a link since the walk fails with
/// <see cref="TreeChangedException"/>, and nothing outside the root is read. The open descriptor is
/// then checked with statx to be the very file that was listed (same identity, size, mtime and
/// ctime); anything else is reported as <see cref="ReadOutcome.Changed"/> and the file is left alone.
/// </remarks>
internal sealed class ContentReader : IDisposable
{
    /// <summary>The size of each sampled block: one page, the unit the kernel reads anyway.</summary>
    public const int SampleBlock = 4096;

    /// <summary>
    /// Files up to this size are hashed whole straight away: reading 64 KiB costs about what
    /// opening the file costs, so sampling them first would mean two opens for nothing.
    /// </summary>
    public const long SampleThreshold = 64 * 1024;

    // 256 KiB: a large file takes four reads where 1 MiB took one, no slower measured; each of
    // the (up to 4) readers' pinned buffers costs a quarter (dedupe of the large preset: peak RSS
    // 44.5-44.9 MB instead of 46.0-46.7 MB for 204,189 files).
    private const int BufferSize = 256 * 1024;

    // What OpenAhead asks the kernel to start reading of a file to be hashed: all of a small file,
    // the start of a large one (the kernel's own sequential read-ahead takes over from there).
    private const long AheadBytes = 128 * 1024;

    private readonly byte[] buffer = GC.AllocateUninitializedArray<byte>(BufferSize, pinned: true);
    private readonly Sha256 sha256 = new();

    /// <summary>Bytes this reader has read.</summary>
    public long BytesRead { get; private set; }

    /// <summary>Files this reader has read (a sample or all of it), each once: a file sampled and then hashed by it is one file read.</summary>
    public long FilesRead { get; private set; }

    public void Dispose() => sha256.Dispose();

    /// <summary>XxHash128 of the first and last <see cref="SampleBlock"/> bytes (only for files above <see cref="SampleThreshold"/>).</summary>
    public ReadOutcome Sample(DirectoryHandle root, string relativePath, in ScannedFile expected, in FileClass fileClass, FileDescriptor? openedAhead, out UInt128 sample)
    {
        sample = default;
        using var file = Open(root, relativePath, expected, fileClass, openedAhead, out var outcome);
        if (file is null)
        {
            return outcome;
        }

        var first = buffer.AsSpan(0, SampleBlock);
        var last = buffer.AsSpan(SampleBlock, SampleBlock);
        if (file.ReadAt(first, 0) != SampleBlock || file.ReadAt(last, expected.Size - SampleBlock) != SampleBlock)
        {
            return ReadOutcome.Changed;
        }

        FilesRead++;
        BytesRead += 2 * SampleBlock;
        sample = XxHash128.HashToUInt128(buffer.AsSpan(0, 2 * SampleBlock));
        return ReadOutcome.Done;
    }

    /// <summary>
    /// SHA-256 of the whole content, read once, sequentially. <paramref name="sampledThisRun"/>: the
    /// file was sampled in this run already, so it is not counted again in <see cref="FilesRead"/>.
    /// </summary>
    public ReadOutcome Hash(DirectoryHandle root, string relativePath, in ScannedFile expected, in FileClass fileClass, FileDescriptor? openedAhead, bool sampledThisRun, out ContentHash hash)
    {
        hash = default;
        using var file = Open(root, relativePath, expected, fileClass, openedAhead, out var outcome);
        if (file is null)
        {
            return outcome;
        }

        Span<byte> digest = stackalloc byte[32];
        long total = 0;
        if (expected.Size < buffer.Length)
        {
            // The whole file fits: one read (a short read is the end of a regular file), one-shot hash.
            var read = file.ReadFully(buffer);
            total = read;
            if (total == expected.Size)
            {
                Sha256.HashData(buffer.AsSpan(0, read), digest);
            }
        }
        else
        {
            while (true)
            {
                var read = file.ReadFully(buffer);
                if (read == 0)
                {
                    break;
                }

                total += read;
                sha256.AppendData(buffer.AsSpan(0, read));
                if (read < buffer.Length || total > expected.Size)
                {
                    break;
                }
            }

            sha256.GetHashAndReset(digest);
        }

        if (!sampledThisRun)
        {
            FilesRead++;
        }

        BytesRead += total;
        if (total != expected.Size)
        {
            return ReadOutcome.Changed;
        }

        hash = ContentHash.FromBytes(digest);
        return ReadOutcome.Done;
    }

    /// <summary>
    /// Opens a file a reader will come to soon and asks the kernel to start reading what the reader
    /// will read of it (the sampled blocks, or the start of the content), without waiting; null where
    /// that is not done (not Linux) or the open failed (the reader opens it again and reports why).
    /// </summary>
    /// <remarks>
    /// On a cold page cache each reader waits for one small read at a time, and the disk sees
    /// only as many requests as there are readers: a window of files opened ahead keeps it busy
    /// (bench/REFLINK.md). The descriptor is handed to the reader, so no file is opened twice, and
    /// the reader checks it with statx as it would one it opened itself.
    /// </remarks>
    public static FileDescriptor? OpenAhead(DirectoryHandle root, string relativePath, long size, bool sampled)
    {
        if (root is not UnixDirectoryHandle unixRoot)
        {
            return null;
        }

        FileDescriptor descriptor;
        try
        {
            descriptor = unixRoot.OpenFileForRead(relativePath);
        }
        catch (LinksmithException)
        {
            return null;
        }

        // Only advice: a failure changes nothing but the speed, and the reader reads regardless.
        if (sampled)
        {
            _ = Libc.posix_fadvise(descriptor.Fd, 0, SampleBlock, Libc.POSIX_FADV_WILLNEED);
            _ = Libc.posix_fadvise(descriptor.Fd, size - SampleBlock, SampleBlock, Libc.POSIX_FADV_WILLNEED);
        }
        else
        {
            _ = Libc.posix_fadvise(descriptor.Fd, 0, Math.Min(size, AheadBytes), Libc.POSIX_FADV_WILLNEED);
        }

        return descriptor;
    }

    private static OpenFile? Open(DirectoryHandle root, string relativePath, in ScannedFile expected, in FileClass fileClass, FileDescriptor? openedAhead, out ReadOutcome outcome)
    {
        outcome = ReadOutcome.Done;
        if (root is UnixDirectoryHandle unixRoot)
        {
            FileDescriptor descriptor;
            try
            {
                descriptor = openedAhead ?? unixRoot.OpenFileForRead(relativePath);
            }
            catch (TargetNotFoundException)
            {
                // Gone since it was listed. A link at its name or in a folder on the way
                // (TreeChangedException) is not caught: it is reported as an error, as for every job.
                outcome = ReadOutcome.Changed;
                return null;
            }

            var file = new OpenFile(root, relativePath, descriptor, null);
            if (!file.IsStill(expected, fileClass))
            {
                file.Dispose();
                outcome = ReadOutcome.Changed;
                return null;
            }

            return file;
        }

        if (OperatingSystem.IsWindows() && root is WindowsDirectoryHandle windowsRoot)
        {
            // Below its parent's HANDLE with FILE_OPEN_REPARSE_POINT, as on Linux: a folder on the
            // way swapped for a link or junction is refused, never read through.
            SafeFileHandle opened;
            FileStatus status;
            try
            {
                opened = windowsRoot.OpenFileForRead(relativePath, out status);
            }
            catch (TargetNotFoundException)
            {
                outcome = ReadOutcome.Changed;
                return null;
            }

            if (status.Kind != LinkKind.File || !expected.Matches(status, fileClass))
            {
                opened.Dispose();
                outcome = ReadOutcome.Changed;
                return null;
            }

            return new OpenFile(root, relativePath, null, opened);
        }

        // Elsewhere (neither Linux nor Windows) by path, as the portable layer does everything.
        var path = root.FullPath(relativePath);
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.SequentialScan);
        }
        catch (FileNotFoundException)
        {
            outcome = ReadOutcome.Changed;
            return null;
        }
        catch (UnauthorizedAccessException error)
        {
            throw SystemErrors.Translate(error, path);
        }
        catch (IOException error) when (error is not LinksmithException)
        {
            throw SystemErrors.Translate(error, path);
        }

        if (RandomAccess.GetLength(handle) != expected.Size)
        {
            handle.Dispose();
            outcome = ReadOutcome.Changed;
            return null;
        }

        return new OpenFile(root, relativePath, null, handle);
    }

    /// <summary>An open file: a descriptor on Linux, a SafeFileHandle elsewhere; named by its root and the path below it (made whole only for a message).</summary>
    private sealed class OpenFile(DirectoryHandle root, string relativePath, FileDescriptor? descriptor, SafeFileHandle? handle) : IDisposable
    {
        private long position;

        public unsafe bool IsStill(in ScannedFile expected, in FileClass fileClass)
        {
            Libc.Statx stx;
            byte emptyPath = 0;
            if (Libc.statx(descriptor!.Fd, &emptyPath, Libc.AT_EMPTY_PATH, Libc.STATX_BASIC_STATS, &stx) != 0)
            {
                return false;
            }

            var status = FileStatus.FromStatx(stx);
            return status.Kind == LinkKind.File && expected.Matches(status, fileClass);
        }

        /// <summary>
        /// Reads the next bytes into the span; returns how many. A read shorter than asked is the end
        /// of the file (regular files return short reads only there), which spares a second call
        /// per small file.
        /// </summary>
        public int ReadFully(Span<byte> destination)
        {
            var read = ReadAt(destination, position);
            position += read;
            return read;
        }

        public unsafe int ReadAt(Span<byte> destination, long offset)
        {
            if (handle is not null)
            {
                return RandomAccess.Read(handle, destination, offset);
            }

            fixed (byte* p = destination)
            {
                while (true)
                {
                    var read = Libc.pread(descriptor!.Fd, p, (nuint)destination.Length, offset);
                    if (read >= 0)
                    {
                        return (int)read;
                    }

                    var errno = Marshal.GetLastPInvokeError();
                    if (errno != Libc.EINTR)
                    {
                        throw UnixErrors.ToException(errno, root.FullPath(relativePath));
                    }
                }
            }
        }

        public void Dispose()
        {
            handle?.Dispose();
            descriptor?.Dispose();
        }
    }
}
