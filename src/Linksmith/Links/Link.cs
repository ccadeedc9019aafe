namespace Linksmith;

/// <summary>
/// The link primitives: create symbolic links, hard links and junctions (each first planned and
/// checked, then carried out), inspect a path without following it, list the names of a file,
/// and remove a link without touching what it points to.
/// </summary>
/// <remarks>
/// Relative paths given to these methods are taken from the current directory, as <c>ln</c> and
/// <c>cp</c> take them; only <see cref="TargetStyle.Verbatim"/> stores a target exactly as given.
/// </remarks>
public static class Link
{
    private static LinkPlatform Platform => LinkPlatform.Current;

    /// <summary>Describes <paramref name="path"/> without following it.</summary>
    public static LinkInfo Inspect(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fullPath = Path.GetFullPath(path);
        var entry = Platform.Stat(fullPath);
        if (!entry.Kind.IsPathLink())
        {
            return new LinkInfo
            {
                Path = fullPath,
                Kind = entry.Kind,
                LinkCount = entry.LinkCount,
                Identity = entry.Kind == LinkKind.Missing ? null : entry.Identity,
                Size = entry.Size,
                TargetIsDirectory = entry.Kind == LinkKind.Directory,
            };
        }

        var target = Platform.ReadLinkTarget(fullPath);
        var resolved = ResolveTargetText(fullPath, target);
        var followed = Platform.StatFollowingLinks(fullPath);
        return new LinkInfo
        {
            Path = fullPath,
            Kind = entry.Kind,
            Target = target,
            ResolvedTarget = resolved,
            IsRelative = !Platform.IsAbsoluteTargetText(target),
            IsDangling = followed.Kind == LinkKind.Missing,
            IsLoop = followed.IsLoop,
            TargetIsDirectory = followed.Kind == LinkKind.Missing ? entry.TargetIsDirectory : followed.Kind == LinkKind.Directory,
            LinkCount = entry.LinkCount,
            Identity = entry.Identity,
            Size = entry.Size,
        };
    }

    /// <summary>
    /// Plans a symbolic link at <paramref name="linkPath"/> pointing to <paramref name="targetPath"/>.
    /// The target may be missing (the link then dangles).
    /// </summary>
    /// <exception cref="LinkNameExistsException">The name exists and replacing was not asked for.</exception>
    /// <exception cref="ReplaceRefusedException">The name is a non-empty directory.</exception>
    public static LinkPlan PlanSymbolicLink(string linkPath, string targetPath, SymbolicLinkOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(linkPath);
        ArgumentException.ThrowIfNullOrEmpty(targetPath);
        options ??= new SymbolicLinkOptions();
        var fullLink = Path.GetFullPath(linkPath);
        var fullTarget = options.Style == TargetStyle.Verbatim
            ? ResolveTargetText(fullLink, targetPath)
            : Path.GetFullPath(targetPath);
        var targetEntry = Platform.StatFollowingLinks(fullTarget);
        var isDirectory = options.TargetIsDirectory ?? targetEntry.Kind == LinkKind.Directory;
        var replaces = CheckLinkName(linkPath, fullLink, options.ReplaceExisting);
        return new LinkPlan
        {
            Type = LinkType.SymbolicLink,
            LinkPath = fullLink,
            TargetPath = fullTarget,
            TargetText = options.Style == TargetStyle.Verbatim ? targetPath : ComposeTargetText(fullLink, fullTarget, options.Style),
            TargetIsDirectory = isDirectory,
            Replaces = replaces,
        };
    }

    /// <summary>Plans a hard link: a new name <paramref name="linkPath"/> for the file <paramref name="existingFilePath"/>.</summary>
    /// <exception cref="TargetNotFoundException">The file does not exist.</exception>
    /// <exception cref="CrossVolumeHardLinkException">The new name would be on another volume.</exception>
    /// <exception cref="LinksNotSupportedException">The target is a directory.</exception>
    public static LinkPlan PlanHardLink(string linkPath, string existingFilePath, bool replaceExisting = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(linkPath);
        ArgumentException.ThrowIfNullOrEmpty(existingFilePath);
        var fullLink = Path.GetFullPath(linkPath);
        var fullTarget = Path.GetFullPath(existingFilePath);
        var target = Platform.Stat(fullTarget);
        switch (target.Kind)
        {
            case LinkKind.Missing:
                throw new TargetNotFoundException(existingFilePath, linkPath);
            case LinkKind.Directory or LinkKind.Junction:
                throw new LinksNotSupportedException(existingFilePath, "hard links to directories (no system does); make a symbolic link or a junction instead");
        }

        var replaces = CheckLinkName(linkPath, fullLink, replaceExisting);
        if (replaces != LinkKind.Missing && Platform.Stat(fullLink).Identity == target.Identity)
        {
            // Already the same file: ln refuses this too, since replacing a name by itself could lose it.
            throw new LinkNameExistsException(linkPath, replaces);
        }

        var parent = Platform.StatFollowingLinks(Path.GetDirectoryName(fullLink)!);
        if (parent.Kind == LinkKind.Missing)
        {
            throw new TargetNotFoundException(Path.GetDirectoryName(fullLink)!);
        }

        if (!Platform.SameVolume(parent.Identity, target.Identity, fullLink, fullTarget))
        {
            throw new CrossVolumeHardLinkException(linkPath, existingFilePath);
        }

        return new LinkPlan
        {
            Type = LinkType.HardLink,
            LinkPath = fullLink,
            TargetPath = fullTarget,
            TargetText = fullTarget,
            Replaces = replaces,
        };
    }

    /// <summary>
    /// Plans a junction at <paramref name="linkPath"/> to the directory <paramref name="targetDirectory"/>.
    /// Off Windows it becomes an absolute directory symbolic link (<see cref="LinkPlan.IsJunctionSubstitute"/>),
    /// unless <paramref name="strict"/> asks for an error instead.
    /// </summary>
    /// <exception cref="JunctionNotSupportedException">Strict, and not on Windows.</exception>
    /// <exception cref="TargetNotFoundException">The target directory does not exist.</exception>
    public static LinkPlan PlanJunction(string linkPath, string targetDirectory, bool replaceExisting = false, bool strict = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(linkPath);
        ArgumentException.ThrowIfNullOrEmpty(targetDirectory);
        var fullLink = Path.GetFullPath(linkPath);
        var fullTarget = Path.GetFullPath(targetDirectory);
        if (strict && !Platform.SupportsJunctions)
        {
            throw new JunctionNotSupportedException(linkPath);
        }

        var target = Platform.StatFollowingLinks(fullTarget);
        if (target.Kind == LinkKind.Missing)
        {
            throw new TargetNotFoundException(targetDirectory, linkPath);
        }

        if (target.Kind != LinkKind.Directory)
        {
            throw new LinksNotSupportedException(targetDirectory, "junctions to files (a junction always points to a directory); make a symbolic or hard link instead");
        }

        var replaces = CheckLinkName(linkPath, fullLink, replaceExisting);
        return new LinkPlan
        {
            Type = LinkType.Junction,
            LinkPath = fullLink,
            TargetPath = fullTarget,
            TargetText = fullTarget,
            TargetIsDirectory = true,
            Replaces = replaces,
            IsJunctionSubstitute = !Platform.SupportsJunctions,
        };
    }

    /// <summary>
    /// Carries out <paramref name="plan"/>, relative to the link's open parent directory (reached
    /// as an explicit argument: a link on the way to it is followed). A replacement is made under
    /// a temporary name in the same folder and then renamed over the old name, so the name never
    /// goes missing.
    /// </summary>
    public static LinkInfo Create(LinkPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var (parent, name) = DirectoryHandle.OpenParent(plan.LinkPath);
        using (parent)
        {
            if (!plan.ReplacesExisting)
            {
                CreateIn(parent, name, plan);
            }
            else
            {
                // Re-check at the last moment: the plan may be older than the file system.
                var replaces = CheckReplaceable(parent, name, plan.LinkPath);
                ReplaceIn(parent, name, replaces, temporary => CreateIn(parent, temporary, plan));
            }
        }

        return Inspect(plan.LinkPath);
    }

    /// <summary>
    /// Makes <paramref name="linkPath"/>, a regular file the caller has just checked, another
    /// name of <paramref name="existingFilePath"/> on the same volume, atomically. The lean path
    /// for dedupe, which checks both files itself right before: the two parents opened, then
    /// two calls (link, rename) instead of a plan's half-dozen lookups.
    /// </summary>
    internal static void ReplaceWithHardLink(string linkPath, string existingFilePath)
    {
        var (parent, name) = DirectoryHandle.OpenParent(linkPath);
        using (parent)
        {
            var (existingParent, existingName) = DirectoryHandle.OpenParent(existingFilePath);
            using (existingParent)
            {
                parent.Replace(name, temporary => parent.HardLink(temporary, existingParent, existingName));
            }
        }
    }

    /// <summary>
    /// Replaces <paramref name="name"/> in <paramref name="parent"/>, which holds a
    /// <paramref name="replaces"/>, with what <paramref name="create"/> makes at a temporary name.
    /// An (empty) directory cannot be renamed over, so it is removed right before the rename
    /// (rmdir refuses it if something appeared in it since); only then is the name missing.
    /// </summary>
    internal static void ReplaceIn(DirectoryHandle parent, string name, LinkKind replaces, Action<string> create)
    {
        parent.Replace(name, temporary =>
        {
            create(temporary);
            if (replaces != LinkKind.Directory)
            {
                return;
            }

            try
            {
                parent.Remove(name, LinkKind.Directory);
            }
            catch
            {
                RemoveQuietly(parent, temporary);
                throw;
            }
        });
    }

    /// <summary>Creates a symbolic link; see <see cref="PlanSymbolicLink"/>.</summary>
    public static LinkInfo CreateSymbolicLink(string linkPath, string targetPath, SymbolicLinkOptions? options = null) =>
        Create(PlanSymbolicLink(linkPath, targetPath, options));

    /// <summary>Creates a hard link; see <see cref="PlanHardLink"/>.</summary>
    public static LinkInfo CreateHardLink(string linkPath, string existingFilePath, bool replaceExisting = false) =>
        Create(PlanHardLink(linkPath, existingFilePath, replaceExisting));

    /// <summary>Creates a junction (or its stand-in off Windows); see <see cref="PlanJunction"/>.</summary>
    public static LinkInfo CreateJunction(string linkPath, string targetDirectory, bool replaceExisting = false, bool strict = false) =>
        Create(PlanJunction(linkPath, targetDirectory, replaceExisting, strict));

    /// <summary>
    /// Checks that <paramref name="linkPath"/> may be removed as a link and says what it is: a
    /// symbolic link, a junction, or one name of a file that has other names.
    /// </summary>
    /// <exception cref="NotALinkException">A real directory, or a file with a single name.</exception>
    /// <exception cref="TargetNotFoundException">Nothing is there.</exception>
    public static LinkInfo PlanRemove(string linkPath)
    {
        var info = Inspect(linkPath);
        return info.Kind switch
        {
            LinkKind.Missing => throw new TargetNotFoundException(linkPath),
            LinkKind.SymbolicLink or LinkKind.Junction => info,
            LinkKind.File when info.LinkCount > 1 => info,
            _ => throw new NotALinkException(linkPath, info.Kind),
        };
    }

    /// <summary>
    /// Removes the link <paramref name="linkPath"/> and never what it points to: a directory
    /// symbolic link or junction is removed as a link, never recursed into.
    /// </summary>
    /// <remarks>
    /// The name is removed relative to its open parent directory, and only if it is still the
    /// entry that was inspected (else <see cref="TreeChangedException"/>, and nothing is removed).
    /// </remarks>
    public static void Remove(string linkPath)
    {
        var info = PlanRemove(linkPath);
        var (parent, name) = DirectoryHandle.OpenParent(info.Path);
        using (parent)
        {
            var now = parent.Stat(name) ?? throw new TargetNotFoundException(linkPath);
            if (now.Kind != info.Kind || now.Identity != info.Identity)
            {
                throw new TreeChangedException(info.Path, $"is no longer the {info.Kind.Describe()} that was inspected");
            }

            parent.Remove(name, now.Kind);
        }
    }

    /// <summary>
    /// Whether the OS keeps a list of every file's names, so that <see cref="FindHardLinkNames"/>
    /// without a search root is quick enough to run unasked. Windows does: NTFS keeps each name in
    /// the file's own record, and FindFirstFileNameW reads them. Linux keeps none: the search walks
    /// the whole file system from its mount point, which is worth doing only when asked.
    /// </summary>
    /// <remarks>
    /// Wine has no FindFirstFileNameW, and the search walks the volume there instead; a Wine drive
    /// is a folder of its prefix, small enough for that.
    /// </remarks>
    public static bool SystemListsNames => OperatingSystem.IsWindows();

    /// <summary>
    /// Every name of the file at <paramref name="filePath"/>. With <paramref name="searchRoot"/>
    /// only names under it are found; without it the whole volume is searched (Windows asks the
    /// OS; Linux walks the file system from its mount point, see <see cref="GetSearchRoot"/>).
    /// The search stops as soon as all names are found. The result is sorted.
    /// </summary>
    public static IReadOnlyList<string> FindHardLinkNames(string filePath, string? searchRoot = null)
    {
        var info = Inspect(filePath);
        if (info.Kind == LinkKind.Missing)
        {
            throw new TargetNotFoundException(filePath);
        }

        // A file with one name has no other to find: no walk of its whole file system.
        if (info.Kind is LinkKind.Directory || info.LinkCount == 1 || info.Identity is not { } identity)
        {
            return [info.Path];
        }

        var names = searchRoot is null ? AskSystemForNames(info.Path) : null;
        names ??= HardLinkSearch.Find(identity, info.LinkCount, Path.GetFullPath(searchRoot ?? GetSearchRoot(info.Path)));
        var sorted = names.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return sorted;
    }

    /// <summary>The OS's list of the file's names, or null where it keeps none or cannot answer (Linux, Wine).</summary>
    private static IEnumerable<string>? AskSystemForNames(string path)
    {
        if (!Platform.CanEnumerateNames)
        {
            return null;
        }

        try
        {
            return Platform.EnumerateNames(path);
        }
        catch (LinksNotSupportedException)
        {
            return null;
        }
    }

    /// <summary>Where a search for all names of <paramref name="path"/> starts: the mount point (Linux) or volume root.</summary>
    public static string GetSearchRoot(string path) => Platform.GetVolumeRoot(Path.GetFullPath(path));

    private static LinkKind CheckLinkName(string linkPath, string fullLink, bool replaceExisting)
    {
        var existing = Platform.Stat(fullLink);
        if (existing.Kind == LinkKind.Missing)
        {
            return LinkKind.Missing;
        }

        if (!replaceExisting)
        {
            throw new LinkNameExistsException(linkPath, existing.Kind);
        }

        if (existing.Kind == LinkKind.Directory && !Platform.IsEmptyDirectory(fullLink))
        {
            throw new ReplaceRefusedException(linkPath, "is a non-empty directory");
        }

        return existing.Kind;
    }

    /// <summary>Removes a temporary name after a failure; the failure is the one to report.</summary>
    private static void RemoveQuietly(DirectoryHandle parent, string name)
    {
        try
        {
            if (parent.Stat(name) is { } status)
            {
                parent.Remove(name, status.Kind);
            }
        }
        catch (LinksmithException)
        {
            // Left behind under its hidden name; the original failure is reported.
        }
    }

    /// <summary>What stands at <paramref name="name"/> now, checked to be replaceable (nothing, or not a non-empty directory).</summary>
    private static LinkKind CheckReplaceable(DirectoryHandle parent, string name, string linkPath)
    {
        var existing = parent.Stat(name);
        if (existing is not { } status)
        {
            return LinkKind.Missing;
        }

        if (status.Kind == LinkKind.Directory && parent.ListNames(name).Count > 0)
        {
            throw new ReplaceRefusedException(linkPath, "is a non-empty directory");
        }

        return status.Kind;
    }

    /// <summary>Makes the planned link at <paramref name="name"/> below <paramref name="parent"/>.</summary>
    internal static void CreateIn(DirectoryHandle parent, string name, LinkPlan plan)
    {
        switch (plan.Type)
        {
            case LinkType.HardLink:
                // The existing file is an explicit path too: its parent is opened, and the name linked relative to it.
                var (existingParent, existingName) = DirectoryHandle.OpenParent(plan.TargetPath);
                using (existingParent)
                {
                    parent.HardLink(name, existingParent, existingName);
                }

                break;
            case LinkType.Junction when !plan.IsJunctionSubstitute:
                // Junctions exist only on Windows, whose handle works by path for now.
                Platform.CreateJunction(parent.FullPath(name), plan.TargetPath);
                break;
            default:
                parent.Symlink(name, plan.TargetText, plan.TargetIsDirectory);
                break;
        }
    }

    /// <summary>The stored target text resolved against the link's folder, lexically.</summary>
    internal static string ResolveTargetText(string fullLinkPath, string targetText)
    {
        var text = Platform.NormalizeTargetText(targetText);
        return Path.GetFullPath(Path.Combine(Path.GetDirectoryName(fullLinkPath) ?? string.Empty, text));
    }

    private static string ComposeTargetText(string fullLink, string fullTarget, TargetStyle style)
    {
        if (style == TargetStyle.Absolute)
        {
            return fullTarget;
        }

        var linkDirectory = Platform.CanonicalizeDirectory(Path.GetDirectoryName(fullLink)!);
        var targetDirectory = Path.GetDirectoryName(fullTarget);
        var canonicalTarget = targetDirectory is null
            ? fullTarget
            : Path.Combine(Platform.CanonicalizeDirectory(targetDirectory), Path.GetFileName(fullTarget));
        if (style == TargetStyle.Auto && !Platform.SameVolumeByPath(linkDirectory, canonicalTarget))
        {
            return fullTarget;
        }

        return Path.GetRelativePath(linkDirectory, canonicalTarget);
    }
}
