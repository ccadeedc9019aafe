namespace Linksmith;

/// <summary>One symbolic link or junction found by <see cref="LinkScanner"/>.</summary>
public sealed record ScannedLink
{
    /// <summary>The full path of the link.</summary>
    public required string LinkPath { get; init; }

    /// <summary><see cref="LinkKind.SymbolicLink"/> or <see cref="LinkKind.Junction"/>.</summary>
    public required LinkKind Kind { get; init; }

    /// <summary>The target text exactly as stored.</summary>
    public required string Target { get; init; }

    /// <summary>The stored target resolved lexically against the link's folder.</summary>
    public required string ResolvedTarget { get; init; }

    /// <summary>Whether the stored target is relative.</summary>
    public required bool IsRelative { get; init; }

    /// <summary>Whether the target lies inside the anchor (decided lexically, so a dangling link can be inner).</summary>
    public required bool IsInner { get; init; }

    /// <summary>Whether following the link fails: nothing there, or a loop.</summary>
    public required bool IsDangling { get; init; }

    /// <summary>Whether following the link runs into a loop of links (such a link is also dangling).</summary>
    public required bool IsLoop { get; init; }
}

/// <summary>The names of one hard-linked file found under the anchor.</summary>
public sealed record HardLinkGroup
{
    /// <summary>The names found under the anchor, sorted.</summary>
    public required IReadOnlyList<string> Names { get; init; }

    /// <summary>How many names the file has in all.</summary>
    public required long LinkCount { get; init; }

    /// <summary>Whether every name of the file lies under the anchor.</summary>
    public bool IsSaturated => Names.Count >= LinkCount;
}

/// <summary>The counts of a scan.</summary>
public sealed record ScanSummary
{
    /// <summary>Symbolic links and junctions.</summary>
    public int Links { get; init; }

    /// <summary>Links whose stored target is relative.</summary>
    public int Relative { get; init; }

    /// <summary>Links whose stored target is absolute.</summary>
    public int Absolute { get; init; }

    /// <summary>Links whose target lies inside the anchor.</summary>
    public int Inner { get; init; }

    /// <summary>Links whose target lies outside the anchor.</summary>
    public int Outer { get; init; }

    /// <summary>Links that lead nowhere, loops included.</summary>
    public int Dangling { get; init; }

    /// <summary>Links that run into a loop.</summary>
    public int Loops { get; init; }

    /// <summary>Hard-linked files (regular files with more than one name) found.</summary>
    public int HardLinkGroups { get; init; }

    /// <summary>Hard-link groups with every name under the anchor.</summary>
    public int Saturated { get; init; }

    /// <summary>Hard-link groups with names outside the anchor.</summary>
    public int Unsaturated { get; init; }

    /// <summary>Paths looked at, the anchor included.</summary>
    public long Entries { get; init; }
}

/// <summary>What <see cref="LinkScanner.Scan"/> found in a tree.</summary>
public sealed record ScanReport
{
    /// <summary>The full path of the scanned directory (the anchor).</summary>
    public required string AnchorPath { get; init; }

    /// <summary>Every symbolic link and junction, in walk order (sorted by name within a folder).</summary>
    public required IReadOnlyList<ScannedLink> Links { get; init; }

    /// <summary>Every file with more than one name, ordered by its first name.</summary>
    public required IReadOnlyList<HardLinkGroup> HardLinkGroups { get; init; }

    /// <summary>The counts.</summary>
    public required ScanSummary Summary { get; init; }

    /// <summary>Paths that could not be read; the scan went on without them.</summary>
    public required IReadOnlyList<LinksmithException> Errors { get; init; }
}

/// <summary>
/// Inventories the links of a tree in one pass without following any: symbolic links and
/// junctions (relative or absolute, inner or outer, dangling, looping) and hard-link groups
/// (saturated or not). Memory grows with the links and hard-linked files, not with all files.
/// </summary>
public static class LinkScanner
{
    /// <summary>Scans the tree under <paramref name="directory"/> (the anchor).</summary>
    /// <exception cref="TargetNotFoundException">The directory does not exist.</exception>
    /// <exception cref="NotADirectoryException">It is not a directory.</exception>
    public static ScanReport Scan(string directory)
    {
        var anchor = HealthWalk.RequireDirectory(directory);
        var anchors = LinkTargets.AnchorForms(anchor);
        var errors = new List<LinksmithException>();
        var links = new List<ScannedLink>();
        var groups = new Dictionary<FileIdentity, List<string>>();
        var linkCounts = new Dictionary<FileIdentity, long>();
        long entries = 0;
        foreach (var entry in TreeWalker.Walk(anchor, new WalkOptions { Sorted = true, OnError = errors.Add }))
        {
            entries++;
            if (entry.Kind == LinkKind.File && entry.Status.LinkCount > 1)
            {
                var identity = entry.Status.Identity;
                if (!groups.TryGetValue(identity, out var names))
                {
                    groups[identity] = names = [];
                    linkCounts[identity] = entry.Status.LinkCount;
                }

                names.Add(entry.FullPath);
            }
            else if (entry.Depth > 0 && entry.Kind.IsPathLink())
            {
                try
                {
                    links.Add(Describe(entry, anchors));
                }
                catch (LinksmithException error)
                {
                    errors.Add(error);
                }
            }
        }

        var hardLinkGroups = groups
            .Select(pair => new HardLinkGroup { Names = [.. pair.Value.Order(StringComparer.Ordinal)], LinkCount = linkCounts[pair.Key] })
            .OrderBy(group => group.Names[0], StringComparer.Ordinal)
            .ToList();
        return new ScanReport
        {
            AnchorPath = anchor,
            Links = links,
            HardLinkGroups = hardLinkGroups,
            Errors = errors,
            Summary = new ScanSummary
            {
                Entries = entries,
                Links = links.Count,
                Relative = links.Count(link => link.IsRelative),
                Absolute = links.Count(link => !link.IsRelative),
                Inner = links.Count(link => link.IsInner),
                Outer = links.Count(link => !link.IsInner),
                Dangling = links.Count(link => link.IsDangling),
                Loops = links.Count(link => link.IsLoop),
                HardLinkGroups = hardLinkGroups.Count,
                Saturated = hardLinkGroups.Count(group => group.IsSaturated),
                Unsaturated = hardLinkGroups.Count(group => !group.IsSaturated),
            },
        };
    }

    private static ScannedLink Describe(TreeEntry entry, string[] anchors)
    {
        var text = LinkTargets.ReadText(entry.FullPath);
        var resolved = Link.ResolveTargetText(entry.FullPath, text);
        var followed = LinkTargets.Follow(entry.FullPath);
        return new ScannedLink
        {
            LinkPath = entry.FullPath,
            Kind = entry.Kind,
            Target = text,
            ResolvedTarget = resolved,
            IsRelative = !LinkTargets.IsAbsoluteText(text),
            IsInner = Array.Exists(anchors, anchor => LinkTargets.IsInside(resolved, anchor)),
            IsDangling = followed.Kind == LinkKind.Missing,
            IsLoop = followed.IsLoop,
        };
    }
}
