namespace Linksmith;

/// <summary>What a move leaves at the old path.</summary>
public enum LeaveBehind
{
    /// <summary>A junction for a directory on Windows, otherwise an absolute symbolic link.</summary>
    Default,

    /// <summary>A junction (off Windows: an absolute directory symbolic link stands in for it).</summary>
    Junction,

    /// <summary>An absolute symbolic link.</summary>
    SymbolicLink,

    /// <summary>Nothing: the old path is gone after the move.</summary>
    None,
}

/// <summary>Which way the data went.</summary>
public enum MoveDirection
{
    /// <summary><c>move SRC DEST_DIR</c>: the data went to another place, a link stayed behind.</summary>
    Away,

    /// <summary><c>move --back LINK</c>: the data came home and the link was removed.</summary>
    Back,
}

/// <summary>How the data travels.</summary>
public enum MoveMode
{
    /// <summary>Within one volume: a rename, nothing is copied.</summary>
    Rename,

    /// <summary>Across volumes: copied, verified, then the original removed.</summary>
    Copy,
}

/// <summary>Where a move stands in the journal.</summary>
public enum MoveState
{
    /// <summary>Under way, or interrupted (finished or rolled back by <see cref="Mover.Resume"/>).</summary>
    Running,

    /// <summary>Being undone, or interrupted while being undone.</summary>
    RollingBack,

    /// <summary>Finished: the data is at its new place.</summary>
    Done,

    /// <summary>Undone: everything is as it was before the move.</summary>
    RolledBack,
}

/// <summary>The steps a move is made of; each is recorded in the journal before it is taken.</summary>
public enum MoveStepKind
{
    /// <summary>Copy the data to a temporary name next to its new place (the tree engine's Smart Copy).</summary>
    Copy,

    /// <summary>Compare every file of the copy with the original: kind, size and content.</summary>
    Verify,

    /// <summary>Make the copy durable on its file system before the original is touched.</summary>
    Sync,

    /// <summary>Rename within one volume.</summary>
    Rename,

    /// <summary>Create the link at the old path.</summary>
    CreateLink,

    /// <summary>Remove the link at the home path (a move back).</summary>
    RemoveLink,

    /// <summary>Delete the set-aside original (never following a link).</summary>
    Delete,
}

/// <summary>One step of a move.</summary>
/// <param name="Kind">What the step does.</param>
/// <param name="Path">What it creates or changes: the copy, the new name, the link, what is deleted.</param>
/// <param name="Source">Where it comes from: the original, the old name, the link's target.</param>
/// <param name="Detail">For links: <c>symlink</c> or <c>junction</c>.</param>
public sealed record MoveStep(MoveStepKind Kind, string Path, string? Source = null, string? Detail = null);

/// <summary>Progress of a move, reported now and then.</summary>
/// <param name="Step">The step under way.</param>
/// <param name="Copy">Running totals of the copy.</param>
/// <param name="VerifiedFiles">Files verified so far.</param>
/// <param name="VerifiedBytes">Bytes verified so far.</param>
public sealed record MoveProgress(MoveStepKind Step, TreeSummary Copy, long VerifiedFiles, long VerifiedBytes);

/// <summary>How to run a move (or a move back, or a resume): reporting, dry run, cancellation.</summary>
public sealed record MoveOptions
{
    /// <summary>Only plan: check everything, report the steps, change nothing.</summary>
    public bool DryRun { get; init; }

    /// <summary>
    /// For a move that copies (across volumes): whether the copy shares the original's data blocks
    /// (see <see cref="ReflinkMode"/>; <see cref="ReflinkMode.Always"/> is checked before anything
    /// changes). It is recorded in the journal with the copy step: <see cref="Mover.Resume"/> copies
    /// the way the interrupted move was asked to, whatever this says then.
    /// </summary>
    public ReflinkMode Reflink { get; init; } = ReflinkMode.Auto;

    /// <summary>Called as each step starts (in a dry run: for each step that would be taken).</summary>
    public Action<MoveStep>? OnStep { get; init; }

    /// <summary>Called for every action of the copy (see <see cref="TreeJob.OnAction"/>).</summary>
    public Action<TreeAction>? OnAction { get; init; }

    /// <summary>Called for every failure; a failed move is rolled back where it can be.</summary>
    public Action<LinksmithException>? OnError { get; init; }

    /// <summary>Called for each extended attribute the other volume's file system could not store (a move keeps them where it can; the move goes on).</summary>
    public Action<AttributeWarning>? OnWarning { get; init; }

    /// <summary>Called now and then during the copy and the verification.</summary>
    public Action<MoveProgress>? OnProgress { get; init; }

    /// <summary>Cancelling stops the move and rolls it back (before the original is touched).</summary>
    public CancellationToken Cancellation { get; init; }

    /// <summary>Where the journal lives; null for <see cref="StateDatabase.ResolveDirectory"/>.</summary>
    public string? StateDirectory { get; init; }
}

/// <summary>A move as the journal remembers it.</summary>
public record MoveRecord
{
    /// <summary>The journal's id of the move.</summary>
    public required string Id { get; init; }

    /// <summary>Away (with a link left behind) or back home.</summary>
    public required MoveDirection Direction { get; init; }

    /// <summary>Rename (one volume) or copy (across volumes).</summary>
    public required MoveMode Mode { get; init; }

    /// <summary>Where the data was.</summary>
    public required string SourcePath { get; init; }

    /// <summary>Where the data goes.</summary>
    public required string DestinationPath { get; init; }

    /// <summary>What a move away leaves behind at <see cref="SourcePath"/>.</summary>
    public required LeaveBehind Leave { get; init; }

    /// <summary>Where the move stands.</summary>
    public required MoveState State { get; init; }

    /// <summary>When the move started (UTC).</summary>
    public required DateTime StartedAt { get; init; }

    /// <summary>When it finished or was rolled back (UTC); null while pending.</summary>
    public DateTime? FinishedAt { get; init; }
}

/// <summary>What a move did (or, in a dry run, would do).</summary>
public sealed record MoveResult : MoveRecord
{
    /// <summary>The steps, in order.</summary>
    public required IReadOnlyList<MoveStep> Steps { get; init; }

    /// <summary>What the copy did (all zero for a rename).</summary>
    public required TreeSummary Summary { get; init; }

    /// <summary>Files compared with the original.</summary>
    public long VerifiedFiles { get; init; }

    /// <summary>Whether a junction was asked for and an absolute directory symbolic link stands in for it.</summary>
    public bool IsJunctionSubstitute { get; init; }

    /// <summary>Whether this move was found interrupted and taken up again by <see cref="Mover.Resume"/>.</summary>
    public bool Resumed { get; init; }

    /// <summary>Failures; empty when the move went through.</summary>
    public IReadOnlyList<LinksmithException> Errors { get; init; } = [];
}
