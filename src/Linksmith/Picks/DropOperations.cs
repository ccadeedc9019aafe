namespace Linksmith;

/// <summary>
/// Drops picked items into a folder ("Drop As" in a file manager): as symbolic links, hard links,
/// junctions, or through the tree engine as copies, mirrors, clones and backups.
/// </summary>
/// <remarks>
/// Each item lands at <c>DEST_DIR/NAME</c>. A name that is taken gets a suffix (see
/// <see cref="DropNames"/>) instead of failing, with exceptions whose point is to update what
/// is there: a mirror brings an existing <c>DEST_DIR/NAME</c> up to date, a clone of a folder
/// (hard-link, symbolic or reflink) updates the clone there as <c>clone SRC DST</c> does, and a
/// backup adds a snapshot to the repository <c>DEST_DIR/NAME</c>. A file dropped as a hard-link or
/// symbolic clone onto the name that already is that link is reported unchanged. An item that fails is reported and the others
/// are still dropped.
/// </remarks>
public static class DropOperations
{
    // A name that became taken between choosing it and creating it is retried with the next
    // suffix; a bound keeps a file system that always says "exists" from looping forever.
    private const int MaxNameRaces = 20;

    /// <summary>Runs <paramref name="job"/>: every item is tried, in order.</summary>
    /// <returns>One result per picked item.</returns>
    /// <exception cref="NotADirectoryException">The destination is not an existing directory.</exception>
    /// <exception cref="OperationCanceledException">The job was cancelled.</exception>
    public static IReadOnlyList<DropItemResult> Run(DropJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentException.ThrowIfNullOrEmpty(job.DestinationDirectory);
        var destination = Path.TrimEndingDirectorySeparator(Path.GetFullPath(job.DestinationDirectory));
        var destinationStatus = PathFacts.Stat(destination, followLinks: true);
        if (destinationStatus is not { Kind: LinkKind.Directory })
        {
            throw new NotADirectoryException(job.DestinationDirectory, destinationStatus?.Kind ?? LinkKind.Missing);
        }

        var reserved = new HashSet<string>(OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        var results = new List<DropItemResult>(job.SourcePaths.Count);
        foreach (var source in job.SourcePaths)
        {
            job.Cancellation.ThrowIfCancellationRequested();
            var result = DropOne(job, source, destination, reserved);
            results.Add(result);
            job.OnItem?.Invoke(result);
        }

        return results;
    }

    private static DropItemResult DropOne(DropJob job, string source, string destination, HashSet<string> reserved)
    {
        var result = new DropItemResult { SourcePath = source };
        try
        {
            var fullSource = Path.TrimEndingDirectorySeparator(Path.GetFullPath(source));
            var info = Link.Inspect(fullSource);
            if (info.Kind == LinkKind.Missing)
            {
                throw new TargetNotFoundException(source);
            }

            var isDirectory = info.Kind is LinkKind.Directory or LinkKind.Junction || (info.Kind == LinkKind.SymbolicLink && info.TargetIsDirectory && !info.IsDangling);
            result = result with { SourceIsDirectory = isDirectory };
            var name = Path.GetFileName(fullSource);
            if (name.Length == 0)
            {
                throw new DropNotPossibleException(source, "is the root of a volume and has no name to drop under", "Pick a folder inside it instead");
            }

            CheckKindFits(job.Kind, source, isDirectory);
            var natural = Path.Join(destination, name);
            if (job.Kind == DropKind.Move)
            {
                // A move keeps the item's name: its old path becomes a link to exactly that place.
                var moved = Mover.Move(fullSource, destination, LeaveBehind.Default, new MoveOptions { DryRun = job.DryRun, Cancellation = job.Cancellation });
                return result with { DestinationPath = natural, Tree = moved.Summary, Errors = moved.Errors };
            }

            if (ShouldUpdate(job.Kind, natural, fullSource, isDirectory, reserved))
            {
                reserved.Add(natural);
                return Carry(job, result with { DestinationPath = natural, UpdatedExisting = true }, fullSource, info);
            }

            if (!isDirectory && !reserved.Contains(natural) && IsAlreadyFileClone(job.Kind, natural, fullSource))
            {
                reserved.Add(natural);
                return result with { DestinationPath = natural, UpdatedExisting = true, Tree = new TreeSummary { Skipped = 1, Unchanged = 1, Files = 1 } };
            }

            for (var race = 0; ; race++)
            {
                var chosen = DropNames.Choose(destination, name, isDirectory, reserved);
                reserved.Add(chosen);
                try
                {
                    return Carry(job, result with { DestinationPath = chosen }, fullSource, info);
                }
                catch (LinkNameExistsException) when (race < MaxNameRaces && !job.DryRun)
                {
                    // Someone took the name after it was chosen: the next suffix is tried.
                }
            }
        }
        catch (LinksmithException error)
        {
            return result with { Errors = [error] };
        }
    }

    private static void CheckKindFits(DropKind kind, string source, bool isDirectory)
    {
        switch (kind)
        {
            case DropKind.HardLink when isDirectory:
                throw new DropNotPossibleException(source, "is a folder, and hard links name files only", "Drop it as a junction or symbolic link, or as a clone (a new folder tree whose files are hard links)");
            case DropKind.Junction when !isDirectory:
                throw new DropNotPossibleException(source, "is a file, and a junction points to a folder", "Drop it as a symbolic link or a hard link");
            case DropKind.Backup when !isDirectory:
                throw new DropNotPossibleException(source, "is a file, and a backup is made of a folder", "Drop it as a copy, or pick the folder that holds it");
        }
    }

    /// <summary>
    /// Mirror and backup update an existing <c>DEST_DIR/NAME</c> of the same kind: that is what
    /// they are for; so do the clones of a folder (an existing folder there is the clone to
    /// update, as with <c>clone SRC DST</c>). Never the item itself (dropped into its own folder),
    /// which gets a new name.
    /// </summary>
    private static bool ShouldUpdate(DropKind kind, string natural, string fullSource, bool isDirectory, HashSet<string> reserved)
    {
        var updates = kind is DropKind.Mirror or DropKind.Backup
            || (isDirectory && kind is DropKind.Clone or DropKind.SymbolicClone or DropKind.ReflinkClone);
        if (!updates || reserved.Contains(natural))
        {
            return false;
        }

        var existing = PathFacts.Stat(natural, followLinks: false);
        var wanted = isDirectory ? LinkKind.Directory : LinkKind.File;
        if (existing is not { } found || found.Kind != wanted)
        {
            return false;
        }

        var sourceStatus = PathFacts.Stat(fullSource, followLinks: true);
        return sourceStatus is not { } original || original.Identity != found.Identity;
    }

    /// <summary>
    /// A file dropped as a hard-link clone onto a name that is already a hard link to it, or as a
    /// symbolic clone onto a name that is already a symbolic link naming it: nothing to do. Any
    /// other file there keeps its name, and the clone gets a suffixed one.
    /// </summary>
    private static bool IsAlreadyFileClone(DropKind kind, string natural, string fullSource)
    {
        if (PathFacts.IsSamePath(natural, fullSource))
        {
            return false;
        }

        switch (kind)
        {
            case DropKind.Clone:
                return PathFacts.Stat(natural, followLinks: false) is { Kind: LinkKind.File } existing
                    && PathFacts.Stat(fullSource, followLinks: true) is { } original && original.Identity == existing.Identity;
            case DropKind.SymbolicClone:
                var info = Link.Inspect(natural);
                return info.Kind == LinkKind.SymbolicLink && info.Target == fullSource;
            default:
                return false;
        }
    }

    private static DropItemResult Carry(DropJob job, DropItemResult result, string fullSource, LinkInfo info)
    {
        var target = result.DestinationPath!;
        switch (job.Kind)
        {
            case DropKind.SymbolicLink:
                return MakeLink(job, result, Link.PlanSymbolicLink(target, fullSource));
            case DropKind.SymbolicClone when !result.SourceIsDirectory:
                // As the tree engine's symbolic clone does: the link names the original absolutely.
                return MakeLink(job, result, Link.PlanSymbolicLink(target, fullSource, new SymbolicLinkOptions { Style = TargetStyle.Absolute }));
            case DropKind.HardLink:
            case DropKind.Clone when !result.SourceIsDirectory:
                return MakeLink(job, result, Link.PlanHardLink(target, fullSource));
            case DropKind.Junction:
                return MakeLink(job, result, Link.PlanJunction(target, fullSource));
            case DropKind.Copy or DropKind.Mirror or DropKind.ReflinkClone when !result.SourceIsDirectory:
                return CopyFile(job, result, fullSource, info);
            default:
                return RunTree(job, result, fullSource);
        }
    }

    private static DropItemResult MakeLink(DropJob job, DropItemResult result, LinkPlan plan)
    {
        if (!job.DryRun)
        {
            Link.Create(plan);
        }

        return result with { Link = plan };
    }

    private static DropItemResult CopyFile(DropJob job, DropItemResult result, string fullSource, LinkInfo info)
    {
        // A picked symbolic link to a file: copy what it points to, as cp does without -P (an
        // explicit argument is followed once); the copy then opens it without following a link.
        if (info.Kind == LinkKind.SymbolicLink && info.IsDangling)
        {
            throw new TargetNotFoundException(result.SourcePath);
        }

        var real = info.Kind == LinkKind.SymbolicLink ? PathFacts.CanonicalizeMaybeMissing(fullSource) : fullSource;
        var status = PathFacts.Stat(real, followLinks: false) ?? throw new TargetNotFoundException(result.SourcePath);
        if (status.Kind != LinkKind.File)
        {
            // A FIFO would block the copy, a device (/dev/zero) would fill the disk: refused before
            // anything is written. CopyFile checks again on the descriptor it opens.
            throw new NotARegularFileException(result.SourcePath);
        }

        var target = result.DestinationPath!;
        var summary = new TreeSummary();
        if (result.UpdatedExisting && PathFacts.Stat(target, followLinks: false) is { } existing
            && existing.Size == status.Size && existing.ModifiedTime == status.ModifiedTime)
        {
            // Mirror's rule: same size and modification time means unchanged.
            summary.Skipped = 1;
            return result with { Tree = summary };
        }

        var reflink = job.Kind == DropKind.ReflinkClone ? ReflinkMode.Always : ReflinkMode.Auto;
        if (reflink == ReflinkMode.Always)
        {
            // Checked before anything is written, in a dry run too (an unnamed file, discarded).
            var (source, sourceName) = DirectoryHandle.OpenParent(real);
            using (source)
            using (var folder = DirectoryHandle.Open(Path.GetDirectoryName(Path.GetFullPath(target))!))
            {
                folder.CheckReflink(source, sourceName);
            }
        }

        if (!job.DryRun)
        {
            var (source, sourceName) = DirectoryHandle.OpenParent(real);
            var (destination, destinationName) = DirectoryHandle.OpenParent(target);
            using (source)
            using (destination)
            {
                // Written beside it under a temporary name, then renamed into place: over the old
                // version when updating it (which stays whole until the new one is), else only
                // onto a name that is still free.
                summary.Bytes = destination.CopyFile(destinationName, source, sourceName, status, replace: result.UpdatedExisting, reflink: reflink);
            }
        }
        else
        {
            summary.Bytes = status.Size;
        }

        summary.Copied = 1;
        return result with { Tree = summary };
    }

    private static DropItemResult RunTree(DropJob job, DropItemResult result, string fullSource)
    {
        var errors = new List<LinksmithException>();
        var summary = TreeOperations.Run(new TreeJob
        {
            Kind = job.Kind switch
            {
                DropKind.Copy => TreeJobKind.Copy,
                DropKind.Mirror => TreeJobKind.Mirror,
                DropKind.Clone => TreeJobKind.Clone,
                DropKind.SymbolicClone => TreeJobKind.SymbolicClone,
                DropKind.ReflinkClone => TreeJobKind.ReflinkClone,
                _ => TreeJobKind.Backup,
            },
            SourcePath = fullSource,
            DestinationPath = result.DestinationPath!,
            DryRun = job.DryRun,
            OnError = errors.Add,
            OnProgress = job.OnProgress,
            Cancellation = job.Cancellation,
        });
        return result with { Tree = summary, Errors = errors };
    }
}
