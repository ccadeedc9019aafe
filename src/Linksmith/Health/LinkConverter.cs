namespace Linksmith;

/// <summary>How <see cref="LinkConverter"/> rewrites link targets.</summary>
public enum LinkTextStyle
{
    /// <summary>Relative to the link's folder.</summary>
    Relative,

    /// <summary>The absolute path.</summary>
    Absolute,
}

/// <summary>One link to rewrite.</summary>
/// <param name="LinkPath">The full path of the link.</param>
/// <param name="OldTarget">The target text stored now.</param>
/// <param name="NewTarget">The target text to store; it leads to the same place.</param>
/// <param name="Plan">The link to create in place of the old one.</param>
public sealed record ConvertChange(string LinkPath, string OldTarget, string NewTarget, LinkPlan Plan)
{
    /// <summary>Where the walk found the link (null for a change made by hand).</summary>
    internal LinkSite? Site { get; init; }
}

/// <summary>A link left as it is, and why.</summary>
/// <param name="LinkPath">The full path of the link.</param>
/// <param name="Kind">The link's kind.</param>
/// <param name="Target">The target text stored.</param>
/// <param name="Reason">Why it stays (a junction, a target on another volume).</param>
public sealed record ConvertSkip(string LinkPath, LinkKind Kind, string Target, string Reason);

/// <summary>What <see cref="LinkConverter.Plan"/> would do.</summary>
/// <param name="Changes">Links to rewrite, in walk order.</param>
/// <param name="Skipped">Links that keep their absolute target, with the reason.</param>
/// <param name="Errors">Paths that could not be read; the others are still planned.</param>
public sealed record ConvertPlan(IReadOnlyList<ConvertChange> Changes, IReadOnlyList<ConvertSkip> Skipped, IReadOnlyList<LinksmithException> Errors);

/// <summary>
/// Rewrites symbolic links between relative and absolute targets so each still resolves to the
/// same place. A dangling link is converted by its text. Under <see cref="LinkTextStyle.Relative"/>
/// links to another volume stay absolute (a relative path across a mount point breaks when either
/// moves), and junctions stay absolute because they cannot be anything else; both are reported.
/// </summary>
/// <remarks>
/// As <see cref="LinkRepair"/> does, each link is rewritten relative to the reopened root, only
/// while it is still the link that was read; else it is reported and left alone.
/// </remarks>
public static class LinkConverter
{
    /// <summary>Plans the conversion of the links under <paramref name="directory"/>; changes nothing.</summary>
    /// <exception cref="TargetNotFoundException">The directory does not exist.</exception>
    /// <exception cref="NotADirectoryException">It is not a directory.</exception>
    public static ConvertPlan Plan(string directory, LinkTextStyle to)
    {
        using var root = DirectoryHandle.Open(HealthWalk.RequireDirectory(directory));
        var rootIdentity = root.Stat(string.Empty)?.Identity ?? throw new TargetNotFoundException(directory);
        var changes = new List<ConvertChange>();
        var skipped = new List<ConvertSkip>();
        var errors = new List<LinksmithException>();
        foreach (var entry in TreeWalker.Walk(root, new WalkOptions { StatEverything = false, Sorted = true, OnError = errors.Add }))
        {
            if (entry.Depth == 0 || !entry.Kind.IsPathLink())
            {
                continue;
            }

            try
            {
                var text = root.ReadLink(entry.RelativePath);
                var isAbsolute = LinkTargets.IsAbsoluteText(text);
                if (isAbsolute == (to == LinkTextStyle.Absolute))
                {
                    continue;
                }

                if (entry.Kind == LinkKind.Junction)
                {
                    skipped.Add(new ConvertSkip(entry.FullPath, entry.Kind, text, "a junction always stores an absolute target"));
                    continue;
                }

                var target = LinkTargets.ResolveExactly(entry.FullPath, text);
                var newText = to == LinkTextStyle.Absolute ? target : RelativeOrNull(entry.FullPath, target);
                if (newText is null)
                {
                    skipped.Add(new ConvertSkip(entry.FullPath, entry.Kind, text, "its target is on another volume"));
                    continue;
                }

                var plan = new LinkPlan
                {
                    Type = LinkType.SymbolicLink,
                    LinkPath = entry.FullPath,
                    TargetPath = target,
                    TargetText = newText,
                    TargetIsDirectory = LinkTargets.Follow(entry.FullPath).Kind == LinkKind.Directory,
                    Replaces = entry.Kind,
                };
                changes.Add(new ConvertChange(entry.FullPath, text, newText, plan) { Site = LinkRewrite.Site(root, rootIdentity, entry) });
            }
            catch (LinksmithException error)
            {
                errors.Add(error);
            }
        }

        return new ConvertPlan(changes, skipped, errors);
    }

    /// <summary>Carries out one planned change (atomically: the link's name is never missing), if the link is still the one that was planned.</summary>
    /// <exception cref="TreeChangedException">The link, or a folder on the way to it, changed since the plan; nothing was changed.</exception>
    public static void Apply(ConvertChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        LinkRewrite.Apply(change.Site, change.LinkPath, change.OldTarget, change.Plan);
    }

    private static string? RelativeOrNull(string fullLinkPath, string target) =>
        LinkTargets.SameVolume(fullLinkPath, target) ? LinkTargets.RelativeText(fullLinkPath, target) : null;
}
