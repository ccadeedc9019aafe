namespace Linksmith;

/// <summary>What <see cref="PickAndDrop.Pick"/> is asked to do: remember link sources for a later drop.</summary>
public sealed record PickJob
{
    /// <summary>The files or folders to pick; each must exist.</summary>
    public IReadOnlyList<string> Paths { get; init; } = [];

    /// <summary>Forget every pick first (with no <see cref="Paths"/>: only that).</summary>
    public bool Clear { get; init; }

    /// <summary>The state database that holds the picks; null: the user's.</summary>
    public string? DatabasePath { get; init; }

    /// <summary>
    /// When set, a job that picked every path waits this long and then tells whether another
    /// process picked something after it (<see cref="PickResult.IsLastOfBurst"/>). A file manager
    /// starts one picker per selected item: the last of such a burst is the one that should speak.
    /// </summary>
    public TimeSpan? BurstWindow { get; init; }

    /// <summary>Called once the list was cleared, with how many picks were forgotten.</summary>
    public Action<int>? OnCleared { get; init; }

    /// <summary>Called after each path, picked or not.</summary>
    public Action<PickItemResult>? OnItem { get; init; }
}

/// <summary>What became of one path given to <see cref="PickAndDrop.Pick"/>.</summary>
public sealed record PickItemResult
{
    /// <summary>The path as given.</summary>
    public required string Path { get; init; }

    /// <summary>The path made absolute (as given otherwise: a trailing separator stays); null when it was not picked.</summary>
    public string? FullPath { get; init; }

    /// <summary>True when it was added, false when it was picked already or failed.</summary>
    public bool Added { get; init; }

    /// <summary>Why it was not picked; null when it is in the list.</summary>
    public LinksmithException? Error { get; init; }

    /// <summary>Whether the path is in the pick list now.</summary>
    public bool Succeeded => Error is null;
}

/// <summary>What a <see cref="PickAndDrop.Pick"/> job did.</summary>
public sealed record PickResult
{
    /// <summary>How many picks <see cref="PickJob.Clear"/> forgot; null when the job did not clear.</summary>
    public int? Forgotten { get; init; }

    /// <summary>One result per path, in order.</summary>
    public required IReadOnlyList<PickItemResult> Items { get; init; }

    /// <summary>How many picks the list holds when the job ends (after the burst window, if it waited).</summary>
    public int Total { get; init; }

    /// <summary>
    /// False when the job waited for a <see cref="PickJob.BurstWindow"/> and another process
    /// picked something after it; true otherwise.
    /// </summary>
    public bool IsLastOfBurst { get; init; } = true;
}

/// <summary>What <see cref="PickAndDrop.Drop"/> is asked to do: drop the picked link sources into one folder.</summary>
public sealed record DropPicksJob
{
    /// <summary>The existing folder to drop into (a local path: see <see cref="FileUri"/> for what a file manager passes).</summary>
    public required string DestinationDirectory { get; init; }

    /// <summary>What to make of each pick.</summary>
    public required DropKind Kind { get; init; }

    /// <summary>Plan and check everything, change nothing, forget no pick.</summary>
    public bool DryRun { get; init; }

    /// <summary>The state database that holds the picks; null: the user's.</summary>
    public string? DatabasePath { get; init; }

    /// <summary>Called with the picked paths once they are read, before the first is dropped; not called when nothing is picked.</summary>
    public Action<IReadOnlyList<string>>? OnStart { get; init; }

    /// <summary>Called after each pick, dropped or failed.</summary>
    public Action<DropItemResult>? OnItem { get; init; }

    /// <summary>Called now and then during a tree job (copy, mirror, clone, backup, move).</summary>
    public Action<TreeSummary>? OnProgress { get; init; }

    /// <summary>Stops the drop between items and inside tree jobs; what was dropped by then is unpicked.</summary>
    public CancellationToken Cancellation { get; init; }
}

/// <summary>What a <see cref="PickAndDrop.Drop"/> did.</summary>
public sealed record DropPicksResult
{
    /// <summary>The picks the drop started with, oldest first; empty when nothing was picked (and nothing was done).</summary>
    public required IReadOnlyList<string> Picked { get; init; }

    /// <summary>One result per pick tried, in order: all of them unless the drop was interrupted.</summary>
    public required IReadOnlyList<DropItemResult> Items { get; init; }

    /// <summary>The counts of every item's tree job or file copy, added up.</summary>
    public required TreeSummary Summary { get; init; }

    /// <summary>True when <see cref="DropPicksJob.Cancellation"/> stopped the drop; the picks not dropped stay picked.</summary>
    public bool Interrupted { get; init; }

    /// <summary>
    /// Set when the pick list could not forget the items that were dropped: they are dropped, but
    /// still picked.
    /// </summary>
    public StateDatabaseException? ForgetError { get; init; }

    /// <summary>How many picks were dropped completely.</summary>
    public int Dropped => Items.Count(item => item.Succeeded);
}
