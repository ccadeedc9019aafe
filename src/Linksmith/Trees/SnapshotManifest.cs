using System.Globalization;
using System.Security.Cryptography;
using System.Text;

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

    private const string Header = "linksmith-snapshot-manifest\t1";

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
        using var stream = new FileStream(repository.OpenForReading(name), FileAccess.Read, 1 << 16);
        using var reader = new StreamReader(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false));
        if (reader.ReadLine() != Header)
        {
            throw new ManifestFormatException(path, 1, "does not start with the manifest header (a newer version of linksmith, or not a manifest)");
        }

        var number = 1;
        while (reader.ReadLine() is { } line)
        {
            number++;
            yield return Parse(line) ?? throw new ManifestFormatException(path, number, "is not PATH, SIZE, TIME and SHA-256 separated by tabs");
        }
    }

    private static ManifestEntry? Parse(string line)
    {
        var fields = line.Split('\t');
        if (fields.Length != 4
            || !long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var size)
            || ParseTime(fields[2]) is not { } time
            || fields[3].Length != 64
            || Unescape(fields[0]) is not { Length: > 0 } path)
        {
            return null;
        }

        Span<byte> digest = stackalloc byte[32];
        return Convert.FromHexString(fields[3], digest, out _, out var written) == System.Buffers.OperationStatus.Done && written == 32
            ? new ManifestEntry(path, size, time, ContentHash.FromBytes(digest))
            : null;
    }

    private static FileTime? ParseTime(string text)
    {
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        return dot > 0
            && long.TryParse(text.AsSpan(0, dot), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds)
            && uint.TryParse(text.AsSpan(dot + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var nanoseconds)
            && nanoseconds < 1_000_000_000
            ? new FileTime(seconds, nanoseconds)
            : null;
    }

    /// <summary>One line of the manifest for <paramref name="entry"/> (without its newline).</summary>
    public static string Format(in ManifestEntry entry)
    {
        Span<byte> digest = stackalloc byte[32];
        entry.Hash.WriteTo(digest);
        return string.Create(CultureInfo.InvariantCulture, $"{Escape(entry.RelativePath)}\t{entry.Size}\t{entry.ModifiedTime.Seconds}.{entry.ModifiedTime.Nanoseconds:D9}\t{Convert.ToHexStringLower(digest)}");
    }

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
    private readonly StreamWriter writer;
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
        writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 16) { NewLine = "\n" };
        writer.WriteLine("linksmith-snapshot-manifest\t1");
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
        var line = SnapshotManifest.Format(entry);
        lock (gate)
        {
            writer.WriteLine(line);
            Last = entry;
        }
    }

    /// <summary>Makes the manifest durable and gives it its real name (replacing an orphan of that name).</summary>
    public void Commit()
    {
        lock (gate)
        {
            try
            {
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException && error is not LinksmithException)
            {
                throw SystemErrors.Translate(error, repository.FullPath(temporaryName));
            }

            writer.Dispose();
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
                writer.Dispose();
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
    private readonly Dictionary<string, ManifestEntry> byPath = new(StringComparer.Ordinal);
    private readonly Dictionary<(long Size, FileTime Time), List<ManifestEntry>> bySizeAndTime = [];

    /// <summary>The manifest of <paramref name="snapshotName"/> in <paramref name="repository"/>; null when it has none or it cannot be read (then every hash is computed).</summary>
    public static ManifestIndex? Load(DirectoryHandle repository, string snapshotName)
    {
        try
        {
            if (SnapshotManifest.Read(repository, snapshotName) is not { } entries)
            {
                return null;
            }

            var index = new ManifestIndex();
            foreach (var entry in entries)
            {
                index.byPath[entry.RelativePath] = entry;
                // Empty files are never linked as renamed: no data to save, and linking every
                // empty file of one time to one inode would tie unrelated files together.
                if (entry.Size > 0)
                {
                    var key = (entry.Size, entry.ModifiedTime);
                    if (!index.bySizeAndTime.TryGetValue(key, out var list))
                    {
                        index.bySizeAndTime[key] = list = [];
                    }

                    list.Add(entry);
                }
            }

            return index;
        }
        catch (LinksmithException)
        {
            // A damaged or unreadable previous manifest costs reads, not the backup.
            return null;
        }
    }

    /// <summary>The entry for <paramref name="relativePath"/>, if the manifest has one.</summary>
    public ManifestEntry? Find(string relativePath) => byPath.TryGetValue(relativePath, out var entry) ? entry : null;

    /// <summary>The files of that size and modification time (none for empty files).</summary>
    public IReadOnlyList<ManifestEntry> Candidates(long size, FileTime modifiedTime) =>
        bySizeAndTime.TryGetValue((size, modifiedTime), out var list) ? list : [];
}
