namespace Linksmith;

/// <summary>
/// A link that is about to be created, fully checked: <see cref="Link.Create"/> carries it out,
/// and a dry run only shows it.
/// </summary>
public sealed record LinkPlan
{
    /// <summary>The kind of link to create.</summary>
    public required LinkType Type { get; init; }

    /// <summary>The full path of the new link.</summary>
    public required string LinkPath { get; init; }

    /// <summary>The full path of what the link will point to (or name, for a hard link).</summary>
    public required string TargetPath { get; init; }

    /// <summary>The text the link will store (symbolic links and junctions).</summary>
    public required string TargetText { get; init; }

    /// <summary>Whether the link points to a directory.</summary>
    public bool TargetIsDirectory { get; init; }

    /// <summary>What the new link replaces (<see cref="LinkKind.Missing"/> when the name is free).</summary>
    public LinkKind Replaces { get; init; }

    /// <summary>
    /// True when a junction was asked for on a platform without junctions and an absolute
    /// directory symbolic link stands in for it.
    /// </summary>
    public bool IsJunctionSubstitute { get; init; }

    /// <summary>Whether an existing name is replaced (atomically).</summary>
    public bool ReplacesExisting => Replaces != LinkKind.Missing;
}

/// <summary>How a symbolic link is made.</summary>
public sealed record SymbolicLinkOptions
{
    /// <summary>How the target is stored; relative when target and link share a volume by default.</summary>
    public TargetStyle Style { get; init; } = TargetStyle.Auto;

    /// <summary>Whether the target is a directory; null to look (a missing target counts as a file).</summary>
    public bool? TargetIsDirectory { get; init; }

    /// <summary>Replace an existing file or link at the link's name atomically; never a non-empty directory.</summary>
    public bool ReplaceExisting { get; init; }
}
