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
        }
        else if (repository is not null && Snapshots.Newest(repository) is { } newest)
        {
            previous = Keep(repository.OpenDirectory(newest));
        }

        var name = repository is null ? Snapshots.NewName(DateTime.UtcNow) : Snapshots.NewName(repository, DateTime.UtcNow);
        finalRoot = Path.Join(repositoryPath, name);
        workRoot = Path.Join(repositoryPath, Snapshots.PartialPrefix + name);
        summary.SnapshotPath = finalRoot;
    }

    private bool TryLinkToPrevious(GroupName name)
    {
        Act(new TreeAction(TreeActionKind.HardLink, FullWork(name.Work), previous!.FullPath(name.Relative), "unchanged since the previous snapshot"));
        if (job.DryRun)
        {
            summary.Linked++;
            return true;
        }

        try
        {
            Work.HardLink(name.Work, previous, name.Relative);
            summary.Linked++;
            return true;
        }
        catch (HardLinkLimitException)
        {
            // The previous snapshot's file has all the names its file system allows: start a new chain.
            return false;
        }
    }

    /// <summary>
    /// Same size and modification time (within --modify-window), and mode, owner (as root) and,
    /// with --xattrs, extended attributes, which a hard link would share, as in the previous snapshot.
    /// </summary>
    private bool IsUnchanged(GroupName name) =>
        previous!.Stat(name.Relative) is { Kind: LinkKind.File } old
        && old.Size == name.Entry.Status.Size && old.ModifiedTime.IsWithin(name.Entry.Status.ModifiedTime, job.ModifyWindow)
        && old.Mode == name.Entry.Status.Mode && (!DirectoryHandle.CanPreserveOwner || (old.Uid == name.Entry.Status.Uid && old.Gid == name.Entry.Status.Gid))
        && (attributes is null || SameAttributes(previous, name.Relative, name.SourceTop, name.Entry.RelativePath));

    private void Finish()
    {
        if (job.Kind != TreeJobKind.Backup)
        {
            return;
        }

        if (!job.DryRun)
        {
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
