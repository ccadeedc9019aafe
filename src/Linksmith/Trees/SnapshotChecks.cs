namespace Linksmith;

/// <summary>A file of a snapshot and what is wrong with it or what changed.</summary>
/// <param name="Path">Its path below the snapshot.</param>
/// <param name="What">What, in a few words.</param>
public sealed record SnapshotProblem(string Path, string What);

/// <summary>What <c>snapshots verify</c> found in one snapshot.</summary>
public sealed class SnapshotVerification
{
    /// <summary>The snapshot's name.</summary>
    public required string Name { get; init; }

    /// <summary>Its full path.</summary>
    public required string Path { get; init; }

    /// <summary>False for a snapshot made by a linksmith that wrote no manifest: it cannot be verified.</summary>
    public bool HasManifest { get; init; }

    /// <summary>Files the manifest lists.</summary>
    public long Files { get; set; }

    /// <summary>Bytes read to verify them (a file shared with a snapshot verified before in the same run is read once).</summary>
    public long BytesRead { get; set; }

    /// <summary>Files whose contents differ from what the manifest recorded (a flipped bit, a truncation, a read error).</summary>
    public List<SnapshotProblem> Corrupt { get; } = [];

    /// <summary>Files the manifest lists that are not there (or are no longer regular files).</summary>
    public List<string> Missing { get; } = [];

    /// <summary>Files whose contents are as recorded but whose size or modification time is not, and files the manifest does not list.</summary>
    public List<SnapshotProblem> Changed { get; } = [];

    /// <summary>Whether the snapshot is as its manifest recorded it.</summary>
    public bool IsIntact => HasManifest && Corrupt.Count == 0 && Missing.Count == 0 && Changed.Count == 0;
}

/// <summary>A file renamed (or moved) between two snapshots: same contents, another path.</summary>
/// <param name="OldPath">Its path in the older snapshot.</param>
/// <param name="NewPath">Its path in the newer one.</param>
public sealed record SnapshotRename(string OldPath, string NewPath);

/// <summary>What <c>snapshots diff</c> found between two snapshots; paths below the snapshots, sorted.</summary>
public sealed class SnapshotDiff
{
    /// <summary>The first snapshot's name.</summary>
    public required string From { get; init; }

    /// <summary>The second snapshot's name.</summary>
    public required string To { get; init; }

    /// <summary>Whether contents were compared by hash (both have a manifest), else by size, time and file identity.</summary>
    public bool ByHash { get; init; }

    /// <summary>Files only the second has.</summary>
    public List<string> Added { get; } = [];

    /// <summary>Files only the first has.</summary>
    public List<string> Removed { get; } = [];

    /// <summary>Files both have, with other contents, size or modification time.</summary>
    public List<string> Changed { get; } = [];

    /// <summary>Files of the first found under another path in the second, with the same contents.</summary>
    public List<SnapshotRename> Renamed { get; } = [];
}

/// <summary>Verifying, comparing and restoring snapshots.</summary>
public static partial class Snapshots
{
    /// <summary>
    /// Re-reads every file of each snapshot and compares it with the snapshot's manifest. A file
    /// whose contents differ is <see cref="SnapshotVerification.Corrupt"/> (whatever its size and
    /// time say); one that is gone is <see cref="SnapshotVerification.Missing"/>; one whose
    /// contents are right but whose size or time is not, or that the manifest does not list, is
    /// <see cref="SnapshotVerification.Changed"/>. Files shared by several snapshots (hard links)
    /// are read once per run.
    /// </summary>
    /// <param name="repositoryPath">The folder that holds the snapshots.</param>
    /// <param name="snapshots">Names (or paths) of the snapshots to verify; none: every complete one.</param>
    /// <param name="onError">Where failures that are not about one file go (a snapshot that is not there).</param>
    /// <param name="cancellation">Checked between files.</param>
    public static IReadOnlyList<SnapshotVerification> Verify(string repositoryPath, IReadOnlyList<string>? snapshots = null, Action<LinksmithException>? onError = null, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(repositoryPath);
        try
        {
            using var repository = OpenRepository(repositoryPath);
            var names = snapshots is { Count: > 0 } ? snapshots : List(repository);
            var result = new List<SnapshotVerification>();
            var known = new Dictionary<FileIdentity, (FileStatus Status, ContentHash Hash, long Bytes)>();
            var buffer = GC.AllocateUninitializedArray<byte>(1 << 20);
            foreach (var given in names)
            {
                string name;
                try
                {
                    name = SnapshotName(repository, given);
                }
                catch (LinksmithException error)
                {
                    onError?.Invoke(error);
                    continue;
                }

                try
                {
                    result.Add(VerifyOne(repository, name, known, buffer, cancellation));
                }
                catch (ManifestFormatException error)
                {
                    // A damaged manifest: this snapshot cannot be verified; the others still are.
                    onError?.Invoke(error);
                    result.Add(new SnapshotVerification { Name = name, Path = repository.FullPath(name), HasManifest = false });
                }
            }

            return result;
        }
        catch (Exception error) when (error is UnauthorizedAccessException or (IOException and not LinksmithException))
        {
            throw LinksmithException.FromSystemError(error, repositoryPath);
        }
    }

    private static SnapshotVerification VerifyOne(DirectoryHandle repository, string name, Dictionary<FileIdentity, (FileStatus Status, ContentHash Hash, long Bytes)> known, byte[] buffer, CancellationToken cancellation)
    {
        var entries = SnapshotManifest.Read(repository, name);
        var report = new SnapshotVerification { Name = name, Path = repository.FullPath(name), HasManifest = entries is not null };
        if (entries is null)
        {
            return report;
        }

        using var snapshot = repository.OpenDirectory(name);
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            cancellation.ThrowIfCancellationRequested();
            report.Files++;
            listed.Add(entry.RelativePath);
            FileStatus? status;
            try
            {
                status = snapshot.Stat(entry.RelativePath);
            }
            catch (LinksmithException)
            {
                // A folder on the way is gone or is no longer a folder.
                status = null;
            }

            if (status is not { Kind: LinkKind.File } file)
            {
                report.Missing.Add(entry.RelativePath);
                continue;
            }

            ContentHash hash;
            long bytes;
            if (known.TryGetValue(file.Identity, out var seen) && seen.Status.Size == file.Size && seen.Status.ModifiedTime == file.ModifiedTime && seen.Status.ChangeTime == file.ChangeTime)
            {
                (hash, bytes) = (seen.Hash, seen.Bytes);
            }
            else
            {
                try
                {
                    (hash, bytes) = SnapshotManifest.HashFile(snapshot, entry.RelativePath, buffer);
                }
                catch (LinksmithException error)
                {
                    report.Corrupt.Add(new SnapshotProblem(entry.RelativePath, $"cannot be read: {error.Reason}"));
                    continue;
                }

                report.BytesRead += bytes;
                known[file.Identity] = (file, hash, bytes);
            }

            if (bytes != entry.Size)
            {
                report.Corrupt.Add(new SnapshotProblem(entry.RelativePath, $"{bytes:N0} bytes where the manifest has {entry.Size:N0} (truncated or extended)"));
            }
            else if (hash != entry.Hash)
            {
                report.Corrupt.Add(new SnapshotProblem(entry.RelativePath, "contents differ from the manifest's SHA-256"));
            }
            else if (file.ModifiedTime != entry.ModifiedTime)
            {
                report.Changed.Add(new SnapshotProblem(entry.RelativePath, "modification time differs from the manifest (contents as recorded)"));
            }
        }

        foreach (var extra in TreeWalker.Walk(snapshot, new WalkOptions()))
        {
            if (extra.Kind == LinkKind.File && !listed.Contains(extra.RelativePath))
            {
                report.Changed.Add(new SnapshotProblem(extra.RelativePath, "not in the manifest (added since the backup)"));
            }
        }

        report.Corrupt.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        report.Missing.Sort(StringComparer.Ordinal);
        report.Changed.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return report;
    }

    /// <summary>
    /// Compares two snapshots: files added, removed, changed, and renamed (a removed and an added
    /// file with the same size and contents). With both manifests contents are compared by
    /// SHA-256; a snapshot without one is compared by size, modification time and, for renames,
    /// file identity (the hard link a backup made).
    /// </summary>
    public static SnapshotDiff Diff(string repositoryPath, string from, string to)
    {
        ArgumentNullException.ThrowIfNull(repositoryPath);
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        try
        {
            using var repository = OpenRepository(repositoryPath);
            var fromName = SnapshotName(repository, from);
            var toName = SnapshotName(repository, to);
            var byHash = SnapshotManifest.Exists(repository, fromName) && SnapshotManifest.Exists(repository, toName);
            var before = Facts(repository, fromName, byHash);
            var after = Facts(repository, toName, byHash);
            var diff = new SnapshotDiff { From = fromName, To = toName, ByHash = byHash };
            var gone = new Dictionary<object, Queue<string>>();
            foreach (var (path, old) in before.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                if (after.TryGetValue(path, out var now))
                {
                    if (!old.SameAs(now))
                    {
                        diff.Changed.Add(path);
                    }
                }
                else if (old.Size > 0)
                {
                    if (!gone.TryGetValue(old.Key, out var queue))
                    {
                        gone[old.Key] = queue = new Queue<string>();
                    }

                    queue.Enqueue(path);
                }
                else
                {
                    diff.Removed.Add(path);
                }
            }

            foreach (var (path, now) in after.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                if (before.ContainsKey(path))
                {
                    continue;
                }

                if (now.Size > 0 && gone.TryGetValue(now.Key, out var queue) && queue.TryDequeue(out var old))
                {
                    diff.Renamed.Add(new SnapshotRename(old, path));
                }
                else
                {
                    diff.Added.Add(path);
                }
            }

            diff.Removed.AddRange(gone.Values.SelectMany(q => q));
            diff.Removed.Sort(StringComparer.Ordinal);
            return diff;
        }
        catch (Exception error) when (error is UnauthorizedAccessException or (IOException and not LinksmithException))
        {
            throw LinksmithException.FromSystemError(error, repositoryPath);
        }
    }

    /// <summary>What is compared of a file: by hash (from a manifest) or by size, time and identity (from a walk).</summary>
    private readonly record struct FileFacts(long Size, FileTime Time, ContentHash Hash, FileIdentity Identity, bool Hashed)
    {
        /// <summary>What a renamed file keeps: its size and contents, or (without hashes) its inode, which the backup linked.</summary>
        public object Key => Hashed ? (Size, Hash) : Identity;

        /// <summary>Same size and time and, by hash, same contents (without hashes, size and time decide, as rsync's quick check).</summary>
        public bool SameAs(in FileFacts other) => Size == other.Size && Time == other.Time && Hash == other.Hash;
    }

    private static Dictionary<string, FileFacts> Facts(DirectoryHandle repository, string name, bool byHash)
    {
        var facts = new Dictionary<string, FileFacts>(StringComparer.Ordinal);
        if (byHash)
        {
            foreach (var entry in SnapshotManifest.Read(repository, name)!)
            {
                facts[entry.RelativePath] = new FileFacts(entry.Size, entry.ModifiedTime, entry.Hash, default, Hashed: true);
            }

            return facts;
        }

        using var snapshot = repository.OpenDirectory(name);
        foreach (var entry in TreeWalker.Walk(snapshot, new WalkOptions()))
        {
            if (entry.Kind == LinkKind.File)
            {
                facts[entry.RelativePath] = new FileFacts(entry.Status.Size, entry.Status.ModifiedTime, default, entry.Status.Identity, Hashed: false);
            }
        }

        return facts;
    }

    /// <summary>
    /// The copy job of <c>snapshots restore</c>: a Smart Copy of the snapshot (or of the folder
    /// <c>PATH</c> in it) into <paramref name="destinationPath"/>, hard-link groups kept and inner
    /// links re-pointed into the result. A <c>PATH</c> that is a file or symbolic link goes into
    /// <paramref name="destinationPath"/> under its own name (<see cref="TreeJob.SourceMayBeEntry"/>).
    /// </summary>
    /// <param name="repositoryPath">The folder that holds the snapshots.</param>
    /// <param name="snapshotAndPath"><c>SNAPSHOT</c> or <c>SNAPSHOT/PATH</c>.</param>
    /// <param name="destinationPath">Where the files go; never inside the repository (<see cref="RestoreIntoRepositoryException"/>).</param>
    public static TreeJob RestoreJob(string repositoryPath, string snapshotAndPath, string destinationPath)
    {
        ArgumentNullException.ThrowIfNull(repositoryPath);
        ArgumentNullException.ThrowIfNull(snapshotAndPath);
        ArgumentNullException.ThrowIfNull(destinationPath);
        using var repository = OpenRepository(repositoryPath);
        var repositoryReal = LinkPlatform.Current.CanonicalizeDirectory(repository.Path);
        if (PathFacts.IsWithin(Path.GetFullPath(destinationPath), repository.Path) || PathFacts.IsWithin(PathFacts.CanonicalizeMaybeMissing(Path.GetFullPath(destinationPath)), repositoryReal))
        {
            throw new RestoreIntoRepositoryException(destinationPath, repositoryPath);
        }

        var parts = snapshotAndPath.Replace('\\', '/').Split('/', 2);
        var name = SnapshotName(repository, parts[0]);
        var snapshotRoot = repository.FullPath(name);
        var source = parts.Length > 1 && parts[1].Trim('/').Length > 0 ? Path.GetFullPath(Path.Join(snapshotRoot, parts[1])) : snapshotRoot;
        if (!PathFacts.IsWithin(source, snapshotRoot))
        {
            throw new TargetNotFoundException(Path.Join(snapshotRoot, parts[1]));
        }

        using (var snapshot = repository.OpenDirectory(name))
        {
            var inside = Path.GetRelativePath(snapshotRoot, source);
            var status = inside == "." ? snapshot.Stat(string.Empty) : snapshot.Stat(inside);
            if (status is null)
            {
                throw new TargetNotFoundException(source);
            }

            if (status.Value.Kind is not (LinkKind.Directory or LinkKind.File or LinkKind.SymbolicLink))
            {
                throw new NotADirectoryException(source, status.Value.Kind, hint: "snapshots restore takes a snapshot, or a folder, file or symbolic link in it");
            }
        }

        return new TreeJob { Kind = TreeJobKind.Copy, SourcePath = source, DestinationPath = destinationPath, SourceMayBeEntry = true };
    }

    /// <summary>The name of a complete snapshot in the repository, given by its name or its path.</summary>
    private static string SnapshotName(DirectoryHandle repository, string given)
    {
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(given));
        if (!IsSnapshotName(name) || repository.Stat(name) is not { Kind: LinkKind.Directory })
        {
            throw new SnapshotNotFoundException(repository.FullPath(name));
        }

        return name;
    }
}
