namespace Linksmith;

/// <summary>Placing each source entry in the destination: directories, copies, hard links (clone, hard-link groups), re-pointed or spliced links, unrolled ones; directory metadata last.</summary>
internal sealed partial class TreeEngine
{
    private void PlaceDirectory(TreeEntry entry, DirectoryHandle sourceTop, string workPath)
    {
        var existing = ExistingEntry(workPath);
        if (existing is { Kind: LinkKind.Directory })
        {
            directories.Add((workPath, entry.Status, sourceTop, entry.RelativePath));
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
        directories.Add((workPath, entry.Status, sourceTop, entry.RelativePath));
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
            case TreeJobKind.Backup when previous is not null && RecordedUnchanged(name, out var recorded):
                LinkToPrevious(name, recorded);
                break;
            case TreeJobKind.Backup when previous is not null && IsUnchanged(name):
                LinkToPrevious(name);
                break;
            case TreeJobKind.Backup when previousManifest?.Candidates(name.Entry.Status.Size, name.Entry.Status.ModifiedTime) is { Count: > 0 } candidates:
                if (!TryLinkRenamed(name, candidates))
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
            job.Cancellation.ThrowIfCancellationRequested();
            var leader = names[0];
            if (job.Kind == TreeJobKind.Backup && previous is not null)
            {
                var unchanged = names.FindIndex(n => IsUnchanged(n));
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

            // Workers are done by now: the leader was placed on this thread, so the manifest's
            // last entry is its own, and every other name has the same contents.
            var leaderEntry = manifest?.Last is { } last && last.RelativePath == leader.Work ? last : (ManifestEntry?)null;

            foreach (var name in names)
            {
                if (ReferenceEquals(name, leader))
                {
                    continue;
                }

                try
                {
                    PlaceHardLink(work, leader.Work, name.Work, name.Entry, reason: "hard-link group", expected: null, copyFrom: name);
                    if (leaderEntry is { } shared)
                    {
                        manifest!.Add(shared with { RelativePath = name.Work });
                    }
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
        // A Reflink Clone's file must be a new inode: a hard link to the source there (left by a
        // Hardlink Clone into the same DST) has the source's size and time but is not one.
        if (existing is { Kind: LinkKind.File } same && job.Kind != TreeJobKind.Backup
            && same.Size == entry.Status.Size && same.ModifiedTime.IsWithin(entry.Status.ModifiedTime, job.ModifyWindow)
            && !(job.Kind == TreeJobKind.ReflinkClone && same.Identity == entry.Status.Identity)
            && (attributes is null || SameAttributes(Work, workPath, sourceTop, entry.RelativePath)))
        {
            Unchanged();
            return;
        }

        if (Heard)
        {
            Act(new TreeAction(TreeActionKind.Copy, FullWork(workPath), entry.FullPath, Reflink == ReflinkMode.Always ? "reflink" : null, existing?.Kind));
        }
        else
        {
            Reached();
        }
        summary.Copied++;
        summary.Relinked += existing is null ? 0 : 1;
        summary.Bytes += entry.Status.Size;
        if (job.DryRun)
        {
            return;
        }

        var destination = Work;
        var status = entry.Status;
        var replace = existing is not null;
        if (existing is { } inTheWay)
        {
            ClearForReplacement(workPath, inTheWay, LinkKind.File);
        }

        // A backup keeps a file that changed while it was copied twice, but not as unchanged
        // (see CopyFile): it is in the snapshot, and the next backup copies it again.
        var keepChanged = job.Kind == TreeJobKind.Backup;
        var reflink = Reflink;
        var carried = attributes;
        Run(() => CopyAndRecord(destination, workPath, sourceTop, entry.RelativePath, status, replace, keepChanged, reflink, carried), workPath, (1, status.Size, 0));
    }

    /// <summary>
    /// For --xattrs: whether a file in the destination (or the previous snapshot) has the source
    /// file's attributes. One that cannot be compared counts as changed: it is copied, and the
    /// copy reports what is wrong with the source, if anything.
    /// </summary>
    private static bool SameAttributes(DirectoryHandle root, string relativePath, DirectoryHandle sourceTop, string sourceRelativePath)
    {
        try
        {
            return root.SameAttributes(relativePath, sourceTop, sourceRelativePath);
        }
        catch (LinksmithException)
        {
            return false;
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
            Unchanged();
            return;
        }

        if (Heard)
        {
            Act(new TreeAction(TreeActionKind.HardLink, FullWork(workPath), existingRoot?.FullPath(existingPath) ?? FullWork(existingPath), reason, existing?.Kind));
        }
        else
        {
            Reached();
        }
        summary.Linked++;
        summary.Relinked += existing is null ? 0 : 1;
        if (job.DryRun || existingRoot is null)
        {
            return;
        }

        if (existing is null)
        {
            Run(() => LinkOrCopy(existingRoot, existingPath, workPath, expected, copyFrom), workPath, (0, 0, 1));
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
            Work.CopyFile(workPath, copyFrom.SourceTop, copyFrom.Entry.RelativePath, copyFrom.Entry.Status, keepChanged: job.Kind == TreeJobKind.Backup, reflink: Reflink, attributes: attributes);
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

        if (job.Kind is TreeJobKind.Clone or TreeJobKind.SymbolicClone or TreeJobKind.ReflinkClone && !inner && job.Outer == OuterLinkPolicy.Splice)
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
            PlaceDirectory(new TreeEntry(real, string.Empty, link.Depth, target), top, workPath);
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
            Unchanged();
            return;
        }

        Act(new TreeAction(TreeActionKind.Symlink, FullWork(workPath), targetText, Replaces: existing?.Kind));
        summary.Symlinked++;
        summary.Relinked += existing is null ? 0 : 1;
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

    /// <summary>
    /// Makes room where an entry of another kind stands: a file, link or other non-directory is
    /// replaced by a rename over it; a directory in the way of a file, or a non-directory in the
    /// way of a directory, is deleted only by a mirror or a clone with --delete (a link as a
    /// link), and reported by the other jobs.
    /// </summary>
    private void ClearForReplacement(string workPath, FileStatus existing, LinkKind wanted)
    {
        var replaceableInPlace = existing.Kind != LinkKind.Directory && wanted != LinkKind.Directory;
        if (replaceableInPlace)
        {
            return;
        }

        if (!DeletesExtras)
        {
            throw new LinkNameExistsException(FullWork(workPath), existing.Kind);
        }

        DeleteEntry(Work, workPath, existing.Kind);
    }

    private FileStatus? ExistingEntry(string workPath) =>
        freshDirectoriesBySlice.Contains(Path.GetDirectoryName(workPath.AsSpan())) || (workPath.Length == 0 && freshDirectories.Contains(string.Empty)) ? null : Work.Stat(workPath);

    /// <summary>An entry of an existing destination that is already the current link or copy.</summary>
    private void Unchanged()
    {
        summary.Skipped++;
        summary.Unchanged++;
    }

    private void Skip(string workPath, string sourcePath, string why)
    {
        var action = new TreeAction(TreeActionKind.Skip, FullWork(workPath), sourcePath, why);
        Act(action);
        job.OnSkip?.Invoke(action);
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
            var (workPath, status, sourceTop, sourceRelative) = directories[i];
            try
            {
                // Attributes before the mode, which may take away the owner's write bit.
                if (attributes is not null && sourceTop is not null)
                {
                    Work.CopyAttributes(workPath, sourceTop, sourceRelative, LinkKind.Directory, attributes);
                }

                Work.SetMetadata(workPath, status);
            }
            catch (LinksmithException error)
            {
                Fail(error);
            }
        }
    }
}
