namespace Linksmith;

/// <summary>What <see cref="LinkRepair"/> does to a link.</summary>
public enum RepairAction
{
    /// <summary>Store a new target (the link is replaced atomically).</summary>
    Repoint,

    /// <summary>Remove the link, which leads nowhere.</summary>
    Delete,
}

/// <summary>What <see cref="LinkRepair.Plan"/> is asked to do.</summary>
public sealed record RepairOptions
{
    /// <summary>The OLD=NEW rules; for each link the longest matching OLD wins.</summary>
    public IReadOnlyList<PathMapping> Mappings { get; init; } = [];

    /// <summary>Remove links that still lead nowhere after re-pointing.</summary>
    public bool DeleteDangling { get; init; }
}

/// <summary>One planned change to one link.</summary>
public sealed record RepairChange
{
    /// <summary>The full path of the link.</summary>
    public required string LinkPath { get; init; }

    /// <summary>The link's kind.</summary>
    public required LinkKind Kind { get; init; }

    /// <summary>Re-point or delete.</summary>
    public required RepairAction Action { get; init; }

    /// <summary>The target text stored now.</summary>
    public required string OldTarget { get; init; }

    /// <summary>The target text to store (relative when the old one was); null for a deletion.</summary>
    public string? NewTarget { get; init; }

    /// <summary>The link to create in place of the old one; null for a deletion.</summary>
    public LinkPlan? Plan { get; init; }

    /// <summary>Where the walk found the link (null for a change made by hand).</summary>
    internal LinkSite? Site { get; init; }
}

/// <summary>The changes <see cref="LinkRepair.Plan"/> found, and the paths it could not read or plan.</summary>
/// <param name="Changes">The changes, in walk order.</param>
/// <param name="Errors">Paths that could not be read or re-pointed; the others are still planned.</param>
public sealed record RepairPlan(IReadOnlyList<RepairChange> Changes, IReadOnlyList<LinksmithException> Errors);

/// <summary>
/// Re-points links after their targets moved (<c>--map OLD=NEW</c>: a drive letter changed, a disk
/// was copied) and removes links that lead nowhere. A relative link stays relative, an absolute
/// one absolute; each change replaces the link atomically (new link under a temporary name, then
/// renamed over the old one), so the name is never missing.
/// </summary>
/// <remarks>
/// The walk never follows a link below the tree's root, and each change is made relative to the
/// reopened root without following one either: a folder swapped for a link since the plan, or a
/// link that is no longer the one read, is reported (<see cref="TreeChangedException"/>) and left alone.
/// </remarks>
public static class LinkRepair
{
    /// <summary>Plans the repair of the links under <paramref name="directory"/>; changes nothing.</summary>
    /// <exception cref="TargetNotFoundException">The directory does not exist.</exception>
    /// <exception cref="NotADirectoryException">It is not a directory.</exception>
    public static RepairPlan Plan(string directory, RepairOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var root = DirectoryHandle.Open(HealthWalk.RequireDirectory(directory));
        var rootIdentity = root.Stat(string.Empty)?.Identity ?? throw new TargetNotFoundException(directory);
        var changes = new List<RepairChange>();
        var errors = new List<LinksmithException>();
        foreach (var entry in TreeWalker.Walk(root, new WalkOptions { StatEverything = false, Sorted = true, OnError = errors.Add }))
        {
            if (entry.Depth == 0 || !entry.Kind.IsPathLink())
            {
                continue;
            }

            try
            {
                if (PlanOne(root, entry, options) is { } change)
                {
                    changes.Add(change with { Site = LinkRewrite.Site(root, rootIdentity, entry) });
                }
            }
            catch (LinksmithException error)
            {
                errors.Add(error);
            }
        }

        return new RepairPlan(changes, errors);
    }

    /// <summary>Carries out one planned change, if the link is still the one that was planned.</summary>
    /// <exception cref="TreeChangedException">The link, or a folder on the way to it, changed since the plan; nothing was changed.</exception>
    public static void Apply(RepairChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        LinkRewrite.Apply(change.Site, change.LinkPath, change.OldTarget, change.Action == RepairAction.Delete ? null : change.Plan!);
    }

    private static RepairChange? PlanOne(DirectoryHandle root, TreeEntry entry, RepairOptions options)
    {
        var text = root.ReadLink(entry.RelativePath);
        var resolved = Link.ResolveTargetText(entry.FullPath, text);
        var mapped = PathMapping.ApplyLongest(options.Mappings, resolved)
            ?? (PathMapping.IsWindowsPath(text) ? PathMapping.ApplyLongest(options.Mappings.Where(m => m.IsWindowsForm), text) : null);
        if (mapped is { NewPath: var newPath })
        {
            var plan = PlanRepoint(entry, text, newPath);
            if (!options.DeleteDangling || LinkTargets.Follow(plan.TargetPath).Kind != LinkKind.Missing)
            {
                return new RepairChange { LinkPath = entry.FullPath, Kind = entry.Kind, Action = RepairAction.Repoint, OldTarget = text, NewTarget = plan.TargetText, Plan = plan };
            }
        }
        else if (!options.DeleteDangling || LinkTargets.Follow(entry.FullPath).Kind != LinkKind.Missing)
        {
            return null;
        }

        return new RepairChange { LinkPath = entry.FullPath, Kind = entry.Kind, Action = RepairAction.Delete, OldTarget = text };
    }

    private static LinkPlan PlanRepoint(TreeEntry entry, string oldText, string newTarget)
    {
        if (entry.Kind == LinkKind.Junction)
        {
            return Link.PlanJunction(entry.FullPath, newTarget, replaceExisting: true, strict: true);
        }

        var fullTarget = PathMapping.IsWindowsPath(newTarget) && !OperatingSystem.IsWindows() ? newTarget : Path.GetFullPath(newTarget);
        // A Windows-form target planned off Windows has no relative form here; on Windows every
        // target is one, and a relative link stays relative like anywhere else.
        var text = LinkTargets.IsAbsoluteText(oldText) || (PathMapping.IsWindowsPath(newTarget) && !OperatingSystem.IsWindows())
            ? fullTarget
            : LinkTargets.RelativeText(entry.FullPath, fullTarget) ?? fullTarget;
        var followed = LinkTargets.Follow(fullTarget);
        return new LinkPlan
        {
            Type = LinkType.SymbolicLink,
            LinkPath = entry.FullPath,
            TargetPath = fullTarget,
            TargetText = text,
            TargetIsDirectory = followed.Kind == LinkKind.Directory,
            Replaces = entry.Kind,
        };
    }
}
