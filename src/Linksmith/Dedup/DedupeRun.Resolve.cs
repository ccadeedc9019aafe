using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace Linksmith;

// Resolving the sets found, in parallel: a survivor per set, the others re-linked, shared or
// reported (DedupeRun.Link.cs, .Share.cs). With --apply and hard links, each batch's sets are
// re-linked in the background while the next batches are read. Reported in walk order of each
// set's first file, whatever batch found it.
internal sealed partial class DedupeRun
{
    // What the sets resolved gave, each group (in Groups), skip and error with its set's first name
    // (see ResolveAll), until PutInWalkOrder.
    private readonly List<(int FirstName, DedupeSkip Skip)> resolvedSkips = [];
    private readonly List<(int FirstName, LinksmithException Error)> resolvedErrors = [];

    // Closes the replaced duplicates (dedupe --apply, hard links), which frees their blocks; set
    // while sets are re-linked, and the run waits for its last close before it returns. On a file
    // system mounted with discard a close waits for the device, and the closer's threads wait in
    // parallel instead of the linkers (large preset on ext4 without a journal mounted with
    // discard, six alternating rounds: median 6.56 -> 5.68 s, faster in five; on a journaled ext4
    // loop image, where closes cost only processor time, 6.48 -> 6.27 s, five rounds).
    private DeferredCloser? closer;

    /// <summary>
    /// Takes the sets found so far out of <see cref="sets"/> and <see cref="setMembers"/>, in walk
    /// order of each set's first file, with their members copied (so they are resolved while further
    /// sets are found).
    /// </summary>
    private FoundSets TakeSets()
    {
        sets.Sort((a, b) => WalkOrder(FirstNameIndex(setMembers[a.Start]), FirstNameIndex(setMembers[b.Start])));
        var members = new int[setMembers.Count];
        var taken = new SetRange[sets.Count];
        var next = 0;
        for (var i = 0; i < taken.Length; i++)
        {
            var set = sets[i];
            setMembers.CopyTo(set.Start, members, next, set.Count);
            taken[i] = new SetRange(next, set.Count);
            next += set.Count;
        }

        // Let go: the lists hold a whole run's sets where nothing is re-linked in the background.
        sets.Clear();
        sets.Capacity = 0;
        setMembers.Clear();
        setMembers.Capacity = 0;
        return new FoundSets(members, taken);
    }

    /// <summary>
    /// Resolves every set of <paramref name="found"/> in parallel (sets share no file): replacing, on
    /// up to <see cref="LinkerThreads"/>; reporting, one a core (<see cref="ReporterThreads"/>).
    /// What each set gave goes into the run's lists in the order of the sets, each group, skip and
    /// error with the set's first name, by which <see cref="PutInWalkOrder"/> orders them, so reports
    /// read the same whatever the threads did and whatever batch found a set. Called by one thread
    /// at a time.
    /// </summary>
    private void ResolveAll(FoundSets found)
    {
        const int Chunk = 1024;
        progress.AddSetsToResolve(found.Sets.Length);
        var outcomes = new SetOutcome[Math.Min(Chunk, found.Sets.Length)];
        var firstNames = new int[outcomes.Length];
        for (var first = 0; first < found.Sets.Length; first += Chunk)
        {
            var count = Math.Min(Chunk, found.Sets.Length - first);
            var next = -1;

            // Each set's first name in walk order, taken before Resolve puts its survivor first.
            for (var i = 0; i < count; i++)
            {
                firstNames[i] = FirstNameIndex(found.Members[found.Sets[first + i].Start]);
            }

            void Worker()
            {
                int index;
                while (!cancellationToken.IsCancellationRequested && (index = Interlocked.Increment(ref next)) < count)
                {
                    // Reused from chunk to chunk: a big run resolves tens of thousands of sets.
                    var outcome = outcomes[index] ??= new SetOutcome();
                    outcome.Clear();
                    var set = found.Sets[first + index];
                    Resolve(found.Members.AsSpan(set.Start, set.Count), outcome);
                    progress.AddResolved();
                }
            }

            WorkerThreads.Run(Math.Min(options.Apply ? LinkerThreads : ReporterThreads, count), "dedupe linker", _ => Worker());
            cancellationToken.ThrowIfCancellationRequested();
            for (var i = 0; i < count; i++)
            {
                var outcome = outcomes[i];
                Groups.AddRange(outcome, firstNames[i]);
                foreach (var skip in outcome.Skipped)
                {
                    resolvedSkips.Add((firstNames[i], skip));
                }

                foreach (var error in outcome.Errors)
                {
                    resolvedErrors.Add((firstNames[i], error));
                }

                relinked.AddRange(outcome.Relinked);
                foundShared.AddRange(outcome.FoundShared);
                replacedDuplicates.AddRange(outcome.Gone);
                savedBytes += outcome.SavedBytes;
            }
        }
    }

    /// <summary>
    /// The groups, skips and errors of every set resolved, in walk order of each set's first name
    /// (those of one set in the order it gave them), into <see cref="Groups"/>, <see cref="skipped"/>
    /// and <see cref="errors"/>.
    /// </summary>
    private void PutInWalkOrder()
    {
        Groups.PutInOrder(WalkOrder);
        var walkOrder = Comparer<int>.Create(WalkOrder);
        skipped.AddRange(resolvedSkips.OrderBy(entry => entry.FirstName, walkOrder).Select(entry => entry.Skip));
        errors.AddRange(resolvedErrors.OrderBy(entry => entry.FirstName, walkOrder).Select(entry => entry.Error));
        resolvedSkips.Clear();
        resolvedErrors.Clear();
    }

    /// <summary>
    /// Sets re-linked or shared at once: as asked; else for hard links 4, since they are re-linked
    /// while the next batches are read and the replaced duplicates are closed on the closer's threads
    /// (large preset on this machine's ext4 root, mounted with discard, 2 cores, six alternating
    /// rounds: median 5.43 s with 4, 6.19 s with 8; five more rounds: 2 threads 5.71 s, 4 threads
    /// 5.84 s); for reflinks one a core (at most 8), since the kernel's compare of the two files is
    /// work for a core, and more threads only wait on each other's inode locks (mid preset on XFS,
    /// 2 cores: 2 threads against 8, a cold run 3.78 s against 3.93 s median of three, a warm rerun
    /// 286 ms against 369 ms).
    /// </summary>
    private int LinkerThreads => options.Threads > 0 ? options.Threads : options.Reflink ? Math.Clamp(Environment.ProcessorCount, 1, 8) : 4;

    /// <summary>Sets resolved at once for a report (a survivor picked, savings counted: work for a core, not the disk): one a core, at most two.</summary>
    private static int ReporterThreads => Math.Min(Environment.ProcessorCount, 2);

    /// <summary>Sets of identical files (<see cref="SetRange"/>s into <paramref name="Members"/>), in walk order of their first files.</summary>
    private sealed record FoundSets(int[] Members, SetRange[] Sets);

    /// <summary>
    /// Resolves the sets it is given, a batch at a time in the order given, on a thread of its own
    /// (see <see cref="ResolveAll"/>) while the caller goes on. Disposed without
    /// <see cref="Finish"/> (the run failed or was cancelled), it resolves no further batch and
    /// waits for the one under way.
    /// </summary>
    private sealed class BackgroundResolver : IDisposable
    {
        private readonly BlockingCollection<FoundSets> queue = [];
        private readonly Thread thread;
        private volatile bool abandoned;
        private ExceptionDispatchInfo? failure;

        public BackgroundResolver(DedupeRun run)
        {
            thread = new Thread(() =>
            {
                try
                {
                    foreach (var found in queue.GetConsumingEnumerable())
                    {
                        if (!abandoned)
                        {
                            run.ResolveAll(found);
                        }
                    }
                }
                catch (Exception error)
                {
                    // Handed to the caller by Add or Finish (cancellation included), not left to end the process.
                    failure = ExceptionDispatchInfo.Capture(error);
                    abandoned = true;
                }
            })
            { IsBackground = true, Name = "dedupe resolver" };
            thread.Start();
        }

        public void Add(FoundSets found)
        {
            failure?.Throw();
            queue.Add(found);
        }

        /// <summary>Waits until every batch given is resolved.</summary>
        public void Finish()
        {
            queue.CompleteAdding();
            thread.Join();
            failure?.Throw();
        }

        public void Dispose()
        {
            if (!queue.IsAddingCompleted)
            {
                abandoned = true;
                queue.CompleteAdding();
            }

            thread.Join();
            queue.Dispose();
        }
    }

    /// <summary>What resolving one set of identical files did (lists made only when something goes in them).</summary>
    private sealed class SetOutcome
    {
        private List<(long Size, int Start, int DuplicateFiles)>? groupHeads;
        private List<int>? groupNames;
        private List<DedupeSkip>? skipped;
        private List<LinksmithException>? errors;
        private List<(int Inode, long ReadChangedTicks)>? relinked;
        private List<int>? gone;
        private List<(int Duplicate, int Keeper)>? foundShared;

        /// <summary>The groups found: each a size, where its names start in <see cref="GroupNames"/> and its count of duplicate files.</summary>
        public List<(long Size, int Start, int DuplicateFiles)> GroupHeads => groupHeads ??= [];

        /// <summary>The groups' scanned names: each group's survivor, then its duplicates.</summary>
        public List<int> GroupNames => groupNames ??= [];

        public List<DedupeSkip> Skipped => skipped ??= [];

        public List<LinksmithException> Errors => errors ??= [];

        public List<(int Inode, long ReadChangedTicks)> Relinked => relinked ??= [];

        /// <summary>Duplicates whose every name now points at the survivor: the files are gone, and so must their cache rows be.</summary>
        public List<int> Gone => gone ??= [];

        /// <summary>Duplicates now known to share every block with their survivor (dedupe --reflink), for the cache.</summary>
        public List<(int Duplicate, int Keeper)> FoundShared => foundShared ??= [];

        public long SavedBytes { get; set; }

        public void AddGroup(long size, int keeperName, ReadOnlySpan<int> duplicateNames, int duplicateFiles)
        {
            GroupHeads.Add((size, GroupNames.Count, duplicateFiles));
            GroupNames.Add(keeperName);
            GroupNames.AddRange(duplicateNames);
        }

        public void Clear()
        {
            groupHeads?.Clear();
            groupNames?.Clear();
            skipped?.Clear();
            errors?.Clear();
            relinked?.Clear();
            gone?.Clear();
            foundShared?.Clear();
            SavedBytes = 0;
        }
    }
}
