using System.Runtime.InteropServices;

namespace Linksmith;

// Linking: a survivor per set, each duplicate re-checked and replaced by a hard link to it.
internal sealed partial class DedupeRun
{
    /// <summary>
    /// Resolves every set, in parallel when replacing: sets share no file, and most of a
    /// replacement's time is the kernel freeing the duplicate's blocks (on a file system mounted
    /// with <c>discard</c>, waiting for the device), which overlaps well. Outcomes are handed to
    /// <paramref name="merge"/> in the order of the sets, so reports read the same whatever the
    /// threads did, a batch at a time, so they are not all held at once.
    /// </summary>
    private void ResolveAll(Action<SetOutcome> merge)
    {
        const int Batch = 1024;
        progress.AddSetsToResolve(sets.Count);
        var outcomes = new SetOutcome[Math.Min(Batch, sets.Count)];
        for (var first = 0; first < sets.Count; first += Batch)
        {
            var count = Math.Min(Batch, sets.Count - first);
            var next = -1;

            void Worker()
            {
                int index;
                while (!cancellationToken.IsCancellationRequested && (index = Interlocked.Increment(ref next)) < count)
                {
                    // Reused from batch to batch: a big run resolves tens of thousands of sets.
                    var outcome = outcomes[index] ??= new SetOutcome(this);
                    outcome.Clear();
                    var set = sets[first + index];
                    Resolve(CollectionsMarshal.AsSpan(setMembers).Slice(set.Start, set.Count), outcome);
                    progress.AddResolved();
                }
            }

            WorkerThreads.Run(options.Apply ? Math.Min(LinkerThreads, count) : 1, "dedupe linker", _ => Worker());
            cancellationToken.ThrowIfCancellationRequested();
            for (var i = 0; i < count; i++)
            {
                merge(outcomes[i]);
            }
        }
    }

    /// <summary>Sets re-linked at once: as asked, else 8, since a replacement mostly waits for the file system.</summary>
    private int LinkerThreads => options.Threads > 0 ? options.Threads : 8;

    /// <summary>What resolving one set of identical files did (lists made only when something goes in them).</summary>
    private sealed class SetOutcome(DedupeRun run)
    {
        private GroupList? groups;
        private List<DedupeSkip>? skipped;
        private List<LinksmithException>? errors;
        private List<(int Inode, long ReadChangedTicks)>? relinked;

        public GroupList Groups => groups ??= new GroupList(run);

        public List<DedupeSkip> Skipped => skipped ??= [];

        public List<LinksmithException> Errors => errors ??= [];

        public List<(int Inode, long ReadChangedTicks)> Relinked => relinked ??= [];

        public long SavedBytes { get; set; }

        public void Clear()
        {
            groups?.Clear();
            skipped?.Clear();
            errors?.Clear();
            relinked?.Clear();
            SavedBytes = 0;
        }
    }

    /// <summary>The order in which files of a set are preferred as the survivor.</summary>
    private int SurvivorFirst(int x, int y)
    {
        ref readonly var a = ref FirstName(x);
        ref readonly var b = ref FirstName(y);
        var c = b.LinkCount.CompareTo(a.LinkCount);
        if (c == 0) { c = a.ModifiedTicks.CompareTo(b.ModifiedTicks); }
        return c == 0 ? WalkOrder(order[inodes[x].Start], order[inodes[y].Start]) : c;
    }

    /// <summary>Picks the survivor of one set of identical files and re-links (or reports) the others.</summary>
    private void Resolve(Span<int> set, SetOutcome outcome)
    {
        // Most links, then oldest mtime, then first in argument order.
        set.Sort(SurvivorFirst);
        var keeper = set[0];
        var keeperFile = FirstName(keeper);
        var keeperName = order[inodes[keeper].Start];
        var keeperPath = PathOf(keeperName);
        var duplicates = new List<int>();
        var duplicateFiles = 0;
        var linkedAny = false;

        void Flush()
        {
            if (duplicates.Count > 0)
            {
                outcome.Groups.Add(keeperFile.Size, keeperName, CollectionsMarshal.AsSpan(duplicates), duplicateFiles);
            }

            if (linkedAny)
            {
                // Its record takes the new ctime and link count (no other set holds this file).
                outcome.Relinked.Add((keeper, files[keeperName].ChangedTicks));
                files[keeperName] = keeperFile;
            }

            duplicates.Clear();
            duplicateFiles = 0;
            linkedAny = false;
        }

        for (var rank = 1; rank < set.Length; rank++)
        {
            var duplicate = set[rank];
            var inode = inodes[duplicate];
            ref readonly var file = ref FirstName(duplicate);
            var nameFiles = order.AsSpan(inode.Start, inode.Count);
            if (file.LinkCount != inode.Count || file.LinkCount == ushort.MaxValue)
            {
                outcome.Skipped.Add(new DedupeSkip(PathOf(nameFiles[0]), file.LinkCount == ushort.MaxValue
                    ? $"has {ushort.MaxValue} names or more, too many to be sure all were found; left alone"
                    : file.LinkCount > inode.Count
                    ? $"has {file.LinkCount} names, {file.LinkCount - inode.Count} of them outside the directories searched; re-linking only some would split its hard-link group and free nothing"
                    : "was seen under more names than it has (directories given twice through a link?); left alone"));
                continue;
            }

            if (!options.Apply)
            {
                duplicates.AddRange(nameFiles);
                duplicateFiles++;
                outcome.SavedBytes += file.Size;
                continue;
            }

            var names = new List<string>(inode.Count);
            foreach (var nameFile in nameFiles)
            {
                names.Add(PathOf(nameFile));
            }

            options.BeforeReplaceForTesting?.Invoke(keeperPath, names[0]);
            switch (Replace(keeperPath, ref keeperFile, names, file, outcome))
            {
                case ReplaceOutcome.Replaced:
                    duplicates.AddRange(nameFiles);
                    duplicateFiles++;
                    linkedAny = true;
                    outcome.SavedBytes += file.Size;
                    break;
                case ReplaceOutcome.KeeperChanged:
                    outcome.Skipped.Add(new DedupeSkip(keeperPath, "changed since it was read; its duplicates were left alone"));
                    Flush();
                    return;
                case ReplaceOutcome.KeeperFull:
                    // The survivor has as many names as its file system allows: this duplicate
                    // survives for the rest of the set instead (the set is split, not merged wrongly).
                    Flush();
                    keeper = duplicate;
                    keeperFile = file;
                    keeperName = nameFiles[0];
                    keeperPath = names[0];
                    break;
                case ReplaceOutcome.Skipped:
                    break;
            }
        }

        Flush();
    }

    private enum ReplaceOutcome
    {
        Replaced,
        Skipped,
        KeeperChanged,
        KeeperFull,
    }

    /// <summary>
    /// Re-links every name of one duplicate file to the survivor, each atomically (a new name made
    /// beside it, then renamed over it). Checks first that neither file changed since it was read.
    /// </summary>
    private ReplaceOutcome Replace(string keeperPath, ref ScannedFile keeper, List<string> names, in ScannedFile duplicate, SetOutcome outcome)
    {
        if (!StillMatches(keeperPath, keeper, outcome))
        {
            return ReplaceOutcome.KeeperChanged;
        }

        foreach (var name in names)
        {
            if (!StillMatches(name, duplicate, outcome))
            {
                outcome.Skipped.Add(new DedupeSkip(name, "changed since it was read; left alone"));
                return ReplaceOutcome.Skipped;
            }
        }

        var done = new List<string>();
        foreach (var name in names)
        {
            try
            {
                Link.ReplaceWithHardLink(name, keeperPath);
                done.Add(name);
            }
            catch (HardLinkLimitException) when (done.Count == 0)
            {
                return ReplaceOutcome.KeeperFull;
            }
            catch (LinksmithException error)
            {
                outcome.Errors.Add(error);
                RollBack(done, names[done.Count..], outcome);
                return ReplaceOutcome.Skipped;
            }
        }

        // Linking changed the survivor's ctime (its link count changed). Take the new ctime as the
        // baseline only if size and mtime are what was read: a writer in between would have moved mtime.
        var now = TreeWalker.StatPath(keeperPath, followLinks: false);
        if (now is { } status && status.Kind == LinkKind.File && status.Size == keeper.Size && ScannedFile.Ticks(status.ModifiedTime) == keeper.ModifiedTicks
            && status.Identity.Volume == ClassOf(keeper).Volume && (ulong)status.Identity.FileId == keeper.IdLow
            && (ulong)(status.Identity.FileId >> 64) == ClassOf(keeper).IdHigh)
        {
            keeper.ChangedTicks = ScannedFile.Ticks(status.ChangeTime);
            keeper.LinkCount = ScannedFile.CountOf(status.LinkCount);
        }

        return ReplaceOutcome.Replaced;
    }

    /// <summary>
    /// A duplicate's names were re-linked only in part: point them back at the duplicate, through a
    /// name that still holds it, so its hard-link group stays whole.
    /// </summary>
    private static void RollBack(List<string> relinked, List<string> remaining, SetOutcome outcome)
    {
        foreach (var name in relinked)
        {
            try
            {
                Link.ReplaceWithHardLink(name, remaining[0]);
            }
            catch (LinksmithException error)
            {
                outcome.Errors.Add(error);
            }
        }
    }

    private bool StillMatches(string path, in ScannedFile expected, SetOutcome outcome)
    {
        try
        {
            return TreeWalker.StatPath(path, followLinks: false) is { Kind: LinkKind.File } status && expected.Matches(status, ClassOf(expected));
        }
        catch (LinksmithException error)
        {
            outcome.Errors.Add(error);
            return false;
        }
    }

    /// <summary>Survivors that gained names: their records (with the new ctime) and the ctime they were read with.</summary>
    private IEnumerable<(ScannedFile File, FileClass Class, long ReadChangedTicks)> RelinkedSurvivors()
    {
        foreach (var (inode, readChangedTicks) in relinked)
        {
            yield return (FirstName(inode), ClassOf(FirstName(inode)), readChangedTicks);
        }
    }
}
