using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Unicode;
using Microsoft.Win32.SafeHandles;

namespace Linksmith;

/// <summary>One file of a snapshot as its manifest records it.</summary>
/// <param name="RelativePath">Its path below the snapshot (the platform's separators).</param>
/// <param name="Size">Its size in bytes.</param>
/// <param name="ModifiedTime">Its modification time.</param>
/// <param name="Hash">The SHA-256 of its contents.</param>
internal readonly record struct ManifestEntry(string RelativePath, long Size, FileTime ModifiedTime, ContentHash Hash);

/// <summary>
/// The manifest of a snapshot: every file's path, size, modification time and SHA-256, kept in
/// REPO beside the snapshot as <c>NAME.linksmith-snapshot</c>, so it is never one of the user's
/// files (a restore, a diff, a listing, a later backup of the snapshot never see it).
/// </summary>
/// <remarks>
/// The format is text, one line a file, readable as a stream:
/// <code>
/// linksmith-snapshot-manifest	1
/// PATH	SIZE	SECONDS.NANOSECONDS	SHA256-HEX
/// </code>
/// Fields are separated by a tab; PATH uses <c>/</c> between folders and escapes <c>\\</c>,
/// tab (<c>\t</c>), newline (<c>\n</c>), carriage return (<c>\r</c>), other control characters
/// and bytes of a Linux name that are not UTF-8 (<c>\xHH</c>), so any name fits on one line.
/// Lines come in the order the files were placed, not sorted. It is written under
/// <c>.partial-NAME.linksmith-snapshot</c> while the backup runs, made durable, and renamed to
/// its name just before the snapshot itself is, so a complete snapshot has a complete manifest.
/// </remarks>
internal static class SnapshotManifest
{
    /// <summary>What the name of a snapshot's manifest adds to the snapshot's name.</summary>
    public const string Suffix = ".linksmith-snapshot";

    private static ReadOnlySpan<byte> HeaderBytes => "linksmith-snapshot-manifest\t1"u8;

    /// <summary>The manifest's first line, with its line break.</summary>
    internal static ReadOnlySpan<byte> HeaderLine => "linksmith-snapshot-manifest\t1\n"u8;

    /// <summary>The manifest's name for the snapshot <paramref name="snapshotName"/>.</summary>
    public static string NameFor(string snapshotName) => snapshotName + Suffix;

    /// <summary>
    /// Manifests with no snapshot of theirs: a backup killed between renaming its manifest and its
    /// snapshot, a prune killed halfway, and <c>.partial-</c> ones of interrupted backups.
    /// </summary>
    public static List<string> Orphans(DirectoryHandle repository)
    {
        var names = repository.ListNames(string.Empty);
        var present = names.ToHashSet(StringComparer.Ordinal);
        return names
            .Where(name => name.EndsWith(Suffix, StringComparison.Ordinal))
            .Where(name =>
            {
                var snapshot = name[..^Suffix.Length];
                return snapshot.StartsWith(Snapshots.PartialPrefix, StringComparison.Ordinal)
                    ? Snapshots.IsSnapshotName(snapshot[Snapshots.PartialPrefix.Length..])
                    : Snapshots.IsSnapshotName(snapshot) && !present.Contains(snapshot);
            })
            .ToList();
    }

    /// <summary>Removes the manifest of <paramref name="snapshotName"/> from the repository, if there is one.</summary>
    public static void Remove(DirectoryHandle repository, string snapshotName)
    {
        var name = NameFor(snapshotName);
        if (repository.Stat(name) is { Kind: LinkKind.File })
        {
            repository.Remove(name, LinkKind.File);
        }
    }

    /// <summary>Whether the snapshot <paramref name="snapshotName"/> has a manifest in <paramref name="repository"/>.</summary>
    public static bool Exists(DirectoryHandle repository, string snapshotName) =>
        repository.Stat(NameFor(snapshotName)) is { Kind: LinkKind.File };

    /// <summary>The entries of the manifest of <paramref name="snapshotName"/>, read as they come; null when it has none.</summary>
    /// <exception cref="ManifestFormatException">A line that is not a manifest line.</exception>
    public static IEnumerable<ManifestEntry>? Read(DirectoryHandle repository, string snapshotName)
    {
        var name = NameFor(snapshotName);
        return Exists(repository, snapshotName) ? ReadFile(repository, name) : null;
    }

    private static IEnumerable<ManifestEntry> ReadFile(DirectoryHandle repository, string name)
    {
        var path = repository.FullPath(name);
        using var handle = repository.OpenForReading(name);
        var lines = new LineReader(handle);
        if (!lines.Next() || !lines.Current.SequenceEqual(HeaderBytes))
        {
            throw new ManifestFormatException(path, 1, "does not start with the manifest header (a newer version of linksmith, or not a manifest)");
        }

        var number = 1;
        while (lines.Next())
        {
            number++;
            yield return Parse(lines.Current) ?? throw new ManifestFormatException(path, number, "is not PATH, SIZE, TIME and SHA-256 separated by tabs");
        }
    }

    /// <summary>
    /// The lines of a file as UTF-8 bytes, read in large blocks: a manifest of a large tree has a
    /// line for each of its files, and decoding each into a string before splitting it was a tenth
    /// of an incremental backup (perf, large preset).
    /// </summary>
    private sealed class LineReader(SafeFileHandle handle)
    {
        private byte[] buffer = new byte[1 << 16];
        private int start;
        private int end;
        private long offset;
        private int lineStart;
        private int lineLength = -1;

        /// <summary>The line <see cref="Next"/> found, without its line break.</summary>
        public ReadOnlySpan<byte> Current => buffer.AsSpan(lineStart, lineLength);

        /// <summary>Moves to the next line; false at the end of the file.</summary>
        public bool Next()
        {
            while (true)
            {
                var newline = buffer.AsSpan(start, end - start).IndexOf((byte)'\n');
                if (newline >= 0)
                {
                    Take(newline, newline + 1);
                    return true;
                }

                if (start > 0)
                {
                    Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                    end -= start;
                    start = 0;
                }

                if (end == buffer.Length)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }

                var read = RandomAccess.Read(handle, buffer.AsSpan(end), offset);
                if (read == 0)
                {
                    if (end == start)
                    {
                        return false;
                    }

                    // A last line without a line break.
                    Take(end - start, end - start);
                    return true;
                }

                offset += read;
                end += read;
            }
        }

        private void Take(int length, int consumed)
        {
            lineStart = start;
            lineLength = length > 0 && buffer[start + length - 1] == (byte)'\r' ? length - 1 : length;
            start += consumed;
        }
    }

    private static ManifestEntry? Parse(ReadOnlySpan<byte> line)
    {
        // PATH, SIZE, TIME and HASH: three tabs, no fourth.
        var pathField = NextField(ref line);
        var sizeField = NextField(ref line);
        var timeField = NextField(ref line);
        if (line.Length != 64 || line.Contains((byte)'\t')
            || !long.TryParse(sizeField, NumberStyles.None, CultureInfo.InvariantCulture, out var size)
            || ParseTime(timeField) is not { } time
            || ParsePath(pathField) is not { Length: > 0 } path)
        {
            return null;
        }

        Span<byte> digest = stackalloc byte[32];
        return Convert.FromHexString(line, digest, out _, out var written) == System.Buffers.OperationStatus.Done && written == 32
            ? new ManifestEntry(path, size, time, ContentHash.FromBytes(digest))
            : null;
    }

    /// <summary>The text before the next tab, <paramref name="rest"/> moved past it; empty (and <paramref name="rest"/> too) when there is no tab.</summary>
    private static ReadOnlySpan<byte> NextField(ref ReadOnlySpan<byte> rest)
    {
        var tab = rest.IndexOf((byte)'\t');
        if (tab < 0)
        {
            rest = default;
            return default;
        }

        var field = rest[..tab];
        rest = rest[(tab + 1)..];
        return field;
    }

    /// <summary>The relative path a manifest line's first field stands for: decoded as it is when nothing in it is escaped.</summary>
    private static string? ParsePath(ReadOnlySpan<byte> field)
    {
        var text = Encoding.UTF8.GetString(field);
        return field.Contains((byte)'\\') ? Unescape(text)
            : Path.DirectorySeparatorChar == '/' ? text
            : text.Replace('/', Path.DirectorySeparatorChar);
    }

    private static FileTime? ParseTime(ReadOnlySpan<byte> text)
    {
        var dot = text.IndexOf((byte)'.');
        return dot > 0
            && long.TryParse(text[..dot], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds)
            && uint.TryParse(text[(dot + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var nanoseconds)
            && nanoseconds < 1_000_000_000
            ? new FileTime(seconds, nanoseconds)
            : null;
    }

    /// <summary>
    /// Writes the manifest's line for <paramref name="entry"/>, with its line break, as UTF-8 into
    /// <paramref name="destination"/>; false when it does not fit.
    /// </summary>
    public static bool TryFormat(in ManifestEntry entry, Span<byte> destination, out int written)
    {
        written = 0;
        var raw = entry.RelativePath.AsSpan();
        var path = raw.ContainsAny(NeedEscape) || raw.ContainsAnyInRange('\uD800', '\uDFFF') ? Escape(entry.RelativePath) : entry.RelativePath;
        Span<byte> digest = stackalloc byte[32];
        entry.Hash.WriteTo(digest);
        var time = entry.ModifiedTime;
        if (!Encoding.UTF8.TryGetBytes(path, destination, out var length)
            || !Utf8.TryWrite(destination[length..], CultureInfo.InvariantCulture, $"\t{entry.Size}\t{time.Seconds}.{time.Nanoseconds:D9}\t", out var middle)
            || destination.Length - length - middle < 65
            || !Convert.TryToHexStringLower(digest, destination[(length + middle)..], out var hex))
        {
            return false;
        }

        written = length + middle + hex;
        destination[written++] = (byte)'\n';
        return true;
    }

    // What Escape changes besides surrogates (a pair is kept, a lone one from a non-UTF-8 Linux
    // name becomes \xHH): the separator on Windows, the escape character, control characters.
    private static readonly System.Buffers.SearchValues<char> NeedEscape = System.Buffers.SearchValues.Create(
        "\\\x7f" + string.Concat(Enumerable.Range(0, 0x20).Select(c => (char)c)));

    /// <summary>A relative path as the manifest spells it: <c>/</c> between folders, one line, every byte of the name kept.</summary>
    internal static string Escape(string relativePath)
    {
        var builder = new StringBuilder(relativePath.Length + 8);
        for (var i = 0; i < relativePath.Length; i++)
        {
            var c = relativePath[i];
            if (char.IsHighSurrogate(c) && i + 1 < relativePath.Length && char.IsLowSurrogate(relativePath[i + 1]))
            {
                // A character beyond U+FFFF (📁): its low half may lie in the escaped-byte range.
                builder.Append(c).Append(relativePath[++i]);
                continue;
            }

            switch (c)
            {
                case '\\' when OperatingSystem.IsWindows():
                    builder.Append('/');
                    break;
                case '\\':
                    builder.Append(@"\\");
                    break;
                case '\t':
                    builder.Append(@"\t");
                    break;
                case '\n':
                    builder.Append(@"\n");
                    break;
                case '\r':
                    builder.Append(@"\r");
                    break;
                case < ' ' or '\x7f':
                    builder.Append(CultureInfo.InvariantCulture, $@"\x{(int)c:x2}");
                    break;
                case >= '\uDC80' and <= '\uDCFF':
                    // A byte of a Linux name that is not UTF-8 (NativePath's surrogate escape).
                    builder.Append(CultureInfo.InvariantCulture, $@"\x{c - '\uDC00':x2}");
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }

        return builder.ToString();
    }

    /// <summary>The relative path an escaped manifest path stands for; null when it is not a valid escape.</summary>
    internal static string? Unescape(string escaped)
    {
        var builder = new StringBuilder(escaped.Length);
        for (var i = 0; i < escaped.Length; i++)
        {
            var c = escaped[i];
            if (c == '/')
            {
                builder.Append(Path.DirectorySeparatorChar);
                continue;
            }

            if (c != '\\')
            {
                builder.Append(c);
                continue;
            }

            if (++i >= escaped.Length)
            {
                return null;
            }

            switch (escaped[i])
            {
                case '\\':
                    builder.Append('\\');
                    break;
                case 't':
                    builder.Append('\t');
                    break;
                case 'n':
                    builder.Append('\n');
                    break;
                case 'r':
                    builder.Append('\r');
                    break;
                case 'x' when i + 2 < escaped.Length && byte.TryParse(escaped.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value):
                    builder.Append(value < 0x80 ? (char)value : (char)('\uDC00' + value));
                    i += 2;
                    break;
                default:
                    return null;
            }
        }

        return builder.ToString();
    }

    /// <summary>The SHA-256 of the file at <paramref name="relativePath"/> below <paramref name="root"/>, read once; and the bytes read.</summary>
    public static (ContentHash Hash, long Bytes) HashFile(DirectoryHandle root, string relativePath, byte[] buffer)
    {
        using var handle = root.OpenForReading(relativePath);
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long offset = 0;
        try
        {
            int read;
            while ((read = RandomAccess.Read(handle, buffer, offset)) > 0)
            {
                sha256.AppendData(buffer, 0, read);
                offset += read;
            }
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException && error is not LinksmithException)
        {
            throw SystemErrors.Translate(error, root.FullPath(relativePath));
        }

        return (Finish(sha256), offset);
    }

    /// <summary>The digest <paramref name="sha256"/> holds, as a <see cref="ContentHash"/>; it is reset for the next file.</summary>
    public static ContentHash Finish(IncrementalHash sha256)
    {
        Span<byte> digest = stackalloc byte[32];
        sha256.GetHashAndReset(digest);
        return ContentHash.FromBytes(digest);
    }
}

/// <summary>
/// The manifest of a snapshot being made: lines added as files are placed (from the copy workers
/// too), written under a <c>.partial-</c> name in REPO, and given its real name by <see cref="Commit"/>.
/// Disposed without a commit, the unfinished file goes.
/// </summary>
internal sealed class ManifestWriter : IDisposable
{
    private readonly DirectoryHandle repository;
    private readonly string temporaryName;
    private readonly string finalName;
    private readonly FileStream stream;
    private readonly Lock gate = new();
    private bool closed;

    private ManifestWriter(DirectoryHandle repository, string snapshotName)
    {
        this.repository = repository;
        finalName = SnapshotManifest.NameFor(snapshotName);
        temporaryName = SnapshotManifest.NameFor(Snapshots.PartialPrefix + snapshotName);
        if (repository.Stat(temporaryName) is { } stale)
        {
            repository.Remove(temporaryName, stale.Kind);
        }

        repository.CreateFile(temporaryName);
        stream = new FileStream(repository.OpenForWriting(temporaryName), FileAccess.Write, 1 << 16);
        stream.Write(SnapshotManifest.HeaderLine);
    }

    /// <summary>Starts the manifest of the snapshot <paramref name="snapshotName"/> in <paramref name="repository"/>.</summary>
    public static ManifestWriter Start(DirectoryHandle repository, string snapshotName)
    {
        try
        {
            return new ManifestWriter(repository, snapshotName);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException && error is not LinksmithException)
        {
            throw SystemErrors.Translate(error, repository.FullPath(SnapshotManifest.NameFor(snapshotName)));
        }
    }

    /// <summary>The entry added last (for the other names of a hard-link group, placed right after their first).</summary>
    public ManifestEntry? Last { get; private set; }

    /// <summary>Adds one file.</summary>
    public void Add(in ManifestEntry entry)
    {
        // Each thread formats into a buffer of its own; only the append is serialised.
        var line = lineBuffer ??= new byte[1024];
        int length;
        while (!SnapshotManifest.TryFormat(entry, line, out length))
        {
            line = lineBuffer = new byte[line.Length * 2];
        }

        lock (gate)
        {
            stream.Write(line, 0, length);
            Last = entry;
        }
    }

    [ThreadStatic]
    private static byte[]? lineBuffer;

    /// <summary>Makes the manifest durable and gives it its real name (replacing an orphan of that name).</summary>
    public void Commit()
    {
        lock (gate)
        {
            try
            {
                stream.Flush(flushToDisk: true);
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException && error is not LinksmithException)
            {
                throw SystemErrors.Translate(error, repository.FullPath(temporaryName));
            }

            stream.Dispose();
            closed = true;
        }

        repository.Rename(temporaryName, finalName, replace: true);
    }

    public void Dispose()
    {
        lock (gate)
        {
            if (closed)
            {
                return;
            }

            closed = true;
            try
            {
                stream.Dispose();
            }
            catch (IOException)
            {
                // The file goes anyway; the failure that led here is the one to report.
            }
        }

        try
        {
            repository.Remove(temporaryName, LinkKind.File);
        }
        catch (LinksmithException)
        {
            // Best effort: the next backup removes an orphan manifest.
        }
    }
}

/// <summary>
/// The previous snapshot's manifest in memory, for a backup: by path (the hashes of linked files
/// are carried over from it) and by size and modification time (the candidates a file new by its
/// path may be a renamed copy of).
/// </summary>
internal sealed class ManifestIndex
{
    private readonly List<ManifestEntry> entries = [];
    private readonly Dictionary<string, int> byPath = new(StringComparer.Ordinal);
    // The first and last entry of each size and time (files with data), and after each entry the
    // next one of its size and time (-1: none): almost every key has one entry, and a list each
    // was a fifth of loading a large manifest.
    private readonly Dictionary<(long Size, FileTime Time), (int First, int Last)> bySizeAndTime = [];
    private readonly List<int> nextOfSizeAndTime = [];

    /// <summary>The manifest of <paramref name="snapshotName"/> in <paramref name="repository"/>; null when it has none or it cannot be read (then every hash is computed).</summary>
    public static ManifestIndex? Load(DirectoryHandle repository, string snapshotName)
    {
        try
        {
            if (SnapshotManifest.Read(repository, snapshotName) is not { } read)
            {
                return null;
            }

            var index = new ManifestIndex();
            foreach (var entry in read)
            {
                index.Add(entry);
            }

            return index;
        }
        catch (LinksmithException)
        {
            // A damaged or unreadable previous manifest costs reads, not the backup.
            return null;
        }
    }

    private void Add(in ManifestEntry entry)
    {
        var position = entries.Count;
        entries.Add(entry);
        nextOfSizeAndTime.Add(-1);
        byPath[entry.RelativePath] = position;
        // Empty files are never linked as renamed: no data to save, and linking every empty file
        // of one time to one inode would tie unrelated files together.
        if (entry.Size > 0)
        {
            ref var chain = ref CollectionsMarshal.GetValueRefOrAddDefault(bySizeAndTime, (entry.Size, entry.ModifiedTime), out var exists);
            if (exists)
            {
                nextOfSizeAndTime[chain.Last] = position;
                chain.Last = position;
            }
            else
            {
                chain = (position, position);
            }
        }
    }

    /// <summary>The entry for <paramref name="relativePath"/>, if the manifest has one.</summary>
    public ManifestEntry? Find(string relativePath) => byPath.TryGetValue(relativePath, out var position) ? entries[position] : null;

    /// <summary>The files of that size and modification time, in the manifest's order (none for empty files).</summary>
    public IReadOnlyList<ManifestEntry> Candidates(long size, FileTime modifiedTime)
    {
        if (!bySizeAndTime.TryGetValue((size, modifiedTime), out var chain))
        {
            return [];
        }

        var found = new List<ManifestEntry>();
        for (var position = chain.First; position >= 0; position = nextOfSizeAndTime[position])
        {
            found.Add(entries[position]);
        }

        return found;
    }
}
