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

            var names = new List<RootedName>(inode.Count);
            foreach (var nameFile in nameFiles)
            {
                names.Add(Locate(nameFile));
            }

            var keeperAt = Locate(keeperName);
            FaultPoints.Hit(FaultPoints.DedupeBeforeReplace, keeperAt.FullPath, names[0].FullPath);
            switch (Replace(keeperAt, ref keeperFile, names, file, outcome))
            {
                case ReplaceOutcome.Replaced:
                    duplicates.AddRange(nameFiles);
                    duplicateFiles++;
                    linkedAny = true;
                    outcome.SavedBytes += file.Size;
                    break;
                case ReplaceOutcome.KeeperChanged:
                    outcome.Skipped.Add(new DedupeSkip(keeperAt.FullPath, "changed since it was read; its duplicates were left alone"));
                    Flush();
                    return;
                case ReplaceOutcome.KeeperFull:
                    // The survivor has as many names as its file system allows: this duplicate
                    // survives for the rest of the set instead (the set is split, not merged wrongly).
                    Flush();
                    keeper = duplicate;
                    keeperFile = file;
                    keeperName = nameFiles[0];
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
    /// beside it, checked to be the survivor, then renamed over it). Checks first that neither file
    /// changed since it was read. Every name is reached below its open root without following a
    /// link: a folder swapped for a link since the walk fails with <see cref="TreeChangedException"/>
    /// (reported; the duplicate is left alone), so nothing outside the roots is re-linked.
    /// </summary>
    private ReplaceOutcome Replace(RootedName keeperAt, ref ScannedFile keeper, List<RootedName> names, in ScannedFile duplicate, SetOutcome outcome)
    {
        if (!StillMatches(keeperAt, keeper, outcome))
        {
            return ReplaceOutcome.KeeperChanged;
        }

        foreach (var name in names)
        {
            if (!StillMatches(name, duplicate, outcome))
            {
                outcome.Skipped.Add(new DedupeSkip(name.FullPath, "changed since it was read; left alone"));
                return ReplaceOutcome.Skipped;
            }
        }

        var done = 0;
        foreach (var name in names)
        {
            try
            {
                ReplaceWithLinkTo(name, keeperAt, keeper);
                done++;
            }
            catch (HardLinkLimitException) when (done == 0)
            {
                return ReplaceOutcome.KeeperFull;
            }
            catch (LinksmithException error)
            {
                outcome.Errors.Add(error);
                RollBack(names[..done], names[done], duplicate, outcome);
                return ReplaceOutcome.Skipped;
            }
        }

        // Linking changed the survivor's ctime (its link count changed). Take the new ctime as the
        // baseline only if size and mtime are what was read: a writer in between would have moved mtime.
        if (StatOrNull(keeperAt) is { } status && status.Kind == LinkKind.File && status.Size == keeper.Size && ScannedFile.Ticks(status.ModifiedTime) == keeper.ModifiedTicks
            && IsFile(status, keeper))
        {
            keeper.ChangedTicks = ScannedFile.Ticks(status.ChangeTime);
            keeper.LinkCount = ScannedFile.CountOf(status.LinkCount);
        }

        return ReplaceOutcome.Replaced;
    }

    /// <summary>
    /// Replaces <paramref name="name"/> atomically by a new name of the file at
    /// <paramref name="existing"/>, which must still be <paramref name="expected"/>: the new link
    /// is checked under its temporary name before it is renamed into place (linkat does not follow
    /// a link, so a name swapped since the re-check would otherwise be linked as whatever it now
    /// holds); if it is another file, it is removed again and nothing has changed.
    /// </summary>
    private void ReplaceWithLinkTo(RootedName name, RootedName existing, ScannedFile expected)
    {
        var root = name.Root;
        root.Replace(name.RelativePath, temporary =>
        {
            root.HardLink(temporary, existing.Root, existing.RelativePath);
            if (StatOrNull(new RootedName(root, temporary)) is { Kind: LinkKind.File } linked && IsFile(linked, expected))
            {
                return;
            }

            root.Remove(temporary, LinkKind.File);
            throw new TreeChangedException(existing.FullPath, "is no longer the file that was read; nothing was linked to it");
        });
    }

    /// <summary>
    /// A duplicate's names were re-linked only in part: point them back at the duplicate, through a
    /// name that still holds it, so its hard-link group stays whole.
    /// </summary>
    private void RollBack(List<RootedName> relinked, RootedName holder, in ScannedFile duplicate, SetOutcome outcome)
    {
        foreach (var name in relinked)
        {
            try
            {
                ReplaceWithLinkTo(name, holder, duplicate);
            }
            catch (LinksmithException error)
            {
                outcome.Errors.Add(error);
            }
        }
    }

    private bool StillMatches(RootedName name, in ScannedFile expected, SetOutcome outcome)
    {
        try
        {
            return name.Root.Stat(name.RelativePath) is { Kind: LinkKind.File } status && expected.Matches(status, ClassOf(expected));
        }
        catch (LinksmithException error)
        {
            outcome.Errors.Add(error);
            return false;
        }
    }

    /// <summary>What is at a name now (lstat below its root); null when nothing is, or it cannot be reached without following a link.</summary>
    private static FileStatus? StatOrNull(RootedName name)
    {
        try
        {
            return name.Root.Stat(name.RelativePath);
        }
        catch (LinksmithException)
        {
            return null;
        }
    }

    /// <summary>Whether <paramref name="status"/> is of the file <paramref name="expected"/> (same volume and file id; its ctime and link count may have moved).</summary>
    private bool IsFile(in FileStatus status, in ScannedFile expected) =>
        status.Identity.Volume == ClassOf(expected).Volume
        && (ulong)status.Identity.FileId == expected.IdLow
        && (ulong)(status.Identity.FileId >> 64) == ClassOf(expected).IdHigh;

    /// <summary>Survivors that gained names: their records (with the new ctime) and the ctime they were read with.</summary>
    private IEnumerable<(ScannedFile File, FileClass Class, long ReadChangedTicks)> RelinkedSurvivors()
    {
        foreach (var (inode, readChangedTicks) in relinked)
        {
            yield return (FirstName(inode), ClassOf(FirstName(inode)), readChangedTicks);
        }
    }
}
