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
/// Every read and write goes through <see cref="DirectoryHandle"/>s: the source root, and the
/// destination root (work paths are relative to it), so a folder swapped for a link mid-run is
/// reported, never followed. The planner is here; placing entries is in TreeEngine.Place.cs, the
/// mirror's deletes in TreeEngine.Mirror.cs, the backup's snapshot and pruning in TreeEngine.Backup.cs.
/// </remarks>
internal sealed partial class TreeEngine
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(200);

    private readonly TreeJob job;
    private readonly TreeSummary summary = new();
    private readonly Dictionary<FileIdentity, List<GroupName>> groups = [];
    // Directories to finish last: where, the source's status, and (for --xattrs) the source directory.
    private readonly List<(string Work, FileStatus Status, DirectoryHandle? SourceTop, string SourceRelative)> directories = [];
    private readonly HashSet<string> freshDirectories = new(StringComparer.Ordinal);
    // The same, asked with a slice of an entry's path (its parent's), so asking makes no string.
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> freshDirectoriesBySlice;
    private readonly HashSet<string> failedDirectories = new(StringComparer.Ordinal);
    private readonly HashSet<FileIdentity> unrolling = [];
    private readonly Stopwatch progressClock = Stopwatch.StartNew();
    // Handles opened for the job (the source, unrolled link targets, the previous snapshot), closed at its end.
    private readonly List<DirectoryHandle> opened = [];
    private readonly string sourceRoot;
    private readonly string sourceRealRoot;
    // With TreeJob.SourceMayBeEntry and a file or symbolic link as the source: its name (the
    // source handle is then its folder, and it is the job's only entry); null for a tree.
    private readonly string? singleName;
    private DirectoryHandle? source;

    // Where entries are written: DST itself, or a backup's unfinished snapshot in REPO. Work paths
    // are relative to it; every write is made beneath it. Null in a dry run whose DST does not exist.
    private DirectoryHandle? work;

    /// <summary>A new destination made under a hidden name, until <see cref="Publish"/> gives it its own: the folder it is in and that name.</summary>
    private (DirectoryHandle Parent, string Name)? unpublished;
    private string workRoot;
    private string finalRoot;
    private DirectoryHandle? repository;
    private DirectoryHandle? previous;
    // A backup's manifest (null in a dry run and for other jobs), and the previous snapshot's, indexed.
    private ManifestWriter? manifest;
    private ManifestIndex? previousManifest;
    private IDisposable? repositoryLock;
    private WorkQueue? workers;
    // What was counted for operations the workers dropped once the job was cancelled (under failLock).
    private (long Files, long Copied, long Bytes, long Linked) dropped;

    // Unchanged files a worker copied because the previous snapshot's file could take no more
    // names: counted as linked when queued, put right once the workers are done (under failLock).
    private (long Files, long Bytes) copiedInsteadOfLinked;
    private readonly Lock failLock = new();

    private TreeEngine(TreeJob job)
    {
        this.job = job;
        sourceRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(job.SourcePath));
        singleName = job.SourceMayBeEntry && job.Kind == TreeJobKind.Copy && PathFacts.Stat(sourceRoot, followLinks: false) is { Kind: LinkKind.File or LinkKind.SymbolicLink }
            ? Path.GetFileName(sourceRoot)
            : null;
        // A single symbolic link is the link, not its target: only its folder is resolved.
        sourceRealRoot = singleName is null
            ? LinkPlatform.Current.CanonicalizeDirectory(sourceRoot)
            : Path.Join(LinkPlatform.Current.CanonicalizeDirectory(Path.GetDirectoryName(sourceRoot)!), singleName);
        workRoot = finalRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(job.DestinationPath));
        freshDirectoriesBySlice = freshDirectories.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>One name of a hard-linked file, kept until the walk is over.</summary>
    private sealed record GroupName(TreeEntry Entry, DirectoryHandle SourceTop, string Work, string Relative);

    private DirectoryHandle Work => work ?? throw new InvalidOperationException("the destination was not opened");

    /// <summary>For --xattrs: how copies carry attributes over; null without it.</summary>
    private AttributeCopy? attributes;

    /// <summary>Mirror, and a clone with <see cref="TreeJob.Delete"/>: what the source does not have goes.</summary>
    private bool DeletesExtras => job.Kind == TreeJobKind.Mirror || (job.Delete && job.Kind is TreeJobKind.Clone or TreeJobKind.SymbolicClone or TreeJobKind.ReflinkClone);

    private bool IsCopying => job.Kind is TreeJobKind.Copy or TreeJobKind.Mirror or TreeJobKind.Backup or TreeJobKind.ReflinkClone;

    /// <summary>How copied files are written: a Reflink Clone shares blocks or fails.</summary>
    private ReflinkMode Reflink => job.Kind == TreeJobKind.ReflinkClone ? ReflinkMode.Always : job.Reflink;

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
                if (engine.singleName is null)
                {
                    engine.Walk(engine.source!, string.Empty, engine.finalRoot, relativeBase: null);
                }
                else
                {
                    engine.PlaceSingleEntry();
                }
            }
            finally
            {
                engine.workers?.Dispose();
                engine.workers = null;
                var (files, bytes) = engine.copiedInsteadOfLinked;
                engine.summary.Linked -= files;
                engine.summary.Copied += files;
                engine.summary.Bytes += bytes;
            }

            job.Cancellation.ThrowIfCancellationRequested();
            engine.PlaceGroups();
            engine.FinishDirectories();
            engine.Publish();
            engine.Finish();
            return engine.summary;
        }
        catch (OperationCanceledException) when (job.Cancellation.IsCancellationRequested)
        {
            // The workers are stopped by now: take back what was counted for the operations they
            // dropped, so the summary counts what was finished, nothing only queued.
            var summary = engine.summary;
            summary.Files -= engine.dropped.Files;
            summary.Copied -= engine.dropped.Copied;
            summary.Bytes -= engine.dropped.Bytes;
            summary.Linked -= engine.dropped.Linked;
            throw new TreeJobInterruptedException(summary, job.Cancellation);
        }
        finally
        {
            // A job stopped or failed leaves what it finished in place too (see Publish).
            engine.Publish();
            engine.Close();
        }
    }

    private void Close()
    {
        manifest?.Dispose();
        repositoryLock?.Dispose();
        work?.Dispose();
        repository?.Dispose();
        opened.ForEach(static handle => handle.Dispose());
    }

    private void Prepare()
    {
        if (job.KeepExtendedAttributes)
        {
            if (!OperatingSystem.IsLinux() && !OperatingSystem.IsWindows())
            {
                throw new ExtendedAttributesNotSupportedException(job.SourcePath);
            }

            attributes = new AttributeCopy(Warn);
        }

        var status = PathFacts.Stat(sourceRoot, followLinks: singleName is null);
        if (status is null)
        {
            throw new TargetNotFoundException(job.SourcePath);
        }

        if (status.Value.Kind != LinkKind.Directory && singleName is null)
        {
            throw new NotADirectoryException(job.SourcePath, status.Value.Kind);
        }

        // The source root is followed once if it is a link (an explicit argument); below it nothing is.
        // A single entry is reached through its folder, so that the entry itself is never followed.
        source = Keep(DirectoryHandle.Open(singleName is null ? sourceRoot : Path.GetDirectoryName(sourceRoot)!));
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

        if (Reflink == ReflinkMode.Always)
        {
            CheckReflink();
        }

        if (job.Kind == TreeJobKind.Backup)
        {
            PrepareSnapshot();
        }

        if (singleName is not null)
        {
            EnsureFolderForEntry();
            return;
        }

        EnsureRoot(source.Stat(string.Empty)!.Value);
    }

    /// <summary>
    /// --reflink always, a Reflink Clone: before anything is made, the first file of the source (or
    /// its single file) is cloned into an unnamed file in the destination (or its nearest existing parent) and
    /// discarded, so a file system without reflinks, or a destination on another file system, is
    /// refused with nothing written. A source without files has nothing to share: no check.
    /// </summary>
    private void CheckReflink()
    {
        var first = singleName is not null
            ? source!.Stat(singleName) is { Kind: LinkKind.File } ? singleName : null
            : TreeWalker.Walk(source!, new WalkOptions
            {
                Descend = entry => IsIncluded(entry.RelativePath, isDirectory: true),
            }).FirstOrDefault(entry => entry.Kind == LinkKind.File && IsIncluded(entry.RelativePath, isDirectory: false))?.RelativePath;
        if (first is null)
        {
            return;
        }

        var nearest = finalRoot;
        while (PathFacts.Stat(nearest, followLinks: true) is not { Kind: LinkKind.Directory })
        {
            nearest = Path.GetDirectoryName(nearest) ?? throw new TargetNotFoundException(job.DestinationPath);
        }

        using var destination = DirectoryHandle.Open(nearest);
        destination.CheckReflink(source!, first);
    }

    private DirectoryHandle Keep(DirectoryHandle handle)
    {
        opened.Add(handle);
        return handle;
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
                // Named as a snapshot only once it is complete: its files need no temporary name each.
                work.MarkUnpublished(work.Path);
            }

            FreshRoot(sourceStatus);
            return;
        }

        var existing = PathFacts.Stat(workRoot, followLinks: true);
        if (existing is { Kind: LinkKind.Directory })
        {
            work = DirectoryHandle.Open(workRoot);
            directories.Add((string.Empty, sourceStatus, source, string.Empty));
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
            var parent = Keep(DirectoryHandle.OpenOrCreate(Path.GetDirectoryName(workRoot)!));
            var name = Path.GetFileName(workRoot);
            if (IsCopying && job.HideUntilDone && OperatingSystem.IsLinux())
            {
                // A new tree of copies is made under a hidden name (0700 until it is done, like
                // every new folder) and renamed to DST at the end: it is there whole or not at all,
                // and its files need no temporary name each (see DirectoryHandle.Unpublished).
                var hidden = DirectoryHandle.TemporaryName(name);
                parent.CreateDirectory(hidden);
                unpublished = (parent, hidden);
                work = parent.OpenDirectory(hidden);
                work.MarkUnpublished(workRoot);
            }
            else
            {
                parent.CreateDirectory(name);
                work = parent.OpenDirectory(name);
            }
        }

        FreshRoot(sourceStatus);
    }

    /// <summary>
    /// Gives a new destination made under a hidden name its own (RENAME_NOREPLACE: should an entry
    /// have appeared at DST meanwhile, it is reported, and the copy stays where it was made).
    /// Also when the job was stopped or failed: what was finished is then in place, as without the
    /// hidden name.
    /// </summary>
    private void Publish()
    {
        if (unpublished is not { } place)
        {
            return;
        }

        unpublished = null;
        try
        {
            place.Parent.Rename(place.Name, Path.GetFileName(workRoot), replace: false);
        }
        catch (LinksmithException error)
        {
            Fail(new TreeChangedException(finalRoot, $"it could not be given its name ({error.Message}); the copy is at {place.Parent.FullPath(place.Name)}"));
        }
    }

    /// <summary>
    /// A single entry's destination: the folder it goes into, opened, or created with the folders
    /// it needs (mkdir -p; the new folder's mode and times are the system's, there being no source
    /// folder to take them from). An existing folder's own metadata is left alone.
    /// </summary>
    private void EnsureFolderForEntry()
    {
        var existing = PathFacts.Stat(workRoot, followLinks: true);
        if (existing is { Kind: LinkKind.Directory })
        {
            work = DirectoryHandle.Open(workRoot);
            return;
        }

        if (existing is not null)
        {
            throw new NotADirectoryException(job.DestinationPath, existing.Value.Kind, hint: "One file is restored into a folder, under its own name: give a folder, or a name that does not exist yet (it is created)");
        }

        Act(new TreeAction(TreeActionKind.CreateDirectory, finalRoot));
        if (!job.DryRun)
        {
            work = DirectoryHandle.OpenOrCreate(workRoot);
        }

        freshDirectories.Add(string.Empty);
        summary.Directories++;
    }

    /// <summary>The job's only entry (<see cref="TreeJob.SourceMayBeEntry"/>): a file placed as in a copy, a symbolic link with its own text.</summary>
    private void PlaceSingleEntry()
    {
        var name = singleName!;
        try
        {
            var status = source!.Stat(name) ?? throw new TargetNotFoundException(sourceRoot);
            var entry = new TreeEntry(sourceRoot, name, depth: 1, status);
            switch (status.Kind)
            {
                case LinkKind.File:
                    PlaceFile(entry, source, name, name);
                    break;
                case LinkKind.SymbolicLink:
                    PlaceSymlink(source.ReadLink(name), name, PathFacts.Stat(sourceRoot, followLinks: true) is { Kind: LinkKind.Directory }, entry);
                    break;
                default:
                    throw new TreeChangedException(sourceRoot, $"is a {status.Kind.Describe()} now, not the file or symbolic link it was");
            }
        }
        catch (LinksmithException error)
        {
            Fail(error);
        }
    }

    private void FreshRoot(FileStatus sourceStatus)
    {
        freshDirectories.Add(string.Empty);
        summary.Directories++;
        directories.Add((string.Empty, sourceStatus, source, string.Empty));
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
        var mirror = DeletesExtras;
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
            try
            {
                switch (entry.Kind)
                {
                    case LinkKind.Directory:
                        PlaceDirectory(entry, sourceTop, workPath);
                        if (mirror && !failedDirectories.Contains(entry.FullPath))
                        {
                            DeleteExtras(sourceTop, entry, workPath);
                        }

                        break;
                    case LinkKind.File:
                        PlaceFile(entry, sourceTop, workPath, relative);
                        break;
                    case LinkKind.SymbolicLink or LinkKind.Junction:
                        PathLink(entry, sourceTop, workPath, Path.Join(finalTop, entry.RelativePath), relative);
                        break;
                    default:
                        Skip(workPath, entry.FullPath, TreeAction.SpecialFileSkipped);
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

    /// <summary>On a worker when there are workers (the operation must not depend on another queued one).</summary>
    /// <param name="operation">The file operation.</param>
    /// <param name="name">The name it makes in the work tree, relative to it (workers keep apart from each other's folders: see <see cref="WorkQueue"/>).</param>
    /// <param name="counted">What the summary counted for it (copies, bytes, links), to take back should the job be cancelled before a worker starts it.</param>
    private void Run(Action operation, string name, (long Copied, long Bytes, long Linked) counted)
    {
        if (workers is null)
        {
            operation();
        }
        else
        {
            workers.Enqueue(operation, WorkQueue.FolderKey(name), () =>
            {
                lock (failLock)
                {
                    dropped = (dropped.Files + 1, dropped.Copied + counted.Copied, dropped.Bytes + counted.Bytes, dropped.Linked + counted.Linked);
                }
            });
        }
    }

    private void Act(TreeAction action)
    {
        job.OnAction?.Invoke(action);
        Reached();
    }

    /// <summary>
    /// Whether anyone is told of actions. Without a listener the per-file sites only reach the
    /// fault point: an action costs two path strings and a record, for every file of the tree.
    /// </summary>
    private bool Heard => job.OnAction is not null;

    /// <summary>The fault point after each action, for a site that did not build the action (nobody hears it).</summary>
    private static void Reached() => FaultPoints.Hit(FaultPoints.TreeAction);

    private void Fail(LinksmithException error)
    {
        // Workers report too.
        lock (failLock)
        {
            summary.Errors++;
            job.OnError?.Invoke(error);
        }
    }

    private void Warn(AttributeWarning warning)
    {
        // Workers report too.
        lock (failLock)
        {
            job.OnWarning?.Invoke(warning);
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
