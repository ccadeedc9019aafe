using System.Security.Cryptography;

namespace Linksmith;

/// <summary>The backup policy: a snapshot made beside the previous one in REPO, unchanged files linked to it, the snapshot named only when complete, old ones pruned.</summary>
internal sealed partial class TreeEngine
{
    private void PrepareSnapshot()
    {
        var repositoryPath = finalRoot;
        if (!job.DryRun)
        {
            repository = DirectoryHandle.OpenOrCreate(repositoryPath);
            // One backup at a time per repository; the lock is released when the process ends,
            // however it ends. An unfinished snapshot left by a killed run is then garbage.
            repositoryLock = repository.TryLock(RepositoryLockName) ?? throw new BackupInProgressException(repositoryPath);
            foreach (var stale in Snapshots.Unfinished(repository))
            {
                Act(new TreeAction(TreeActionKind.Delete, repository.FullPath(stale), Detail: "unfinished snapshot of an interrupted backup"));
                repository.DeleteTree(stale, Fail);
            }

            foreach (var orphan in SnapshotManifest.Orphans(repository))
            {
                repository.Remove(orphan, LinkKind.File);
            }
        }
        else if (PathFacts.Stat(repositoryPath, followLinks: true) is { Kind: LinkKind.Directory })
        {
            repository = DirectoryHandle.Open(repositoryPath);
        }

        if (job.PreviousSnapshot is { } chosen)
        {
            previous = PathFacts.Stat(chosen, followLinks: true) is { Kind: LinkKind.Directory }
                ? Keep(DirectoryHandle.Open(chosen))
                : throw new TargetNotFoundException(chosen);
            var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(chosen));
            try
            {
                if (Path.GetDirectoryName(full) is { } holder)
                {
                    using var chosenRepository = DirectoryHandle.Open(holder);
                    previousManifest = ManifestIndex.Load(chosenRepository, Path.GetFileName(full));
                }
            }
            catch (Exception error) when (error is LinksmithException or UnauthorizedAccessException or IOException)
            {
                // --prev's folder cannot be listed: no manifest to carry hashes over from; they are computed.
                previousManifest = null;
            }
        }
        else if (repository is not null && Snapshots.Newest(repository) is { } newest)
        {
            previous = Keep(repository.OpenDirectory(newest));
            previousManifest = ManifestIndex.Load(repository, newest);
        }

        var name = repository is null ? Snapshots.NewName(DateTime.UtcNow) : Snapshots.NewName(repository, DateTime.UtcNow);
        finalRoot = Path.Join(repositoryPath, name);
        workRoot = Path.Join(repositoryPath, Snapshots.PartialPrefix + name);
        summary.SnapshotPath = finalRoot;
        if (!job.DryRun)
        {
            manifest = ManifestWriter.Start(repository!, name);
        }
    }

    /// <summary>
    /// Links an unchanged file to the previous snapshot's, on a worker: in an incremental backup
    /// almost every file is one, and its <c>linkat</c> was a third of the run's time on the walk's
    /// thread (perf, large preset), which now goes on meanwhile.
    /// </summary>
    /// <param name="name">The file.</param>
    /// <param name="recorded">
    /// When the previous manifest's line for the file (same size and time as the source) is what
    /// chose it: the previous snapshot's file itself is then checked on the worker too, and copied
    /// there if it is not the same after all; null when <see cref="IsUnchanged"/> already checked it.
    /// </param>
    private void LinkToPrevious(GroupName name, ManifestEntry? recorded = null)
    {
        if (Heard)
        {
            Act(new TreeAction(TreeActionKind.HardLink, FullWork(name.Work), previous!.FullPath(name.Relative), "unchanged since the previous snapshot"));
        }
        else
        {
            Reached();
        }

        summary.Linked++;
        if (!job.DryRun)
        {
            Run(() => LinkToPreviousNow(name, recorded), name.Work, (0, 0, 1));
        }
    }

    /// <summary>
    /// Whether the previous manifest records the file with the source's size and modification
    /// time, so that the rest of <see cref="IsUnchanged"/> (a status of the previous snapshot's
    /// file, a fifth of the walk's thread on the large preset) can be left to a worker. Not in a dry
    /// run, with --xattrs, or where there are no workers (hard-link groups), which check here.
    /// </summary>
    private bool RecordedUnchanged(GroupName name, out ManifestEntry recorded)
    {
        recorded = default;
        var status = name.Entry.Status;
        if (job.DryRun || attributes is not null || workers is null || previousManifest?.Find(name.Relative) is not { } known
            || known.Size != status.Size || !known.ModifiedTime.IsWithin(status.ModifiedTime, job.ModifyWindow))
        {
            return false;
        }

        recorded = known;
        return true;
    }

    /// <summary>The link of <see cref="LinkToPrevious"/>, with its manifest line; a copy where the previous snapshot's file can take no more names, or (<paramref name="recorded"/>) is not the same after all.</summary>
    private void LinkToPreviousNow(GroupName name, ManifestEntry? recorded)
    {
        var status = name.Entry.Status;
        if (recorded is not null && !(previous!.Stat(name.Relative) is { Kind: LinkKind.File } old && IsSameFile(old, status, job.ModifyWindow)))
        {
            // Not the file its manifest line describes (changed in the snapshot since, or gone).
            CopyInsteadOfLink(name);
            return;
        }

        try
        {
            Work.HardLink(name.Work, previous!, name.Relative);
        }
        catch (HardLinkLimitException)
        {
            // The previous snapshot's file has all the names its file system allows: a copy starts a new chain.
            CopyInsteadOfLink(name);
            return;
        }

        if (manifest is null)
        {
            return;
        }

        // Its hash is carried over from the previous manifest, read from nowhere; a previous
        // snapshot without one (made by an older linksmith) costs one read of the linked file, here.
        if ((recorded ?? previousManifest?.Find(name.Relative)) is { } known && known.Size == status.Size && known.ModifiedTime == status.ModifiedTime)
        {
            manifest.Add(known with { RelativePath = name.Work });
            return;
        }

        RecordByReading(name.Work, status);
    }

    /// <summary>A copy, on a worker, of a file that was counted as linked; the tally is put right once the workers are done.</summary>
    private void CopyInsteadOfLink(GroupName name)
    {
        var status = name.Entry.Status;
        CopyAndRecord(Work, name.Work, name.SourceTop, name.Entry.RelativePath, status, replace: false, keepChanged: true, Reflink, attributes);
        lock (failLock)
        {
            copiedInsteadOfLinked = (copiedInsteadOfLinked.Files + 1, copiedInsteadOfLinked.Bytes + status.Size);
        }
    }

    /// <summary>Hashes a file already in the snapshot (linked, so not read on the way) and records it.</summary>
    private void RecordByReading(string workPath, FileStatus status)
    {
        var (hash, _) = SnapshotManifest.HashFile(Work, workPath, HashBuffer);
        manifest!.Add(new ManifestEntry(workPath, status.Size, status.ModifiedTime, hash));
    }

    /// <summary>
    /// Copies a file into the destination; where a manifest is kept (backup), hashing its bytes on
    /// the way and recording it (also when a file that kept changing was kept).
    /// </summary>
    private void CopyAndRecord(DirectoryHandle destination, string workPath, DirectoryHandle sourceTop, string sourceRelativePath, FileStatus status, bool replace, bool keepChanged, ReflinkMode reflink, AttributeCopy? carried)
    {
        if (manifest is null)
        {
            destination.CopyFile(workPath, sourceTop, sourceRelativePath, status, replace, keepChanged, reflink, carried);
            return;
        }

        var sha256 = ThreadHash;
        sha256.GetHashAndReset();
        try
        {
            destination.CopyFile(workPath, sourceTop, sourceRelativePath, status, replace, keepChanged, reflink, carried, sha256);
        }
        catch (ChangedWhileCopyingException error) when (error.Kept)
        {
            Record(destination, workPath, sha256);
            throw;
        }

        Record(destination, workPath, sha256);
    }

    /// <summary>The snapshot's file as placed (its own size and time), with the hash of the bytes written.</summary>
    private void Record(DirectoryHandle destination, string workPath, IncrementalHash sha256)
    {
        var hash = SnapshotManifest.Finish(sha256);
        if (destination.Stat(workPath) is { Kind: LinkKind.File } placed)
        {
            manifest!.Add(new ManifestEntry(workPath, placed.Size, placed.ModifiedTime, hash));
        }
    }

    // One SHA-256 state and one read buffer per thread (the walk's and each copy worker's).
    [ThreadStatic]
    private static IncrementalHash? threadHash;

    [ThreadStatic]
    private static byte[]? hashBuffer;

    private static IncrementalHash ThreadHash => threadHash ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    private static byte[] HashBuffer => hashBuffer ??= GC.AllocateUninitializedArray<byte>(1 << 20);

    /// <summary>
    /// Same size and modification time (within --modify-window), and mode, owner (as root) and,
    /// with --xattrs, extended attributes, which a hard link would share, as in the previous snapshot.
    /// </summary>
    private bool IsUnchanged(GroupName name) =>
        previous!.Stat(name.Relative) is { Kind: LinkKind.File } old && IsSameFile(old, name.Entry.Status, job.ModifyWindow)
        && (attributes is null || SameAttributes(previous, name.Relative, name.SourceTop, name.Entry.RelativePath));

    /// <summary>
    /// The metadata part of <see cref="IsUnchanged"/>: the previous snapshot's file <paramref name="old"/>
    /// against the source's <paramref name="status"/>, times within <paramref name="window"/>
    /// (--modify-window; zero for a renamed file, found by its exact time).
    /// </summary>
    private static bool IsSameFile(in FileStatus old, in FileStatus status, TimeSpan window) =>
        old.Size == status.Size && old.ModifiedTime.IsWithin(status.ModifiedTime, window)
        && old.Mode == status.Mode && (!DirectoryHandle.CanPreserveOwner || (old.Uid == status.Uid && old.Gid == status.Gid));

    /// <summary>
    /// Rename-aware linking: a file new by its path whose size and modification time some files of
    /// the previous snapshot share (its manifest says which) is hashed, once, and linked to the one
    /// whose hash, mode and owner are equal too; nothing of it is written. False when none is (the
    /// file is then copied, which reads it a second time: only files that share size and time with
    /// another file but not its contents pay that).
    /// </summary>
    /// <remarks>On the walk's thread: the decision must be made before the walk goes on, as for every other name.</remarks>
    private bool TryLinkRenamed(GroupName name, IReadOnlyList<ManifestEntry> candidates)
    {
        var status = name.Entry.Status;
        ContentHash hash;
        try
        {
            (hash, var bytes) = SnapshotManifest.HashFile(name.SourceTop, name.Entry.RelativePath, HashBuffer);
            if (bytes != status.Size)
            {
                return false;
            }
        }
        catch (LinksmithException)
        {
            // Gone or unreadable since it was listed: the copy reports it.
            return false;
        }

        foreach (var candidate in candidates)
        {
            if (candidate.Hash != hash || candidate.RelativePath == name.Relative
                || previous!.Stat(candidate.RelativePath) is not { Kind: LinkKind.File } old || !IsSameFile(old, status, TimeSpan.Zero))
            {
                continue;
            }

            Act(new TreeAction(TreeActionKind.HardLink, FullWork(name.Work), previous.FullPath(candidate.RelativePath), "renamed since the previous snapshot (same contents)"));
            if (!job.DryRun)
            {
                try
                {
                    Work.HardLink(name.Work, previous, candidate.RelativePath);
                }
                catch (HardLinkLimitException)
                {
                    continue;
                }
            }

            summary.Linked++;
            summary.Renamed++;
            manifest?.Add(new ManifestEntry(name.Work, status.Size, status.ModifiedTime, hash));
            return true;
        }

        return false;
    }

    private void Finish()
    {
        if (job.Kind != TreeJobKind.Backup)
        {
            return;
        }

        if (!job.DryRun)
        {
            // The manifest first: a complete snapshot always has its manifest. A kill between the
            // two renames leaves a .partial- snapshot and an orphan manifest; the next backup
            // removes both.
            manifest!.Commit();
            // Only a complete snapshot gets a name that looks like one.
            repository!.Rename(Path.GetFileName(workRoot), Path.GetFileName(finalRoot), replace: false);
        }

        // Pruning runs under the backup's lock, after the new snapshot is complete (never before:
        // a failed backup must not cost an old snapshot).
        if (job.EffectiveRetention is { IsEmpty: false } policy && repository is not null)
        {
            var pruned = Snapshots.Prune(
                repository,
                policy,
                includeNew: job.DryRun ? Path.GetFileName(finalRoot) : null,
                job.DryRun,
                path => Act(new TreeAction(TreeActionKind.Delete, path, Detail: "snapshot")),
                Fail,
                CancellationToken.None);
            summary.Pruned.AddRange(pruned.Removed);
            summary.Deleted += pruned.Entries;
        }

        repositoryLock?.Dispose();
        repositoryLock = null;
    }

    private const string RepositoryLockName = Snapshots.RepositoryLockName;
}
