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
    private readonly TreeFileSystem files = TreeFileSystem.Current;
    private readonly TreeSummary summary = new();
    private readonly Dictionary<FileIdentity, List<(TreeEntry Entry, string Work, string Relative)>> groups = [];
    private readonly List<(string Path, FileStatus Status)> directories = [];
    private readonly HashSet<string> freshDirectories = new(StringComparer.Ordinal);
    private readonly HashSet<string> failedDirectories = new(StringComparer.Ordinal);
    private readonly HashSet<FileIdentity> unrolling = [];
    private readonly Stopwatch progressClock = Stopwatch.StartNew();
    private readonly string sourceRoot;
    private readonly string sourceRealRoot;
    private string workRoot;
    private string finalRoot;
    private string? previousSnapshot;
    private WorkQueue? workers;
    private readonly Lock failLock = new();
    private FileStream? repositoryLock;
    private long actionCount;
    private readonly long killAfter = long.TryParse(Environment.GetEnvironmentVariable("LINKSMITH_TEST_KILL_AFTER"), out var n) ? n : 0;

    private TreeEngine(TreeJob job)
    {
        this.job = job;
        sourceRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(job.SourcePath));
        sourceRealRoot = LinkPlatform.Current.CanonicalizeDirectory(sourceRoot);
        workRoot = finalRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(job.DestinationPath));
    }

    private bool IsCopying => job.Kind is TreeJobKind.Copy or TreeJobKind.Mirror or TreeJobKind.Backup;

    public static TreeSummary Run(TreeJob job)
    {
        var engine = new TreeEngine(job);
        engine.Prepare();
        var threads = job.DryRun ? 0 : job.Parallelism ?? Environment.ProcessorCount;
        engine.workers = threads > 0 ? new WorkQueue(threads, engine.Fail, job.Cancellation) : null;
        try
        {
            engine.Walk(engine.sourceRoot, engine.workRoot, engine.finalRoot, relativeBase: null);
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

    private void Prepare()
    {
        var source = TreeWalker.StatPath(sourceRoot, followLinks: true);
        if (source is null)
        {
            throw new TargetNotFoundException(job.SourcePath);
        }

        if (source.Value.Kind != LinkKind.Directory)
        {
            throw new NotADirectoryException(job.SourcePath, source.Value.Kind);
        }

        var destinationReal = CanonicalizeMaybeMissing(finalRoot);
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
            var nearest = NearestExisting(finalRoot);
            if (nearest.Identity.Volume != source.Value.Identity.Volume)
            {
                throw new CrossVolumeHardLinkException(job.DestinationPath, job.SourcePath);
            }
        }

        if (job.Kind == TreeJobKind.Backup)
        {
            PrepareSnapshot();
        }

        EnsureRoot(source.Value);
    }

    private void PrepareSnapshot()
    {
        var repository = finalRoot;
        if (!job.DryRun)
        {
            System.IO.Directory.CreateDirectory(repository);
        }

        if (!job.DryRun)
        {
            // One backup at a time per repository; the lock is released when the process ends,
            // however it ends. An unfinished snapshot left by a killed run is then garbage.
            repositoryLock = AcquireRepositoryLock(repository);
            foreach (var stale in Snapshots.Unfinished(repository))
            {
                Act(new TreeAction(TreeActionKind.Delete, stale, Detail: "unfinished snapshot of an interrupted backup"));
                files.DeleteTree(stale, Fail);
            }
        }

        previousSnapshot = job.PreviousSnapshot is { } chosen ? Path.GetFullPath(chosen) : Snapshots.Newest(repository);
        if (previousSnapshot is not null && TreeWalker.StatPath(previousSnapshot, followLinks: true) is not { Kind: LinkKind.Directory })
        {
            throw new TargetNotFoundException(job.PreviousSnapshot ?? previousSnapshot);
        }

        var name = Snapshots.NewName(repository, DateTime.UtcNow);
        finalRoot = Path.Join(repository, name);
        workRoot = Path.Join(repository, Snapshots.PartialPrefix + name);
        summary.SnapshotPath = finalRoot;
    }

    private void EnsureRoot(FileStatus sourceStatus)
    {
        var existing = TreeWalker.StatPath(workRoot, followLinks: true);
        if (existing is { Kind: LinkKind.Directory })
        {
            directories.Add((workRoot, sourceStatus));
            return;
        }

        if (existing is not null)
        {
            throw new NotADirectoryException(job.DestinationPath, existing.Value.Kind);
        }

        Act(new TreeAction(TreeActionKind.CreateDirectory, finalRoot));
        if (!job.DryRun)
        {
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(workRoot)!);
            files.CreateDirectory(workRoot);
        }

        freshDirectories.Add(workRoot);
        summary.Directories++;
        directories.Add((workRoot, sourceStatus));
    }

    /// <summary>Walks one source tree (the anchor, or an unrolled link's target) into the destination.</summary>
    /// <param name="sourceTop">Where the walk starts in the source.</param>
    /// <param name="workTop">Where its entries go (for a backup: inside the unfinished snapshot).</param>
    /// <param name="finalTop">Where they will be once the job is done (what link texts point to).</param>
    /// <param name="relativeBase">For an unrolled link: its path relative to the anchor; null for the anchor itself.</param>
    private void Walk(string sourceTop, string workTop, string finalTop, string? relativeBase)
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
                    DeleteExtras(entry, workTop);
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

            var work = Path.Join(workTop, entry.RelativePath);
            var final = Path.Join(finalTop, entry.RelativePath);
            try
            {
                switch (entry.Kind)
                {
                    case LinkKind.Directory:
                        PlaceDirectory(entry, work);
                        if (mirror && !failedDirectories.Contains(entry.FullPath))
                        {
                            DeleteExtras(entry, work);
                        }

                        break;
                    case LinkKind.File:
                        PlaceFile(entry, work, relative);
                        break;
                    case LinkKind.SymbolicLink or LinkKind.Junction:
                        PathLink(entry, work, final, relative);
                        break;
                    default:
                        Skip(work, entry.FullPath, "special file (device, FIFO or socket) not copied");
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

    private void PlaceDirectory(TreeEntry entry, string work)
    {
        var parentFresh = freshDirectories.Contains(Path.GetDirectoryName(work)!);
        var existing = parentFresh ? null : TreeWalker.StatPath(work, followLinks: false);
        if (existing is { Kind: LinkKind.Directory })
        {
            directories.Add((work, entry.Status));
            return;
        }

        if (existing is not null)
        {
            ClearForReplacement(work, existing.Value, LinkKind.Directory);
        }

        Act(new TreeAction(TreeActionKind.CreateDirectory, work));
        if (!job.DryRun)
        {
            files.CreateDirectory(work);
        }

        freshDirectories.Add(work);
        summary.Directories++;
        directories.Add((work, entry.Status));
    }

    private void PlaceFile(TreeEntry entry, string work, string relative)
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

            names.Add((entry, work, relative));
            return;
        }

        PlaceSingle(entry, work, relative);
    }

    private void PlaceSingle(TreeEntry entry, string work, string relative)
    {
        switch (job.Kind)
        {
            case TreeJobKind.Clone:
                PlaceHardLink(entry.FullPath, work, entry, reason: "clone");
                break;
            case TreeJobKind.SymbolicClone:
                PlaceSymlink(entry.FullPath, work, targetIsDirectory: false);
                break;
            case TreeJobKind.Backup when previousSnapshot is not null && IsUnchanged(Path.Join(previousSnapshot, relative), entry.Status):
                if (!TryLinkToPrevious(Path.Join(previousSnapshot, relative), work, entry))
                {
                    PlaceCopy(entry, work);
                }

                break;
            default:
                PlaceCopy(entry, work);
                break;
        }
    }

    /// <summary>Each hard-link group: one name placed (copied, or linked to the previous snapshot), the others linked to it.</summary>
    private void PlaceGroups()
    {
        foreach (var names in groups.Values)
        {
            var leader = names[0];
            if (job.Kind == TreeJobKind.Backup && previousSnapshot is not null)
            {
                var unchanged = names.FindIndex(n => IsUnchanged(Path.Join(previousSnapshot, n.Relative), n.Entry.Status));
                leader = unchanged >= 0 ? names[unchanged] : leader;
            }

            try
            {
                PlaceSingle(leader.Entry, leader.Work, leader.Relative);
            }
            catch (LinksmithException error)
            {
                Fail(error);
                continue;
            }

            foreach (var name in names)
            {
                if (ReferenceEquals(name.Entry, leader.Entry))
                {
                    continue;
                }

                try
                {
                    PlaceHardLink(leader.Work, name.Work, name.Entry, reason: "hard-link group");
                }
                catch (LinksmithException error)
                {
                    Fail(error);
                }
            }
        }
    }

    private void PlaceCopy(TreeEntry entry, string work)
    {
        var existing = ExistingEntry(work);
        if (existing is { Kind: LinkKind.File } same && same.Size == entry.Status.Size && same.ModifiedTime == entry.Status.ModifiedTime && job.Kind != TreeJobKind.Backup)
        {
            summary.Skipped++;
            return;
        }

        Act(new TreeAction(TreeActionKind.Copy, work, entry.FullPath));
        summary.Copied++;
        summary.Bytes += entry.Status.Size;
        if (job.DryRun)
        {
            return;
        }

        if (existing is null)
        {
            Run(() => files.CopyFile(entry.FullPath, work, entry.Status));
            return;
        }

        ClearForReplacement(work, existing.Value, LinkKind.File);
        Run(() => ReplaceAtomically(work, temporary => files.CopyFile(entry.FullPath, temporary, entry.Status)));
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

    private void PlaceHardLink(string existingPath, string work, TreeEntry entry, string reason)
    {
        var existing = ExistingEntry(work);
        if (existing is { Kind: LinkKind.File } present && TreeWalker.StatPath(existingPath, followLinks: false) is { } target && target.Identity == present.Identity)
        {
            summary.Skipped++;
            return;
        }

        Act(new TreeAction(TreeActionKind.HardLink, work, existingPath, reason));
        summary.Linked++;
        if (job.DryRun)
        {
            return;
        }

        if (existing is null)
        {
            Run(() => LinkOrCopy(existingPath, work, entry));
            return;
        }

        ClearForReplacement(work, existing.Value, LinkKind.File);
        ReplaceAtomically(work, temporary => LinkOrCopy(existingPath, temporary, entry));
    }

    /// <summary>A hard link; when the file has reached its link limit, a copy starts a new chain.</summary>
    private void LinkOrCopy(string existingPath, string work, TreeEntry entry)
    {
        try
        {
            files.HardLink(existingPath, work);
        }
        catch (HardLinkLimitException) when (IsCopying)
        {
            files.CopyFile(entry.FullPath, work, entry.Status);
            summary.Linked--;
            summary.Copied++;
            summary.Bytes += entry.Status.Size;
        }
    }

    private bool TryLinkToPrevious(string previous, string work, TreeEntry entry)
    {
        Act(new TreeAction(TreeActionKind.HardLink, work, previous, "unchanged since the previous snapshot"));
        if (job.DryRun)
        {
            summary.Linked++;
            return true;
        }

        try
        {
            files.HardLink(previous, work);
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
    private bool IsUnchanged(string previous, in FileStatus status) =>
        TreeWalker.StatPath(previous, followLinks: false) is { Kind: LinkKind.File } old
        && old.Size == status.Size && old.ModifiedTime == status.ModifiedTime
        && old.Mode == status.Mode && (!files.CanPreserveOwner || (old.Uid == status.Uid && old.Gid == status.Gid));

    private void PathLink(TreeEntry entry, string work, string final, string relativeToAnchor)
    {
        var text = files.ReadLink(entry.FullPath);
        var platform = LinkPlatform.Current;
        var relative = !platform.IsAbsoluteTargetText(text);
        var resolved = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(entry.FullPath)!, platform.NormalizeTargetText(text)));
        var inner = IsWithin(resolved, sourceRoot) || IsWithin(resolved, sourceRealRoot);
        var finalDirectory = Path.GetDirectoryName(final)!;
        var followed = TreeWalker.StatPath(entry.FullPath, followLinks: true);
        var isDirectory = followed?.Kind == LinkKind.Directory || entry.Status.Kind == LinkKind.Junction;

        if (job.Kind is TreeJobKind.Clone or TreeJobKind.SymbolicClone && !inner && job.Outer == OuterLinkPolicy.Splice)
        {
            PlaceSymlink(relative ? Path.GetRelativePath(finalDirectory, resolved) : text, work, isDirectory, entry);
            return;
        }

        if (inner)
        {
            var anchorRoot = IsWithin(resolved, sourceRoot) ? sourceRoot : sourceRealRoot;
            var counterpart = Path.Join(finalRoot, Path.GetRelativePath(anchorRoot, resolved));
            var newText = relative ? Path.GetRelativePath(finalDirectory, counterpart) : counterpart;
            PlaceSymlink(newText, work, isDirectory, entry);
            return;
        }

        switch (job.Outer)
        {
            case OuterLinkPolicy.Crop:
                summary.Cropped.Add(entry.FullPath);
                Skip(work, entry.FullPath, $"outer link to {text} left out (--outer crop)");
                return;
            case OuterLinkPolicy.Unroll when followed is not null:
                Unroll(entry, work, final, relativeToAnchor, followed.Value);
                return;
            default:
                // Splice: the same place as before; a relative text is rewritten for its new depth.
                PlaceSymlink(relative ? Path.GetRelativePath(finalDirectory, resolved) : text, work, isDirectory, entry);
                return;
        }
    }

    private void Unroll(TreeEntry link, string work, string final, string relativeToAnchor, FileStatus target)
    {
        if (target.Kind != LinkKind.Directory)
        {
            PlaceFile(new TreeEntry(ResolveFully(link.FullPath), link.RelativePath, link.Depth, target), work, relativeToAnchor);
            return;
        }

        // A loop: the target contains the anchor, or is already being unrolled.
        var real = LinkPlatform.Current.CanonicalizeDirectory(link.FullPath);
        if (IsWithin(sourceRealRoot, real) || !unrolling.Add(target.Identity))
        {
            summary.Cropped.Add(link.FullPath);
            Skip(work, link.FullPath, "link loop broken while unrolling (the target contains this link)");
            return;
        }

        try
        {
            PlaceDirectory(new TreeEntry(real, link.RelativePath, link.Depth, target), work);
            Walk(real, work, final, relativeToAnchor);
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

    private void PlaceSymlink(string targetText, string work, bool targetIsDirectory, TreeEntry? source = null)
    {
        var existing = ExistingEntry(work);
        if (existing is { Kind: LinkKind.SymbolicLink } && files.ReadLink(work) == targetText)
        {
            summary.Skipped++;
            return;
        }

        Act(new TreeAction(TreeActionKind.Symlink, work, targetText));
        summary.Symlinked++;
        if (job.DryRun)
        {
            return;
        }

        if (existing is null)
        {
            CreateSymlink(targetText, work, targetIsDirectory, source);
            return;
        }

        ClearForReplacement(work, existing.Value, LinkKind.SymbolicLink);
        ReplaceAtomically(work, temporary => CreateSymlink(targetText, temporary, targetIsDirectory, source));
    }

    private void CreateSymlink(string targetText, string path, bool targetIsDirectory, TreeEntry? source)
    {
        files.Symlink(targetText, path, targetIsDirectory);
        if (source is not null)
        {
            files.SetMetadata(path, source.Status);
        }
    }

    /// <summary>Makes room where an entry of another kind stands; only a mirror deletes, a copy reports.</summary>
    private void ClearForReplacement(string work, FileStatus existing, LinkKind wanted)
    {
        var replaceableInPlace = existing.Kind != LinkKind.Directory && wanted != LinkKind.Directory;
        if (replaceableInPlace)
        {
            return;
        }

        if (job.Kind != TreeJobKind.Mirror)
        {
            throw new LinkNameExistsException(work, existing.Kind);
        }

        DeleteEntry(work, existing.Kind);
    }

    private void ReplaceAtomically(string work, Action<string> create)
    {
        var temporary = Link.TemporaryName(work);
        create(temporary);
        try
        {
            files.Rename(temporary, work);
        }
        catch
        {
            files.RemoveEntry(temporary, LinkKind.File);
            throw;
        }
    }

    private FileStatus? ExistingEntry(string work) =>
        freshDirectories.Contains(Path.GetDirectoryName(work)!) ? null : TreeWalker.StatPath(work, followLinks: false);

    /// <summary>Mirror: deletes what the destination folder has and the source folder does not.</summary>
    private void DeleteExtras(TreeEntry sourceDirectory, string workDirectory)
    {
        if (freshDirectories.Contains(workDirectory))
        {
            return;
        }

        var wanted = new HashSet<string>(files.ListNames(sourceDirectory.FullPath), StringComparer.Ordinal);
        foreach (var name in files.ListNames(workDirectory).ToList())
        {
            if (wanted.Contains(name))
            {
                continue;
            }

            var path = Path.Join(workDirectory, name);
            var relative = sourceDirectory.Depth == 0 ? name : Path.Join(sourceDirectory.RelativePath, name);
            var status = TreeWalker.StatPath(path, followLinks: false);
            // Excluded entries in the destination are left alone, as rsync does.
            if (status is null || !IsIncluded(relative, status.Value.Kind == LinkKind.Directory))
            {
                continue;
            }

            try
            {
                DeleteEntry(path, status.Value.Kind);
            }
            catch (LinksmithException error)
            {
                Fail(error);
            }
        }
    }

    private void DeleteEntry(string path, LinkKind kind)
    {
        if (kind != LinkKind.Directory)
        {
            Act(new TreeAction(TreeActionKind.Delete, path, Detail: kind.Describe()));
            summary.Deleted++;
            if (!job.DryRun)
            {
                files.RemoveEntry(path, kind);
            }

            return;
        }

        // Every deletion is listed; links inside are removed as links, never followed.
        var inside = TreeWalker.Walk(path, new WalkOptions { StatEverything = false, OnError = Fail }).Skip(1).ToList();
        foreach (var entry in inside)
        {
            Act(new TreeAction(TreeActionKind.Delete, entry.FullPath, Detail: entry.Kind.Describe()));
        }

        Act(new TreeAction(TreeActionKind.Delete, path, Detail: kind.Describe()));
        summary.Deleted += inside.Count + 1;
        if (!job.DryRun)
        {
            files.DeleteTree(path, Fail);
        }
    }

    private void Skip(string work, string source, string why)
    {
        Act(new TreeAction(TreeActionKind.Skip, work, source, why));
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
            var (path, status) = directories[i];
            try
            {
                files.SetMetadata(path, status);
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
            files.Rename(workRoot, finalRoot);
        }

        repositoryLock?.Dispose();

        if (job.Keep is { } keep)
        {
            foreach (var old in Snapshots.BeyondKeep(Path.GetDirectoryName(finalRoot)!, keep, includeNew: job.DryRun ? finalRoot : null))
            {
                try
                {
                    DeleteEntry(old, LinkKind.Directory);
                }
                catch (LinksmithException error)
                {
                    Fail(error);
                }
            }
        }
    }

    private static FileStream AcquireRepositoryLock(string repository)
    {
        var path = Path.Join(repository, ".linksmith-backup.lock");
        try
        {
            // FileShare.None takes an exclusive advisory lock (flock) on Unix and a share lock on Windows.
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException error) when (OperatingSystem.IsWindows()
            ? (error.HResult & 0xFFFF) is 32 or 33 // ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION
            : error.HResult == Interop.Libc.EAGAIN) // flock(LOCK_EX | LOCK_NB) answers EWOULDBLOCK
        {
            throw new BackupInProgressException(repository);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // A read-only REPO, or one this user cannot write: not "another backup".
            throw LinksmithException.FromSystemError(error, repository);
        }
    }

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

    private static bool IsWithin(string path, string root)
    {
        var comparison = OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        if (path.Equals(root, comparison))
        {
            return true;
        }

        var prefix = Path.EndsInDirectorySeparator(root) ? root : root + Path.DirectorySeparatorChar;
        return path.StartsWith(prefix, comparison);
    }

    private static string CanonicalizeMaybeMissing(string path)
    {
        var missing = new Stack<string>();
        var current = path;
        while (TreeWalker.StatPath(current, followLinks: true) is null && Path.GetDirectoryName(current) is { } parent)
        {
            missing.Push(Path.GetFileName(current));
            current = parent;
        }

        var real = LinkPlatform.Current.CanonicalizeDirectory(current);
        return missing.Count == 0 ? real : Path.Join([real, .. missing]);
    }

    private static FileStatus NearestExisting(string path)
    {
        for (var current = path; current is not null; current = Path.GetDirectoryName(current))
        {
            if (TreeWalker.StatPath(current, followLinks: true) is { } status)
            {
                return status;
            }
        }

        return default;
    }
}
