namespace Linksmith;

/// <summary>
/// Moves a folder (or file) to another place, usually another disk, and leaves a link at the old
/// path so that everything that used it keeps working; brings it back; finishes or rolls back
/// moves that were interrupted. Every move is journaled in the state database.
/// </summary>
/// <remarks>
/// Within one volume a move is a rename plus the link. Across volumes the data is copied under a
/// temporary name next to its new place, verified file by file (kind, size, bytes) and flushed to
/// disk; only then is the copy renamed into place, the original renamed aside, the link created and
/// the set-aside original deleted (never following a link). At no moment is the only complete copy
/// of the data under a temporary name or incomplete. Refusals (missing source, a source that is a
/// link, an existing destination name, too little space, a link that cannot be created) are thrown
/// before anything changes.
/// </remarks>
public static class Mover
{
    /// <summary>Moves <paramref name="sourcePath"/> into <paramref name="destinationDirectory"/> and leaves a link behind.</summary>
    /// <returns>What was done; <see cref="MoveRecord.State"/> says whether the move went through or was rolled back.</returns>
    /// <exception cref="LinksmithException">The move is refused; nothing was changed.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the move was rolled back.</exception>
    public static MoveResult Move(string sourcePath, string destinationDirectory, LeaveBehind leave = LeaveBehind.Default, MoveOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(sourcePath);
        ArgumentException.ThrowIfNullOrEmpty(destinationDirectory);
        options ??= new MoveOptions();
        var (move, substitute) = MovePlanner.PlanAway(sourcePath, destinationDirectory, leave, options.DryRun, options.Reflink);
        return Execute(move, options, substitute);
    }

    /// <summary>
    /// Brings the data a move left <paramref name="linkPath"/> pointing to back home to that path,
    /// with the same guarantees, and removes it from the other place; the link goes.
    /// </summary>
    /// <exception cref="LinksmithException">Refused; nothing was changed.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the move back was rolled back.</exception>
    public static MoveResult MoveBack(string linkPath, MoveOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(linkPath);
        options ??= new MoveOptions();
        JournalMove? recorded = null;
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(linkPath));
        if (LinkPlatform.Current.Stat(full).Kind == LinkKind.Missing)
        {
            // Only a move that left nothing behind needs the journal to find its data.
            using var journal = MoveJournal.Open(options.StateDirectory);
            recorded = journal.FindMoveAway(full);
        }

        var move = MovePlanner.PlanBack(linkPath, recorded, options.Reflink);
        return Execute(move, options, substitute: false);
    }

    /// <summary>Finishes, or where that fails rolls back, every interrupted move; empty when none is pending.</summary>
    public static IReadOnlyList<MoveResult> Resume(MoveOptions? options = null)
    {
        options ??= new MoveOptions();
        var results = new List<MoveResult>();
        using var journal = MoveJournal.Open(options.StateDirectory);
        foreach (var id in journal.PendingIds())
        {
            var held = journal.TryLock(id);
            if (held is null)
            {
                // Another process is running this move right now.
                continue;
            }

            var move = journal.Load(id);
            if (move is null || move.State is MoveState.Done or MoveState.RolledBack)
            {
                // A lock file without a move (a crash before the move was recorded), or a finished
                // move whose lock file outlived it: nothing to do but tidy up.
                journal.Release(id, held);
                continue;
            }

            if (options.DryRun)
            {
                held.Dispose();
                foreach (var step in move.Steps.Where(static s => s.State != StepState.Done))
                {
                    options.OnStep?.Invoke(step.ToPublic());
                }

                results.Add(DryResult(move, new TreeSummary(), substitute: false, resumed: true));
                continue;
            }

            var executor = new MoveExecutor(move, journal, options, resuming: true);
            MoveResult result;
            try
            {
                result = move.State == MoveState.RollingBack ? executor.RollBack() : executor.Run();
            }
            finally
            {
                if (move.State is MoveState.Done or MoveState.RolledBack)
                {
                    journal.Release(id, held);
                }
                else
                {
                    held.Dispose();
                }
            }

            results.Add(result);
        }

        return results;
    }

    /// <summary>Every move in the journal, oldest first.</summary>
    public static IReadOnlyList<MoveRecord> List(string? stateDirectory = null)
    {
        using var journal = MoveJournal.Open(stateDirectory);
        return journal.List();
    }

    /// <summary>
    /// Whether a move was interrupted and waits for <see cref="Resume"/>. Cheap enough to ask at
    /// every start: one directory listing, no database.
    /// </summary>
    public static bool HasInterruptedMoves(string? stateDirectory = null) => MoveJournal.HasInterrupted(stateDirectory);

    private static MoveResult Execute(JournalMove move, MoveOptions options, bool substitute)
    {
        if (options.DryRun)
        {
            var summary = new TreeSummary();
            foreach (var step in move.Steps)
            {
                options.OnStep?.Invoke(step.ToPublic());
                if (step.Kind == MoveStepKind.Copy)
                {
                    summary = DryCopy(step.Source!, step.Path, MovePlanner.ReflinkOf(step), options);
                }
            }

            return DryResult(move, summary, substitute, resumed: false);
        }

        using var journal = MoveJournal.Open(options.StateDirectory);
        var held = journal.LockNew(move.Id);
        try
        {
            journal.Insert(move);
            return new MoveExecutor(move, journal, options, resuming: false).Run() with { IsJunctionSubstitute = substitute };
        }
        finally
        {
            if (move.State is MoveState.Done or MoveState.RolledBack)
            {
                journal.Release(move.Id, held);
            }
            else
            {
                held.Dispose();
            }
        }
    }

    private static TreeSummary DryCopy(string source, string work, ReflinkMode reflink, MoveOptions options)
    {
        if (PathFacts.Stat(source, followLinks: false) is { Kind: not LinkKind.Directory } file)
        {
            options.OnAction?.Invoke(new TreeAction(TreeActionKind.Copy, work, source, reflink == ReflinkMode.Always ? "reflink" : null));
            return new TreeSummary { Copied = 1, Bytes = file.Size };
        }

        return TreeOperations.Run(new TreeJob
        {
            Kind = TreeJobKind.Copy,
            SourcePath = source,
            DestinationPath = work,
            Reflink = reflink,
            DryRun = true,
            OnAction = options.OnAction,
            OnError = options.OnError,
            Cancellation = options.Cancellation,
        });
    }

    private static MoveResult DryResult(JournalMove move, TreeSummary summary, bool substitute, bool resumed) =>
        move.ToResult(summary, resumed) with { IsJunctionSubstitute = substitute };
}
