namespace Linksmith;

/// <summary>What a path is, seen without following it.</summary>
public sealed record LinkInfo
{
    /// <summary>The full path that was inspected.</summary>
    public required string Path { get; init; }

    /// <summary>What the path itself is.</summary>
    public required LinkKind Kind { get; init; }

    /// <summary>The target text stored in a symbolic link or junction, exactly as stored.</summary>
    public string? Target { get; init; }

    /// <summary>The stored target resolved against the link's folder (lexically, without following links).</summary>
    public string? ResolvedTarget { get; init; }

    /// <summary>Whether the stored target is relative (null when the path is not a link).</summary>
    public bool? IsRelative { get; init; }

    /// <summary>Whether following the link fails: nothing there, or a loop of links.</summary>
    public bool IsDangling { get; init; }

    /// <summary>Whether following the link runs into a loop of links.</summary>
    public bool IsLoop { get; init; }

    /// <summary>Whether the link points to (or, for a dangling one, is marked as pointing to) a directory.</summary>
    public bool TargetIsDirectory { get; init; }

    /// <summary>Number of names (hard links) of the path itself; 0 when missing.</summary>
    public long LinkCount { get; init; }

    /// <summary>The identity of the path itself (not of its target); null when missing.</summary>
    public FileIdentity? Identity { get; init; }

    /// <summary>Size in bytes of the path itself (for a link: the link, not its target).</summary>
    public long Size { get; init; }

    /// <summary>True when the path is a hard-linked file: a regular file with more than one name.</summary>
    public bool IsHardLinked => Kind == LinkKind.File && LinkCount > 1;
}
