namespace Linksmith;

/// <summary>What a drop makes of each picked item in the destination folder.</summary>
public enum DropKind
{
    /// <summary>A symbolic link to the item (relative when on the same volume, as <see cref="TargetStyle.Auto"/>).</summary>
    SymbolicLink,

    /// <summary>A hard link to the file (files only; same volume only).</summary>
    HardLink,

    /// <summary>A junction to the directory (off Windows: an absolute directory symbolic link).</summary>
    Junction,

    /// <summary>Smart Copy of a directory; a file is copied with its metadata.</summary>
    Copy,

    /// <summary>Smart Mirror into <c>DEST_DIR/NAME</c>, updating it when it exists; a file is copied when it changed.</summary>
    Mirror,

    /// <summary>Hardlink Clone of a directory; a file becomes a hard link.</summary>
    Clone,

    /// <summary>Symbolic Clone of a directory; a file becomes a symbolic link.</summary>
    SymbolicClone,

    /// <summary>DeLorean Copy of a directory into the repository <c>DEST_DIR/NAME</c> (directories only).</summary>
    Backup,

    /// <summary>
    /// Move the item to <c>DEST_DIR/NAME</c> with the journaled, crash-safe move and leave a link
    /// at its old place (<see cref="Mover.Move"/>); a taken name is refused, not suffixed.
    /// </summary>
    Move,

    /// <summary>Reflink Clone of a directory (new inodes sharing the original's blocks); a file becomes such a copy. Exit 3 where the file system cannot.</summary>
    ReflinkClone,
}

/// <summary>A drop: put the picked items into one folder as links, copies, clones or backups.</summary>
public sealed record DropJob
{
    /// <summary>The picked items, in order.</summary>
    public required IReadOnlyList<string> SourcePaths { get; init; }

    /// <summary>The existing folder to drop into.</summary>
    public required string DestinationDirectory { get; init; }

    /// <summary>What to make of each item.</summary>
    public required DropKind Kind { get; init; }

    /// <summary>Plan and check everything, change nothing.</summary>
    public bool DryRun { get; init; }

    /// <summary>Called after each item, done or failed.</summary>
    public Action<DropItemResult>? OnItem { get; init; }

    /// <summary>Called now and then during a tree job (copy, mirror, clone, backup).</summary>
    public Action<TreeSummary>? OnProgress { get; init; }

    /// <summary>Stops the drop between items and inside tree jobs.</summary>
    public CancellationToken Cancellation { get; init; }
}

/// <summary>What became of one picked item.</summary>
public sealed record DropItemResult
{
    /// <summary>The picked item.</summary>
    public required string SourcePath { get; init; }

    /// <summary>What was (or would be) created; null when the item failed before a name was chosen.</summary>
    public string? DestinationPath { get; init; }

    /// <summary>Whether the picked item is a directory (or a link to one).</summary>
    public bool SourceIsDirectory { get; init; }

    /// <summary>
    /// True when an existing <c>DEST_DIR/NAME</c> was updated rather than a new name chosen:
    /// a mirror brings it up to date, a backup adds a snapshot to it.
    /// </summary>
    public bool UpdatedExisting { get; init; }

    /// <summary>The link made for a link kind (or a file clone); null for tree jobs and failures.</summary>
    public LinkPlan? Link { get; init; }

    /// <summary>The counts of a tree job or a file copy.</summary>
    public TreeSummary? Tree { get; init; }

    /// <summary>What went wrong; empty when the item was dropped.</summary>
    public IReadOnlyList<LinksmithException> Errors { get; init; } = [];

    /// <summary>Whether the item was dropped completely.</summary>
    public bool Succeeded => Errors.Count == 0;
}

/// <summary>A picked item cannot be dropped as the kind asked for.</summary>
public sealed class DropNotPossibleException(string path, string reason, string hint)
    : LinksmithException(path, reason, hint)
{
}
