using System.Diagnostics;

namespace Linksmith;

/// <summary>
/// The one engine behind copy, mirror, clone and backup. It walks the source without following
/// links, decides for each entry what the job asks (copy, hard link, re-pointed or spliced link,
/// skip), carries it out (or only reports it in a dry run), and sets directory times last.
/// </summary>
/// <remarks>
/// Memory stays proportional to the directories and the hard-linked files, not to all files:
/// entries are handled as the walk meets them. Hard-link groups are re-created by remembering,
/// for each file identity with more than one name, where its first name landed.
/// </remarks>
internal sealed class TreeEngine
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(200);

    private readonly TreeJob job;
    private readonly TreeSummary summary = new();
    private readonly Dictionary<FileIdentity, List<GroupName>> groups = [];
    private readonly List<(string Work, FileStatus Status)> directories = [];
    private readonly HashSet<string> freshDirectories = new(StringComparer.Ordinal);
    private readonly HashSet<string> failedDirectories = new(StringComparer.Ordinal);
    private readonly HashSet<FileIdentity> unrolling = [];
    private readonly Stopwatch progressClock = Stopwatch.StartNew();
    // Handles opened for the job (the source, unrolled link targets, the previous snapshot), closed at its end.
    private readonly List<DirectoryHandle> opened = [];
    private readonly string sourceRoot;
    private readonly string sourceRealRoot;
    private DirectoryHandle? source;

    // Where entries are written: DST itself, or a backup's unfinished snapshot in REPO. Work paths
    // are relative to it; every write is made beneath it. Null in a dry run whose DST does not exist.
    private DirectoryHandle? work;
    private string workRoot;
    private string finalRoot;
    private DirectoryHandle? repository;
    private DirectoryHandle? previous;
    private IDisposable? repositoryLock;
    private WorkQueue? workers;
    private readonly Lock failLock = new();
    private long actionCount;
    private readonly long killAfter = long.TryParse(Environment.GetEnvironmentVariable("LINKSMITH_TEST_KILL_AFTER"), out var n) ? n : 0;

    private TreeEngine(TreeJob job)
    {
        this.job = job;
        sourceRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(job.SourcePath));
        sourceRealRoot = LinkPlatform.Current.CanonicalizeDirectory(sourceRoot);
        workRoot = finalRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(job.DestinationPath));
    }

    /// <summary>One name of a hard-linked file, kept until the walk is over.</summary>
    private sealed record GroupName(TreeEntry Entry, DirectoryHandle SourceTop, string Work, string Relative);

    private DirectoryHandle Work => work ?? throw new InvalidOperationException("the destination was not opened");

    private bool IsCopying => job.Kind is TreeJobKind.Copy or TreeJobKind.Mirror or TreeJobKind.Backup;

    public static TreeSummary Run(TreeJob job)
    {
        var engine = new TreeEngine(job);
        try
        {
            engine.Prepare();
            var threads = job.DryRun ? 0 : job.Parallelism ?? Environment.ProcessorCount;
            engine.workers = threads > 0 ? new WorkQueue(threads, engine.Fail, job.Cancellation) : null;
            try
            {
                engine.Walk(engine.source!, string.Empty, engine.finalRoot, relativeBase: null);
            }
            finally
            {
                engine.workers?.Dispose();
                engine.workers = null;
            }

            job.Cancellation.ThrowIfCancellationRequested();
            engine.PlaceGroups();
            engine.FinishDirectories();
            engine.Finish();
            return engine.summary;
        }
        finally
        {
            engine.Close();
        }
    }

    private void Close()
    {
        repositoryLock?.Dispose();
        work?.Dispose();
        repository?.Dispose();
        opened.ForEach(static handle => handle.Dispose());
    }

    private void Prepare()
    {
        var status = PathFacts.Stat(sourceRoot, followLinks: true);
        if (status is null)
        {
            throw new TargetNotFoundException(job.SourcePath);
        }

        if (status.Value.Kind != LinkKind.Directory)
        {
            throw new NotADirectoryException(job.SourcePath, status.Value.Kind);
        }

        // The source root is followed once if it is a link (an explicit argument); below it nothing is.
        source = Keep(DirectoryHandle.Open(sourceRoot));
        var destinationReal = PathFacts.CanonicalizeMaybeMissing(finalRoot);
        if (IsWithin(destinationReal, sourceRealRoot) || IsWithin(finalRoot, sourceRoot))
        {
            throw new TreeNestingException(job.DestinationPath, job.SourcePath, destinationInsideSource: true);
        }

        if (IsWithin(sourceRealRoot, destinationReal) && job.Kind != TreeJobKind.Backup)
        {
            throw new TreeNestingException(job.DestinationPath, job.SourcePath, destinationInsideSource: false);
        }

        if (job.Kind == TreeJobKind.Clone)
        {
            var nearest = PathFacts.NearestExisting(finalRoot);
            if (nearest.Identity.Volume != status.Value.Identity.Volume)
            {
                throw new CrossVolumeHardLinkException(job.DestinationPath, job.SourcePath);
            }
        }

        if (job.Kind == TreeJobKind.Backup)
        {
            PrepareSnapshot();
        }

        EnsureRoot(source.Stat(string.Empty)!.Value);
    }

    private DirectoryHandle Keep(DirectoryHandle handle)
    {
        opened.Add(handle);
        return handle;
    }

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

    private void EnsureRoot(FileStatus sourceStatus)
    {
        if (repository is not null && job.Kind == TreeJobKind.Backup)
        {
            Act(new TreeAction(TreeActionKind.CreateDirectory, finalRoot));
            var partial = Path.GetFileName(workRoot);
            if (!job.DryRun)
            {
                repository.CreateDirectory(partial);
                work = repository.OpenDirectory(partial);
            }

            FreshRoot(sourceStatus);
            return;
        }

        var existing = PathFacts.Stat(workRoot, followLinks: true);
        if (existing is { Kind: LinkKind.Directory })
        {
            work = DirectoryHandle.Open(workRoot);
            directories.Add((string.Empty, sourceStatus));
            return;
        }

        if (existing is not null)
        {
            throw new NotADirectoryException(job.DestinationPath, existing.Value.Kind, hint: "The destination must be a directory or a name that does not exist yet");
        }

        Act(new TreeAction(TreeActionKind.CreateDirectory, finalRoot));
        if (!job.DryRun)
        {
            // DST's parents are part of the explicit argument (mkdir -p); DST itself is made beneath its parent.
            using var parent = DirectoryHandle.OpenOrCreate(Path.GetDirectoryName(workRoot)!);
            parent.CreateDirectory(Path.GetFileName(workRoot));
            work = parent.OpenDirectory(Path.GetFileName(workRoot));
        }

        FreshRoot(sourceStatus);
    }

    private void FreshRoot(FileStatus sourceStatus)
    {
        freshDirectories.Add(string.Empty);
        summary.Directories++;
        directories.Add((string.Empty, sourceStatus));
    }

    /// <summary>The full path of a work path (for what the user sees).</summary>
    private string FullWork(string workPath) => workPath.Length == 0 ? workRoot : Path.Join(workRoot, workPath);

    /// <summary>Walks one source tree (the anchor, or an unrolled link's target) into the destination.</summary>
    /// <param name="sourceTop">The open directory the walk starts at in the source.</param>
    /// <param name="workTop">Where its entries go, relative to the work root (for a backup: the unfinished snapshot).</param>
    /// <param name="finalTop">Where they will be once the job is done (what link texts point to).</param>
    /// <param name="relativeBase">For an unrolled link: its path relative to the anchor; null for the anchor itself.</param>
    private void Walk(DirectoryHandle sourceTop, string workTop, string finalTop, string? relativeBase)
    {
        var options = new WalkOptions
        {
            OnError = Fail,
            Descend = entry => !failedDirectories.Contains(entry.FullPath),
        };
        var mirror = job.Kind == TreeJobKind.Mirror;
        foreach (var entry in TreeWalker.Walk(sourceTop, options))
        {
            job.Cancellation.ThrowIfCancellationRequested();
            ReportProgress();
            if (entry.Depth == 0)
            {
                if (mirror && relativeBase is null)
                {
                    DeleteExtras(sourceTop, entry, workTop);
                }

                continue;
            }

            var relative = relativeBase is null ? entry.RelativePath : Path.Join(relativeBase, entry.RelativePath);
            if (!IsIncluded(relative, entry.Kind == LinkKind.Directory))
            {
                if (entry.Kind == LinkKind.Directory)
                {
                    failedDirectories.Add(entry.FullPath);
                }

                continue;
            }

            var workPath = Path.Join(workTop, entry.RelativePath);
            var final = Path.Join(finalTop, entry.RelativePath);
            try
            {
                switch (entry.Kind)
                {
                    case LinkKind.Directory:
                        PlaceDirectory(entry, workPath);
                        if (mirror && !failedDirectories.Contains(entry.FullPath))
                        {
                            DeleteExtras(sourceTop, entry, workPath);
                        }

                        break;
                    case LinkKind.File:
                        PlaceFile(entry, sourceTop, workPath, relative);
                        break;
                    case LinkKind.SymbolicLink or LinkKind.Junction:
                        PathLink(entry, sourceTop, workPath, final, relative);
                        break;
                    default:
                        Skip(workPath, entry.FullPath, "special file (device, FIFO or socket) not copied");
                        break;
                }
            }
            catch (LinksmithException error)
            {
                if (entry.Kind == LinkKind.Directory)
                {
                    failedDirectories.Add(entry.FullPath);
                }

                Fail(error);
            }
        }
    }

    /// <summary>An excluded directory is not entered; a file or link must pass include and exclude.</summary>
    private bool IsIncluded(string relative, bool isDirectory) =>
        job.Filter is not { IsEmpty: false } filter || (isDirectory ? !filter.IsExcluded(relative, isDirectory: true) : filter.IncludesFile(relative));

    private void PlaceDirectory(TreeEntry entry, string workPath)
    {
        var existing = ExistingEntry(workPath);
        if (existing is { Kind: LinkKind.Directory })
        {
            directories.Add((workPath, entry.Status));
            return;
        }

        if (existing is not null)
        {
            ClearForReplacement(workPath, existing.Value, LinkKind.Directory);
        }

        Act(new TreeAction(TreeActionKind.CreateDirectory, FullWork(workPath)));
        if (!job.DryRun)
        {
            Work.CreateDirectory(workPath);
        }

        freshDirectories.Add(workPath);
        summary.Directories++;
        directories.Add((workPath, entry.Status));
    }

    private void PlaceFile(TreeEntry entry, DirectoryHandle sourceTop, string workPath, string relative)
    {
        summary.Files++;
        if (entry.Status.LinkCount > 1 && IsCopying)
        {
            // The names of one file are placed together once the walk is done, so that the group
            // is decided as a whole (in a backup: linked to the previous snapshot when any of its
            // names is unchanged there) and its first copy is complete before the others link to it.
            if (!groups.TryGetValue(entry.Status.Identity, out var names))
            {
                groups[entry.Status.Identity] = names = [];
            }

            names.Add(new GroupName(entry, sourceTop, workPath, relative));
            return;
        }

        PlaceSingle(new GroupName(entry, sourceTop, workPath, relative));
    }

    private void PlaceSingle(GroupName name)
    {
        switch (job.Kind)
        {
            case TreeJobKind.Clone:
                PlaceHardLink(name.SourceTop, name.Entry.RelativePath, name.Work, name.Entry, reason: "clone", expected: name.Entry.Status.Identity);
                break;
            case TreeJobKind.SymbolicClone:
                PlaceSymlink(name.Entry.FullPath, name.Work, targetIsDirectory: false);
                break;
            case TreeJobKind.Backup when previous is not null && IsUnchanged(name.Relative, name.Entry.Status):
                if (!TryLinkToPrevious(name))
                {
                    PlaceCopy(name);
                }

                break;
            default:
                PlaceCopy(name);
                break;
        }
    }

    /// <summary>Each hard-link group: one name placed (copied, or linked to the previous snapshot), the others linked to it.</summary>
    private void PlaceGroups()
    {
        foreach (var names in groups.Values)
        {
            var leader = names[0];
            if (job.Kind == TreeJobKind.Backup && previous is not null)
            {
                var unchanged = names.FindIndex(n => IsUnchanged(n.Relative, n.Entry.Status));
                leader = unchanged >= 0 ? names[unchanged] : leader;
            }

            try
            {
                PlaceSingle(leader);
            }
            catch (LinksmithException error)
            {
                Fail(error);
                continue;
            }

            foreach (var name in names)
            {
                if (ReferenceEquals(name, leader))
                {
                    continue;
                }

                try
                {
                    PlaceHardLink(work, leader.Work, name.Work, name.Entry, reason: "hard-link group", expected: null, copyFrom: name);
                }
                catch (LinksmithException error)
                {
                    Fail(error);
                }
            }
        }
    }

    private void PlaceCopy(GroupName name)
    {
        var (entry, sourceTop, workPath, _) = name;
        var existing = ExistingEntry(workPath);
        if (existing is { Kind: LinkKind.File } same && same.Size == entry.Status.Size && same.ModifiedTime == entry.Status.ModifiedTime && job.Kind != TreeJobKind.Backup)
        {
            summary.Skipped++;
            return;
        }

        Act(new TreeAction(TreeActionKind.Copy, FullWork(workPath), entry.FullPath));
        summary.Copied++;
        summary.Bytes += entry.Status.Size;
        if (job.DryRun)
        {
            return;
        }

        var destination = Work;
        var status = entry.Status;
        if (existing is null)
        {
            Run(() => destination.CopyFile(workPath, sourceTop, entry.RelativePath, status));
            return;
        }

        ClearForReplacement(workPath, existing.Value, LinkKind.File);
        Run(() => destination.Replace(workPath, temporary => destination.CopyFile(temporary, sourceTop, entry.RelativePath, status)));
    }

    /// <summary>On a worker when there are workers (the operation must not depend on another queued one).</summary>
    private void Run(Action operation)
    {
        if (workers is null)
        {
            operation();
        }
        else
        {
            workers.Enqueue(operation);
        }
    }

    /// <param name="existingRoot">The directory <paramref name="existingPath"/> is relative to (null: the work root of a dry run that made none).</param>
    /// <param name="existingPath">The file to give another name.</param>
    /// <param name="workPath">The new name, relative to the work root.</param>
    /// <param name="entry">The source entry the new name stands for.</param>
    /// <param name="reason">Why a link (for the action list).</param>
    /// <param name="expected">The identity the linked file must have (the file the walk listed); null when it is a file this job made.</param>
    /// <param name="copyFrom">Where to copy from when the file has all the names it can have (copies only).</param>
    private void PlaceHardLink(DirectoryHandle? existingRoot, string existingPath, string workPath, TreeEntry entry, string reason, FileIdentity? expected, GroupName? copyFrom = null)
    {
        var existing = ExistingEntry(workPath);
        if (existing is { Kind: LinkKind.File } present && existingRoot?.Stat(existingPath) is { } target && target.Identity == present.Identity)
        {
            summary.Skipped++;
            return;
        }

        Act(new TreeAction(TreeActionKind.HardLink, FullWork(workPath), existingRoot?.FullPath(existingPath) ?? FullWork(existingPath), reason));
        summary.Linked++;
        if (job.DryRun || existingRoot is null)
        {
            return;
        }

        if (existing is null)
        {
            Run(() => LinkOrCopy(existingRoot, existingPath, workPath, expected, copyFrom));
            return;
        }

        ClearForReplacement(workPath, existing.Value, LinkKind.File);
        Work.Replace(workPath, temporary => LinkOrCopy(existingRoot, existingPath, temporary, expected, copyFrom));
    }

    /// <summary>A hard link; when the file has reached its link limit, a copy starts a new chain.</summary>
    private void LinkOrCopy(DirectoryHandle existingRoot, string existingPath, string workPath, FileIdentity? expected, GroupName? copyFrom)
    {
        try
        {
            Work.HardLink(workPath, existingRoot, existingPath);
        }
        catch (HardLinkLimitException) when (IsCopying && copyFrom is not null)
        {
            Work.CopyFile(workPath, copyFrom.SourceTop, copyFrom.Entry.RelativePath, copyFrom.Entry.Status);
            lock (failLock)
            {
                summary.Linked--;
                summary.Copied++;
                summary.Bytes += copyFrom.Entry.Status.Size;
            }

            return;
        }

        // The name linked must still be the file the walk listed; another put in its place is not taken.
        if (expected is { } identity && Work.Stat(workPath) is { } linked && linked.Identity != identity)
        {
            Work.Remove(workPath, linked.Kind);
            throw new TreeChangedException(existingRoot.FullPath(existingPath), "is not the file that was listed (it was replaced)");
        }
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

    /// <summary>Same size and modification time (and mode and owner, which a hard link would share) as in the previous snapshot.</summary>
    private bool IsUnchanged(string relative, in FileStatus status) =>
        previous!.Stat(relative) is { Kind: LinkKind.File } old
        && old.Size == status.Size && old.ModifiedTime == status.ModifiedTime
        && old.Mode == status.Mode && (!DirectoryHandle.CanPreserveOwner || (old.Uid == status.Uid && old.Gid == status.Gid));

    private void PathLink(TreeEntry entry, DirectoryHandle sourceTop, string workPath, string final, string relativeToAnchor)
    {
        var text = sourceTop.ReadLink(entry.RelativePath);
        var platform = LinkPlatform.Current;
        var relative = !platform.IsAbsoluteTargetText(text);
        var resolved = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(entry.FullPath)!, platform.NormalizeTargetText(text)));
        var inner = IsWithin(resolved, sourceRoot) || IsWithin(resolved, sourceRealRoot);
        var finalDirectory = Path.GetDirectoryName(final)!;
        var followed = PathFacts.Stat(entry.FullPath, followLinks: true);
        var isDirectory = followed?.Kind == LinkKind.Directory || entry.Status.Kind == LinkKind.Junction;

        if (job.Kind is TreeJobKind.Clone or TreeJobKind.SymbolicClone && !inner && job.Outer == OuterLinkPolicy.Splice)
        {
            PlaceSymlink(relative ? Path.GetRelativePath(finalDirectory, resolved) : text, workPath, isDirectory, entry);
            return;
        }

        if (inner)
        {
            var anchorRoot = IsWithin(resolved, sourceRoot) ? sourceRoot : sourceRealRoot;
            var counterpart = Path.Join(finalRoot, Path.GetRelativePath(anchorRoot, resolved));
            var newText = relative ? Path.GetRelativePath(finalDirectory, counterpart) : counterpart;
            PlaceSymlink(newText, workPath, isDirectory, entry);
            return;
        }

        switch (job.Outer)
        {
            case OuterLinkPolicy.Crop:
                summary.Cropped.Add(entry.FullPath);
                Skip(workPath, entry.FullPath, $"outer link to {text} left out (--outer crop)");
                return;
            case OuterLinkPolicy.Unroll when followed is not null:
                Unroll(entry, workPath, final, relativeToAnchor, followed.Value);
                return;
            default:
                // Splice: the same place as before; a relative text is rewritten for its new depth.
                PlaceSymlink(relative ? Path.GetRelativePath(finalDirectory, resolved) : text, workPath, isDirectory, entry);
                return;
        }
    }

    /// <summary>--outer unroll: what an outer link points to is copied in its place (followed on purpose, once).</summary>
    private void Unroll(TreeEntry link, string workPath, string final, string relativeToAnchor, FileStatus target)
    {
        if (target.Kind != LinkKind.Directory)
        {
            var file = ResolveFully(link.FullPath);
            var folder = Keep(DirectoryHandle.Open(Path.GetDirectoryName(file)!));
            var name = Path.GetFileName(file);
            PlaceFile(new TreeEntry(file, name, link.Depth, folder.Stat(name) ?? target), folder, workPath, relativeToAnchor);
            return;
        }

        // A loop: the target contains the anchor, or is already being unrolled.
        var real = LinkPlatform.Current.CanonicalizeDirectory(link.FullPath);
        if (IsWithin(sourceRealRoot, real) || !unrolling.Add(target.Identity))
        {
            summary.Cropped.Add(link.FullPath);
            Skip(workPath, link.FullPath, "link loop broken while unrolling (the target contains this link)");
            return;
        }

        try
        {
            var top = Keep(DirectoryHandle.Open(real));
            PlaceDirectory(new TreeEntry(real, link.RelativePath, link.Depth, target), workPath);
            Walk(top, workPath, final, relativeToAnchor);
        }
        finally
        {
            unrolling.Remove(target.Identity);
        }
    }

    private static string ResolveFully(string path)
    {
        var current = path;
        for (var i = 0; i < 40 && LinkPlatform.Current.Stat(current).Kind.IsPathLink(); i++)
        {
            current = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(current)!, LinkPlatform.Current.ReadLinkTarget(current)));
        }

        return current;
    }

    private void PlaceSymlink(string targetText, string workPath, bool targetIsDirectory, TreeEntry? source = null)
    {
        var existing = ExistingEntry(workPath);
        if (existing is { Kind: LinkKind.SymbolicLink } && Work.ReadLink(workPath) == targetText)
        {
            summary.Skipped++;
            return;
        }

        Act(new TreeAction(TreeActionKind.Symlink, FullWork(workPath), targetText));
        summary.Symlinked++;
        if (job.DryRun)
        {
            return;
        }

        if (existing is null)
        {
            CreateSymlink(targetText, workPath, targetIsDirectory, source);
            return;
        }

        ClearForReplacement(workPath, existing.Value, LinkKind.SymbolicLink);
        Work.Replace(workPath, temporary => CreateSymlink(targetText, temporary, targetIsDirectory, source));
    }

    private void CreateSymlink(string targetText, string workPath, bool targetIsDirectory, TreeEntry? source)
    {
        Work.Symlink(workPath, targetText, targetIsDirectory);
        if (source is not null)
        {
            Work.SetMetadata(workPath, source.Status with { Kind = LinkKind.SymbolicLink });
        }
    }

    /// <summary>Makes room where an entry of another kind stands; only a mirror deletes, a copy reports.</summary>
    private void ClearForReplacement(string workPath, FileStatus existing, LinkKind wanted)
    {
        var replaceableInPlace = existing.Kind != LinkKind.Directory && wanted != LinkKind.Directory;
        if (replaceableInPlace)
        {
            return;
        }

        if (job.Kind != TreeJobKind.Mirror)
        {
            throw new LinkNameExistsException(FullWork(workPath), existing.Kind);
        }

        DeleteEntry(Work, workPath, existing.Kind);
    }

    private FileStatus? ExistingEntry(string workPath) =>
        freshDirectories.Contains(Path.GetDirectoryName(workPath) ?? string.Empty) || (workPath.Length == 0 && freshDirectories.Contains(string.Empty)) ? null : Work.Stat(workPath);

    /// <summary>Mirror: deletes what the destination folder has and the source folder does not.</summary>
    private void DeleteExtras(DirectoryHandle sourceTop, TreeEntry sourceDirectory, string workDirectory)
    {
        if (freshDirectories.Contains(workDirectory))
        {
            return;
        }

        var wanted = new HashSet<string>(sourceTop.ListNames(sourceDirectory.RelativePath), StringComparer.Ordinal);
        foreach (var name in Work.ListNames(workDirectory))
        {
            if (wanted.Contains(name))
            {
                continue;
            }

            var workPath = Path.Join(workDirectory, name);
            var relative = sourceDirectory.Depth == 0 ? name : Path.Join(sourceDirectory.RelativePath, name);
            var status = Work.Stat(workPath);
            // Excluded entries in the destination are left alone, as rsync does.
            if (status is null || !IsIncluded(relative, status.Value.Kind == LinkKind.Directory))
            {
                continue;
            }

            try
            {
                DeleteEntry(Work, workPath, status.Value.Kind);
            }
            catch (LinksmithException error)
            {
                Fail(error);
            }
        }
    }

    /// <summary>Deletes an entry below <paramref name="root"/>; a directory with everything in it, each link inside removed as a link.</summary>
    private void DeleteEntry(DirectoryHandle root, string relative, LinkKind kind)
    {
        var full = root.FullPath(relative);
        if (kind != LinkKind.Directory)
        {
            Act(new TreeAction(TreeActionKind.Delete, full, Detail: kind.Describe()));
            summary.Deleted++;
            if (!job.DryRun)
            {
                root.Remove(relative, kind);
            }

            return;
        }

        // Every deletion is listed first (in a dry run, only listed).
        List<TreeEntry> inside;
        using (var directory = root.OpenDirectory(relative))
        {
            inside = TreeWalker.Walk(directory, new WalkOptions { StatEverything = false, OnError = Fail }).Skip(1).ToList();
        }

        foreach (var entry in inside)
        {
            Act(new TreeAction(TreeActionKind.Delete, entry.FullPath, Detail: entry.Kind.Describe()));
        }

        Act(new TreeAction(TreeActionKind.Delete, full, Detail: kind.Describe()));
        summary.Deleted += inside.Count + 1;
        if (!job.DryRun)
        {
            root.DeleteTree(relative, Fail);
        }
    }

    private void Skip(string workPath, string sourcePath, string why)
    {
        Act(new TreeAction(TreeActionKind.Skip, FullWork(workPath), sourcePath, why));
        summary.Skipped++;
    }

    /// <summary>Directory modes and times last, deepest first, so adding their contents does not change them.</summary>
    private void FinishDirectories()
    {
        if (job.DryRun)
        {
            return;
        }

        for (var i = directories.Count - 1; i >= 0; i--)
        {
            var (workPath, status) = directories[i];
            try
            {
                Work.SetMetadata(workPath, status);
            }
            catch (LinksmithException error)
            {
                Fail(error);
            }
        }
    }

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

        repositoryLock?.Dispose();
        repositoryLock = null;

        if (job.Keep is { } keep && repository is not null)
        {
            foreach (var old in Snapshots.BeyondKeep(repository, keep, includeNew: job.DryRun ? Path.GetFileName(finalRoot) : null))
            {
                try
                {
                    DeleteEntry(repository, old, LinkKind.Directory);
                }
                catch (LinksmithException error)
                {
                    Fail(error);
                }
            }
        }
    }

    private const string RepositoryLockName = ".linksmith-backup.lock";

    private void Act(TreeAction action)
    {
        job.OnAction?.Invoke(action);
        if (killAfter > 0 && ++actionCount >= killAfter)
        {
            // Test-only crash point (LINKSMITH_TEST_KILL_AFTER): dies as a power cut would, mid-job.
            Process.GetCurrentProcess().Kill();
        }
    }

    private void Fail(LinksmithException error)
    {
        // Workers report too.
        lock (failLock)
        {
            summary.Errors++;
            job.OnError?.Invoke(error);
        }
    }

    private void ReportProgress()
    {
        if (job.OnProgress is { } progress && progressClock.Elapsed >= ProgressInterval)
        {
            progressClock.Restart();
            progress(summary);
        }
    }

    private static bool IsWithin(string path, string root) => PathFacts.IsWithin(path, root);
}
