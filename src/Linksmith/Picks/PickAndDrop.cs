namespace Linksmith;

/// <summary>
/// The pick → drop workflow ("Pick Link Source", then "Drop As" in a file manager): picks go into
/// the user's <see cref="PickList"/>, a drop takes them all, drops them with
/// <see cref="DropOperations"/> and forgets those it dropped. A pick that could not be dropped stays
/// for another try; a dry run forgets nothing.
/// </summary>
public static class PickAndDrop
{
    /// <summary>
    /// Picks every path of <paramref name="job"/>; a path that cannot be picked (it does not exist)
    /// is reported through <see cref="PickJob.OnItem"/> and the others are still picked.
    /// </summary>
    /// <exception cref="StateDatabaseException">
    /// The pick list cannot be used; the paths reported as picked before that are picked.
    /// </exception>
    public static PickResult Pick(PickJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        using var picks = PickList.Open(job.DatabasePath);
        int? forgotten = null;
        if (job.Clear)
        {
            forgotten = picks.Clear();
            job.OnCleared?.Invoke(forgotten.Value);
        }

        var items = new List<PickItemResult>(job.Paths.Count);
        long newest = 0;
        foreach (var path in job.Paths)
        {
            PickItemResult item;
            try
            {
                var added = picks.Add(path);
                item = new PickItemResult { Path = path, FullPath = Path.GetFullPath(path), Added = added };
                newest = Math.Max(newest, picks.SequenceOf(path) ?? 0);
            }
            catch (LinksmithException error) when (error is not StateDatabaseException)
            {
                item = new PickItemResult { Path = path, Error = error };
            }

            items.Add(item);
            job.OnItem?.Invoke(item);
        }

        var isLast = true;
        if (job.BurstWindow is { } window && items.Count > 0 && items.TrueForAll(item => item.Succeeded))
        {
            // Explorer starts one picker per selected item: let the burst settle; the picker that
            // holds the newest pick is the last one, and it alone speaks, with the total.
            Thread.Sleep(window);
            isLast = picks.NewestSequence() <= newest;
        }

        return new PickResult { Forgotten = forgotten, Items = items, Total = picks.List().Count, IsLastOfBurst = isLast };
    }

    /// <summary>
    /// Drops every pick into <see cref="DropPicksJob.DestinationDirectory"/>, in the order they were
    /// picked, and forgets those that were dropped completely. Each item that fails is reported
    /// through <see cref="DropPicksJob.OnItem"/> and stays picked; the others are still dropped.
    /// </summary>
    /// <returns>
    /// What was dropped; with nothing picked, an empty result (<see cref="DropPicksResult.Picked"/>
    /// is empty) and nothing done. An interrupted drop returns too, with
    /// <see cref="DropPicksResult.Interrupted"/> set, once what it dropped is unpicked.
    /// </returns>
    /// <exception cref="StateDatabaseException">The pick list cannot be read.</exception>
    /// <exception cref="NotADirectoryException">The destination is not an existing directory; every pick is kept.</exception>
    public static DropPicksResult Drop(DropPicksJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        using var picks = PickList.Open(job.DatabasePath);
        var sources = picks.List().Select(pick => pick.Path).ToList();
        var summary = new TreeSummary();
        if (sources.Count == 0)
        {
            return new DropPicksResult { Picked = [], Items = [], Summary = summary };
        }

        job.OnStart?.Invoke(sources);
        var items = new List<DropItemResult>(sources.Count);
        var interrupted = false;
        try
        {
            DropOperations.Run(new DropJob
            {
                SourcePaths = sources,
                DestinationDirectory = job.DestinationDirectory,
                Kind = job.Kind,
                DryRun = job.DryRun,
                Cancellation = job.Cancellation,
                OnItem = item =>
                {
                    items.Add(item);
                    Add(summary, item.Tree);
                    job.OnItem?.Invoke(item);
                },
                OnProgress = job.OnProgress,
            });
        }
        catch (OperationCanceledException) when (job.Cancellation.IsCancellationRequested)
        {
            interrupted = true;
        }

        return new DropPicksResult
        {
            Picked = sources,
            Items = items,
            Summary = summary,
            Interrupted = interrupted,
            ForgetError = job.DryRun ? null : Forget(picks, items),
        };
    }

    /// <summary>Forgets the picks that were dropped: a failed item stays for another try.</summary>
    private static StateDatabaseException? Forget(PickList picks, List<DropItemResult> items)
    {
        try
        {
            picks.Remove(items.Where(item => item.Succeeded).Select(item => item.SourcePath));
            return null;
        }
        catch (StateDatabaseException error)
        {
            return error;
        }
    }

    private static void Add(TreeSummary total, TreeSummary? item)
    {
        if (item is null)
        {
            return;
        }

        total.Copied += item.Copied;
        total.Linked += item.Linked;
        total.Symlinked += item.Symlinked;
        total.Directories += item.Directories;
        total.Skipped += item.Skipped;
        total.Relinked += item.Relinked;
        total.Unchanged += item.Unchanged;
        total.Deleted += item.Deleted;
        total.Bytes += item.Bytes;
        total.Files += item.Files;
        total.Errors += item.Errors;
    }
}
