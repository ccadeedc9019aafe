namespace Linksmith;

/// <summary>
/// Checks a move before anything changes and plans all of its steps, so the journal holds the
/// whole plan from the start and a resume knows what remains.
/// </summary>
internal static class MovePlanner
{
    /// <summary>Plans <c>move SRC DEST_DIR</c>.</summary>
    /// <returns>The move, and whether a symbolic link stands in for a junction.</returns>
    public static (JournalMove Move, bool JunctionSubstitute) PlanAway(string sourcePath, string destinationDirectory, LeaveBehind leave, bool dryRun, ReflinkMode reflink = ReflinkMode.Auto)
    {
        var source = Path.TrimEndingDirectorySeparator(Path.GetFullPath(sourcePath));
        var sourceParent = Path.GetDirectoryName(source);
        var status = PathFacts.Stat(source, followLinks: false) ?? throw new TargetNotFoundException(sourcePath);
        if (status.Kind.IsPathLink() || status.Kind == LinkKind.ReparsePoint)
        {
            throw new MoveSourceIsLinkException(sourcePath, status.Kind, status.Kind.IsPathLink() ? LinkPlatform.Current.ReadLinkTarget(source) : null);
        }

        if (status.Kind == LinkKind.Special)
        {
            throw new MoveNotPossibleException(sourcePath, "is a device, FIFO or socket, which holds no data to move", "Create it anew at the other place instead");
        }

        if (sourceParent is null)
        {
            throw new TreeNestingException(destinationDirectory, sourcePath, destinationInsideSource: true);
        }

        var destinationStatus = PathFacts.Stat(destinationDirectory, followLinks: true);
        if (destinationStatus is not { Kind: LinkKind.Directory })
        {
            throw new MoveDestinationNotADirectoryException(destinationDirectory, destinationStatus?.Kind ?? LinkKind.Missing);
        }

        // The destination as it really is: a link to a folder inside the source is still inside it.
        var destination = LinkPlatform.Current.CanonicalizeDirectory(Path.TrimEndingDirectorySeparator(Path.GetFullPath(destinationDirectory)));
        var sourceReal = Path.Join(LinkPlatform.Current.CanonicalizeDirectory(sourceParent), Path.GetFileName(source));
        if (IsWithin(destination, sourceReal) || IsWithin(destination, source))
        {
            throw new TreeNestingException(destinationDirectory, sourcePath, destinationInsideSource: true);
        }

        var name = Path.GetFileName(source);
        var target = Path.Join(destination, name);
        if (PathFacts.Stat(target, followLinks: false) is { } existing)
        {
            throw new MoveDestinationExistsException(Path.Join(destinationDirectory, name), existing.Kind);
        }

        var isDirectory = status.Kind == LinkKind.Directory;
        var (linkKind, substitute) = ChooseLink(leave, isDirectory, sourcePath);
        var mode = MoveFiles.CanRename(source, destination) ? MoveMode.Rename : MoveMode.Copy;
        if (mode == MoveMode.Copy)
        {
            CheckReflink(reflink, source, status, destination);
            CheckSpace(source, status, destination, destinationDirectory);
        }

        if (linkKind is not null && !dryRun)
        {
            ProbeLink(source, destination, linkKind, isDirectory);
        }

        var id = MoveJournal.NewId();
        var steps = new List<JournalStep>();
        if (mode == MoveMode.Rename)
        {
            Add(steps, MoveStepKind.Rename, target, source);
        }
        else
        {
            var work = Path.Join(destination, HiddenName(name, "move", id));
            var aside = Path.Join(sourceParent, HiddenName(name, "moved", id));
            Add(steps, MoveStepKind.Copy, work, source, CopyDetail(reflink));
            Add(steps, MoveStepKind.Verify, work, source);
            Add(steps, MoveStepKind.Sync, work);
            Add(steps, MoveStepKind.Rename, target, work);
            Add(steps, MoveStepKind.Rename, aside, source);
            if (linkKind is not null)
            {
                Add(steps, MoveStepKind.CreateLink, source, target, linkKind);
            }

            Add(steps, MoveStepKind.Delete, aside);
        }

        if (mode == MoveMode.Rename && linkKind is not null)
        {
            Add(steps, MoveStepKind.CreateLink, source, target, linkKind);
        }

        var move = new JournalMove
        {
            Id = id,
            Direction = MoveDirection.Away,
            Mode = mode,
            SourcePath = source,
            DestinationPath = target,
            Leave = linkKind switch { "junction" => LeaveBehind.Junction, "symlink" => LeaveBehind.SymbolicLink, _ => LeaveBehind.None },
            State = MoveState.Running,
            StartedAt = DateTime.UtcNow,
            Steps = steps,
        };
        return (move, substitute && linkKind is not null);
    }

    /// <summary>Plans <c>move --back LINK</c>: the data at the link's target comes home to the link's path.</summary>
    public static JournalMove PlanBack(string linkPath, JournalMove? recorded, ReflinkMode reflink = ReflinkMode.Auto)
    {
        var link = Path.TrimEndingDirectorySeparator(Path.GetFullPath(linkPath));
        var linkParent = Path.GetDirectoryName(link) ?? throw new NotAMovedLinkException(linkPath, LinkKind.Directory);
        var info = Link.Inspect(link);
        string data;
        string? removeKind = null;
        if (info.Kind.IsPathLink())
        {
            data = info.ResolvedTarget!;
            removeKind = info.Kind == LinkKind.Junction || recorded?.Leave == LeaveBehind.Junction ? "junction" : "symlink";
        }
        else if (info.Kind == LinkKind.Missing && recorded is not null)
        {
            data = recorded.DestinationPath;
        }
        else
        {
            throw new NotAMovedLinkException(linkPath, info.Kind);
        }

        var status = PathFacts.Stat(data, followLinks: false) ?? throw new TargetNotFoundException(data, linkPath);
        if (status.Kind.IsPathLink() || status.Kind is LinkKind.ReparsePoint or LinkKind.Special)
        {
            throw new MoveSourceIsLinkException(data, status.Kind, status.Kind.IsPathLink() ? LinkPlatform.Current.ReadLinkTarget(data) : null);
        }

        var home = LinkPlatform.Current.CanonicalizeDirectory(linkParent);
        var dataReal = Path.Join(LinkPlatform.Current.CanonicalizeDirectory(Path.GetDirectoryName(data)!), Path.GetFileName(data));
        if (IsWithin(home, dataReal))
        {
            throw new TreeNestingException(linkPath, data, destinationInsideSource: true);
        }

        var id = MoveJournal.NewId();
        var steps = new List<JournalStep>();
        var mode = MoveFiles.CanRename(data, home) ? MoveMode.Rename : MoveMode.Copy;
        if (mode == MoveMode.Rename)
        {
            if (removeKind is not null)
            {
                Add(steps, MoveStepKind.RemoveLink, link, info.Target, removeKind);
            }

            Add(steps, MoveStepKind.Rename, link, data);
        }
        else
        {
            CheckReflink(reflink, data, status, home);
            CheckSpace(data, status, home, linkParent);
            var name = Path.GetFileName(link);
            var work = Path.Join(home, HiddenName(name, "back", id));
            var aside = Path.Join(Path.GetDirectoryName(data)!, HiddenName(Path.GetFileName(data), "moved", id));
            Add(steps, MoveStepKind.Copy, work, data, CopyDetail(reflink));
            Add(steps, MoveStepKind.Verify, work, data);
            Add(steps, MoveStepKind.Sync, work);
            if (removeKind is not null)
            {
                Add(steps, MoveStepKind.RemoveLink, link, info.Target, removeKind);
            }

            Add(steps, MoveStepKind.Rename, link, work);
            Add(steps, MoveStepKind.Rename, aside, data);
            Add(steps, MoveStepKind.Delete, aside);
        }

        return new JournalMove
        {
            Id = id,
            Direction = MoveDirection.Back,
            Mode = mode,
            SourcePath = data,
            DestinationPath = link,
            Leave = removeKind switch { "junction" => LeaveBehind.Junction, "symlink" => LeaveBehind.SymbolicLink, _ => LeaveBehind.None },
            State = MoveState.Running,
            StartedAt = DateTime.UtcNow,
            Steps = steps,
        };
    }

    private static (string? Kind, bool Substitute) ChooseLink(LeaveBehind leave, bool isDirectory, string sourcePath)
    {
        var junctions = LinkPlatform.Current.SupportsJunctions;
        return leave switch
        {
            LeaveBehind.None => (null, false),
            LeaveBehind.SymbolicLink => ("symlink", false),
            LeaveBehind.Junction when !isDirectory =>
                throw new MoveNotPossibleException(sourcePath, "a junction cannot point to a file (junctions point to directories)", "Leave a symbolic link instead"),
            LeaveBehind.Junction => ("junction", !junctions),
            _ => isDirectory && junctions ? ("junction", false) : ("symlink", false),
        };
    }

    /// <summary>
    /// Free space for the copy: each file as <see cref="MoveSpace.For"/> counts it (a hard-linked
    /// file once), a block per folder.
    /// </summary>
    private static void CheckSpace(string source, FileStatus status, string destination, string shownDestination)
    {
        var holes = MoveFiles.HoleKeepingOf(destination);
        long needed = 0;
        if (status.Kind == LinkKind.File)
        {
            needed = MoveSpace.For(status, holes);
        }
        else
        {
            var seen = new HashSet<FileIdentity>();
            foreach (var entry in TreeWalker.Walk(source, new WalkOptions { OnError = error => throw error }))
            {
                switch (entry.Kind)
                {
                    case LinkKind.File when entry.Status.LinkCount < 2 || seen.Add(entry.Status.Identity):
                        needed += MoveSpace.For(entry.Status, holes);
                        break;
                    case LinkKind.Directory:
                        needed += MoveSpace.BlockSize;
                        break;
                    case LinkKind.Special:
                        // The copy cannot take it, and deleting the original would lose it.
                        throw new MoveNotPossibleException(entry.FullPath, "is a device, FIFO or socket, which cannot be copied to another volume", "Remove it, or move within one volume");
                }
            }
        }

        var available = MoveFiles.AvailableBytes(destination);
        if (needed > available)
        {
            throw new InsufficientSpaceException(shownDestination, needed, available);
        }
    }

    /// <summary>Creates and removes a link like the one the move will leave, where it will be, so the move cannot fail at its end for that.</summary>
    private static void ProbeLink(string source, string target, string kind, bool isDirectory)
    {
        var probe = Path.Join(Path.GetDirectoryName(source)!, HiddenName(Path.GetFileName(source), "probe", MoveJournal.NewId()));
        // The destination folder stands in for the data's future place: it exists, so a junction can point at it.
        var plan = kind == "junction"
            ? Link.PlanJunction(probe, target)
            : Link.PlanSymbolicLink(probe, target, new SymbolicLinkOptions { Style = TargetStyle.Absolute, TargetIsDirectory = isDirectory });
        try
        {
            Link.Create(plan);
        }
        catch (LinkSystemException error)
        {
            // The probe's name means nothing to the user; the folder of SRC is what cannot take the link.
            throw new LinkSystemException(source, $"cannot be replaced by a link: {error.Reason}", error.ErrorCode, error.Hint);
        }
        catch (LinkAccessDeniedException error)
        {
            throw new LinkAccessDeniedException(source, "a link cannot be left in its folder", error.Hint);
        }

        Link.Remove(probe);
    }

    /// <summary>
    /// The copy step's detail records the reflink mode (none for auto), so a resumed move copies
    /// the way it was asked to; journals from before it have none there (auto).
    /// </summary>
    private static string? CopyDetail(ReflinkMode reflink) => reflink switch
    {
        ReflinkMode.Always => "reflink always",
        ReflinkMode.Never => "reflink never",
        _ => null,
    };

    /// <summary>The reflink mode a copy step was planned with.</summary>
    public static ReflinkMode ReflinkOf(JournalStep step) => step.Detail switch
    {
        "reflink always" => ReflinkMode.Always,
        "reflink never" => ReflinkMode.Never,
        _ => ReflinkMode.Auto,
    };

    /// <summary>
    /// --reflink always on a move that copies: the first file of the data is cloned into an unnamed
    /// file in <paramref name="destinationDirectory"/> and discarded, before anything changes.
    /// </summary>
    private static void CheckReflink(ReflinkMode reflink, string data, FileStatus status, string destinationDirectory)
    {
        if (reflink != ReflinkMode.Always)
        {
            return;
        }

        var file = status.Kind == LinkKind.File
            ? data
            : status.Kind == LinkKind.Directory
                ? TreeWalker.Walk(data, new WalkOptions()).FirstOrDefault(static entry => entry.Kind == LinkKind.File)?.FullPath
                : null;
        if (file is null)
        {
            return;
        }

        var (parent, name) = DirectoryHandle.OpenParent(file);
        using (parent)
        {
            using var destination = DirectoryHandle.Open(destinationDirectory);
            destination.CheckReflink(parent, name);
        }
    }

    private static void Add(List<JournalStep> steps, MoveStepKind kind, string path, string? source = null, string? detail = null) =>
        steps.Add(new JournalStep(steps.Count, kind, path, source, detail));

    /// <summary>A hidden name next to <paramref name="name"/>, short enough for the 255-byte limit.</summary>
    private static string HiddenName(string name, string role, string id) =>
        $".{(name.Length > 180 ? name[..180] : name)}.linksmith-{role}-{id}";

    private static bool IsWithin(string path, string root)
    {
        var comparison = OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return path.Equals(root, comparison) || path.StartsWith(Path.EndsInDirectorySeparator(root) ? root : root + Path.DirectorySeparatorChar, comparison);
    }
}
