namespace Linksmith;

/// <summary>
/// Carries out a journaled move step by step: each step is recorded as started before it is taken
/// and as done after, so that after a crash exactly one step is in doubt. Every step checks the
/// disk before acting, which makes it safe to take again. When a step fails before the original is
/// deleted, the steps taken so far are undone in reverse order (also journaled).
/// </summary>
internal sealed class MoveExecutor
{
    private readonly JournalMove move;
    private readonly MoveJournal journal;
    private readonly MoveOptions options;
    private readonly bool resuming;
    private readonly TreeSummary summary = new();
    private readonly List<LinksmithException> errors = [];
    private long verifiedFiles;

    public MoveExecutor(JournalMove move, MoveJournal journal, MoveOptions options, bool resuming)
    {
        this.move = move;
        this.journal = journal;
        this.options = options;
        this.resuming = resuming;
    }

    /// <summary>Takes every step not yet done; rolls back on failure where that is still possible.</summary>
    public MoveResult Run()
    {
        JournalStep? finished = null;
        try
        {
            foreach (var step in move.Steps)
            {
                if (step.State == StepState.Done)
                {
                    continue;
                }

                // Before the step is recorded as started: a stop that comes before the deletion of the
                // original rolls the move back; a deletion once begun (resumed) can only go forward.
                if (step is not { Kind: MoveStepKind.Delete, State: StepState.Started })
                {
                    options.Cancellation.ThrowIfCancellationRequested();
                }

                if (step.State != StepState.Started)
                {
                    // The previous step's "done" and this step's "started" share one commit (one flush).
                    if (finished is not null)
                    {
                        journal.SetSteps(move, (finished, StepState.Done), (step, StepState.Started));
                    }
                    else
                    {
                        journal.SetSteps(move, (step, StepState.Started));
                    }

                    FaultPoints.Hit(FaultPoints.MoveStep, step.Path);
                }

                finished = null;
                options.OnStep?.Invoke(step.ToPublic());
                Do(step);
                FaultPoints.Hit(FaultPoints.MoveStep, step.Path);
                finished = step;
            }

            if (finished is not null)
            {
                journal.SetSteps(move, (finished, StepState.Done));
            }

            journal.SetState(move, MoveState.Done);
        }
        catch (Exception error) when (error is LinksmithException or OperationCanceledException)
        {
            if (error is LinksmithException failure and not StepFailedException)
            {
                Report(failure);
            }

            var deleting = move.Steps.Find(static s => s.Kind == MoveStepKind.Delete && s.State != StepState.Pending);
            if (deleting is not null)
            {
                // The data is complete at its new place and deleting the original has begun: only forward.
                Report(new MoveIncompleteException(deleting.Path, "the set-aside original could not be deleted completely; the move itself is complete"));
                return Result();
            }

            RollBack();
            if (error is OperationCanceledException && move.State == MoveState.RolledBack)
            {
                throw;
            }
        }

        return Result();
    }

    /// <summary>Undoes every step taken, newest first; journaled, so it can itself be resumed.</summary>
    public MoveResult RollBack()
    {
        try
        {
            if (move.State != MoveState.RollingBack)
            {
                journal.SetState(move, MoveState.RollingBack);
            }

            for (var i = move.Steps.Count - 1; i >= 0; i--)
            {
                var step = move.Steps[i];
                if (step.State is StepState.Started or StepState.Done)
                {
                    Undo(step);
                    FaultPoints.Hit(FaultPoints.MoveStep, step.Path);
                    journal.SetSteps(move, (step, StepState.Undone));
                }
            }

            journal.SetState(move, MoveState.RolledBack);
        }
        catch (LinksmithException error)
        {
            Report(error);
            Report(new MoveIncompleteException(move.SourcePath, "the move could not be rolled back completely; it stays pending"));
        }

        return Result();
    }

    private MoveResult Result() => move.ToResult(summary, resuming) with { VerifiedFiles = verifiedFiles, Errors = errors };

    private void Do(JournalStep step)
    {
        switch (step.Kind)
        {
            case MoveStepKind.Copy:
                Copy(step.Source!, step.Path, MovePlanner.ReflinkOf(step));
                break;
            case MoveStepKind.Verify:
                var verifier = new TreeVerifier(
                    options.OnProgress is { } progress ? (f, b) => progress(new MoveProgress(MoveStepKind.Verify, summary, f, b)) : null,
                    options.Cancellation);
                verifier.Verify(step.Source!, step.Path);
                verifiedFiles = verifier.Files;
                break;
            case MoveStepKind.Sync:
                MoveFiles.SyncFileSystem(step.Path);
                break;
            case MoveStepKind.Rename:
                Rename(step.Source!, step.Path);
                break;
            case MoveStepKind.CreateLink:
                CreateLink(step.Path, step.Source!, step.Detail);
                break;
            case MoveStepKind.RemoveLink:
                RemoveLink(step.Path);
                break;
            case MoveStepKind.Delete:
                var failed = false;
                summary.Deleted += DirectoryHandle.DeleteTreeAt(step.Path, error =>
                {
                    failed = true;
                    Report(error);
                });
                if (failed)
                {
                    throw new StepFailedException(step.Path);
                }

                break;
        }
    }

    private static void Undo(JournalStep step)
    {
        switch (step.Kind)
        {
            case MoveStepKind.Copy:
                // Only the copy under its temporary name, which this move created.
                DirectoryHandle.DeleteTreeAt(step.Path);
                break;
            case MoveStepKind.Rename:
                if (PathFacts.Stat(step.Path, followLinks: false) is not null && PathFacts.Stat(step.Source!, followLinks: false) is null)
                {
                    MoveFiles.RenameNoReplace(step.Path, step.Source!);
                }

                break;
            case MoveStepKind.CreateLink:
                var created = Link.Inspect(step.Path);
                if (created.Kind.IsPathLink() && SamePath(created.ResolvedTarget, step.Source!))
                {
                    Link.Remove(step.Path);
                }

                break;
            case MoveStepKind.RemoveLink:
                if (LinkPlatform.Current.Stat(step.Path).Kind == LinkKind.Missing)
                {
                    RecreateLink(step.Path, step.Source!, step.Detail);
                }

                break;
            case MoveStepKind.Delete:
                throw new MoveIncompleteException(step.Path, "deleting the original has begun; the move can only be finished");
        }
    }

    /// <summary>Whether a move that copies keeps what <c>--xattrs</c> carries: Linux's extended attributes and ACLs, Windows' streams and ACLs.</summary>
    private static bool KeepsAttributes => OperatingSystem.IsLinux() || OperatingSystem.IsWindows();

    /// <summary>How a moved file keeps its extended attributes (null where there is nothing to keep them with).</summary>
    private AttributeCopy? KeptAttributes => KeepsAttributes ? new AttributeCopy(options.OnWarning) : null;

    private void Copy(string source, string work, ReflinkMode reflink)
    {
        var status = PathFacts.Stat(source, followLinks: false) ?? throw new TargetNotFoundException(source);
        var partial = PathFacts.Stat(work, followLinks: false);
        if (status.Kind != LinkKind.Directory)
        {
            if (partial is not null)
            {
                DirectoryHandle.DeleteTreeAt(work);
            }

            options.OnAction?.Invoke(new TreeAction(TreeActionKind.Copy, work, source, reflink == ReflinkMode.Always ? "reflink" : null));
            DirectoryHandle.CopyFileAt(source, work, status, reflink, KeptAttributes);
            summary.Copied++;
            summary.Bytes += status.Size;
            return;
        }

        var failed = false;
        var job = new TreeJob
        {
            // A copy left half done by a crash is completed by a mirror: what the crash left that the
            // original does not have (a temporary file) goes, the rest is compared by size and time.
            Kind = partial is null ? TreeJobKind.Copy : TreeJobKind.Mirror,
            SourcePath = source,
            DestinationPath = work,
            Reflink = reflink,
            // The work folder is hidden already, and --resume completes what a crash left in it.
            HideUntilDone = false,
            // A move keeps extended attributes and ACLs, as mv does (Windows: streams and ACLs, as MoveFileEx does).
            KeepExtendedAttributes = KeepsAttributes,
            OnWarning = options.OnWarning,
            OnAction = options.OnAction,
            OnError = error =>
            {
                failed = true;
                Report(error);
            },
            OnProgress = options.OnProgress is { } progress ? s => progress(new MoveProgress(MoveStepKind.Copy, s, 0, 0)) : null,
            Cancellation = options.Cancellation,
        };
        var copied = TreeOperations.Run(job);
        summary.Copied += copied.Copied;
        summary.Linked += copied.Linked;
        summary.Symlinked += copied.Symlinked;
        summary.Directories += copied.Directories;
        summary.Skipped += copied.Skipped;
        summary.Bytes += copied.Bytes;
        summary.Errors += copied.Errors;
        summary.Cropped.AddRange(copied.Cropped);
        if (failed)
        {
            throw new StepFailedException(work);
        }
    }

    private void Rename(string from, string to)
    {
        var source = PathFacts.Stat(from, followLinks: false);
        var destination = PathFacts.Stat(to, followLinks: false);
        if (source is not null && destination is null)
        {
            try
            {
                MoveFiles.RenameNoReplace(from, to);
            }
            catch (LinksmithException) when (OperatingSystem.IsWindows() && source.Value.Kind == LinkKind.Directory && MoveFiles.FindFileInUse(from) is { } inUse)
            {
                // Windows refuses to rename a folder while a file in it is open; name that file.
                throw new FileInUseException(inUse);
            }

            return;
        }

        if (source is null && destination is not null && resuming)
        {
            // Taken before the crash; only the journal's "done" was missing.
            return;
        }

        if (destination is not null)
        {
            throw new MoveDestinationExistsException(to, destination.Value.Kind);
        }

        throw new TargetNotFoundException(from);
    }

    private static void CreateLink(string linkPath, string targetPath, string? kind)
    {
        var existing = Link.Inspect(linkPath);
        if (existing.Kind == LinkKind.Missing)
        {
            Link.Create(kind == "junction"
                ? Link.PlanJunction(linkPath, targetPath)
                : Link.PlanSymbolicLink(linkPath, targetPath, new SymbolicLinkOptions { Style = TargetStyle.Absolute }));
            return;
        }

        if (existing.Kind.IsPathLink() && SamePath(existing.ResolvedTarget, targetPath))
        {
            return;
        }

        throw new MoveDestinationExistsException(linkPath, existing.Kind);
    }

    private static void RemoveLink(string linkPath)
    {
        var existing = Link.Inspect(linkPath);
        if (existing.Kind == LinkKind.Missing)
        {
            return;
        }

        if (!existing.Kind.IsPathLink())
        {
            throw new NotAMovedLinkException(linkPath, existing.Kind);
        }

        Link.Remove(linkPath);
    }

    private static void RecreateLink(string linkPath, string targetText, string? kind)
    {
        if (kind == "junction")
        {
            Link.Create(Link.PlanJunction(linkPath, Link.ResolveTargetText(linkPath, targetText)));
            return;
        }

        Link.Create(Link.PlanSymbolicLink(linkPath, targetText, new SymbolicLinkOptions { Style = TargetStyle.Verbatim }));
    }

    private static bool SamePath(string? a, string b) =>
        a is not null && string.Equals(
            Path.TrimEndingDirectorySeparator(a),
            Path.TrimEndingDirectorySeparator(b),
            OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

    private void Report(LinksmithException error)
    {
        errors.Add(error);
        options.OnError?.Invoke(error);
    }

    /// <summary>A step failed after its failures were reported one by one.</summary>
    private sealed class StepFailedException(string path) : LinksmithException(path, "the step failed", string.Empty)
    {
    }
}
