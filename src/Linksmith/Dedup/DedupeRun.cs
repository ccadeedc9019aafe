using System.Collections.Concurrent;
using System.Runtime;
using System.Runtime.InteropServices;

namespace Linksmith;

/// <summary>
/// The state of one dedupe run and what its phases share; see <see cref="Deduplicator"/>. The
/// phases, in the order they run: DedupeRun.Scan.cs, .Group.cs (candidates), .Read.cs, .Group.cs
/// (sets of equal hashes), .Resolve.cs with .Link.cs or .Share.cs (with --apply and hard links,
/// each batch's sets are re-linked while the next batches are read).
/// </summary>
internal sealed partial class DedupeRun(DedupeOptions options, CancellationToken cancellationToken)
{
    private const byte HasSample = 1;
    private const byte HasFull = 2;
    private const byte Unusable = 4;
    private const byte Dirty = 8;

    // The directories holding scanned files, each with the root it was walked from (its index in
    // walkedRoots): reads, re-checks and replacements name a file below its root.
    private readonly DirectoryPaths directories = new();

    // Whether each directory lies in a reference directory (its files are never changed).
    private readonly List<bool> directoryIsReference = [];
    // The roots, open: a directory root itself, or a file root's parent.
    private readonly List<DirectoryHandle> walkedRoots = [];
    private int[] directoryRank = [];
    private readonly ChunkedList<ScannedFile> files = new();
    private readonly FileClasses classes = new();
    private readonly NameStore names = new();
    private readonly List<LinksmithException> errors = [];
    private readonly ConcurrentQueue<LinksmithException> readErrors = new();
    private readonly ConcurrentQueue<DedupeSkip> readSkips = new();
    private readonly List<DedupeSkip> skipped = [];
    private GroupList? groups;

    // The groups found, in the order PutInWalkOrder gives them once every set is resolved.
    private GroupList Groups => groups ??= new GroupList(this);
    private readonly DedupeProgress progress = options.Progress ?? new DedupeProgress();

    // Names sorted by (volume, size, [uid, gid, mode], identity, walk order); each inode is a run in it.
    private int[] order = [];
    private Inode[] inodes = [];
    private CandidateGroup[] candidateGroups = [];
    private byte[] flags = [];

    // dedupe --reflink --apply: a bit per inode, set where the file was read (sampled or hashed) in
    // this run rather than known from the hash cache; made from flags when they are let go.
    private ulong[] readThisRun = [];

    // dedupe --reflink: for files whose cache row says so, the survivor an earlier run found their
    // every block shared with (only files with such a row are in it).
    private readonly Dictionary<int, SharedWith> sharedWith = [];

    // Candidates are read a batch of groups at a time: samples and hashes are held for one batch
    // only (indexed from the batch's first), and what outlives it is the sets found in it.
    private Batch batch;
    private UInt128[] samples = [];
    private ContentHash[] hashes = [];
    private readonly List<int> work = [];
    private readonly List<int> setMembers = [];
    private readonly List<SetRange> sets = [];

    // Survivors that gained names, with the ctime they were read with: linking changed it, and
    // their cache rows move to the new one (16 bytes each).
    private readonly List<(int Inode, long ReadChangedTicks)> relinked = [];
    // dedupe --reflink: duplicates found sharing every block with their survivor, and which one
    // (only where the cache does not say so already), for the cache (8 bytes each).
    private readonly List<(int Duplicate, int Keeper)> foundShared = [];
    // Duplicates replaced by links to their survivor: files that no longer exist (4 bytes each).
    private readonly List<int> replacedDuplicates = [];
    private ContentReader?[]? readers;
    private long filesRead;
    private long bytesRead;
    private long cacheHits;
    private long savedBytes;
    private string? cacheProblem;

    public DedupeResult Execute()
    {
        try
        {
            return ExecuteCore();
        }
        finally
        {
            DisposeReaders();
            foreach (var root in walkedRoots)
            {
                root.Dispose();
            }
        }
    }

    private DedupeResult ExecuteCore()
    {
        using var cache = OpenCache();
        Scan();
        Group();
        progress.SetCandidates(inodes.Length);
        HashCache? usableCache;
        using (var closing = options.Apply && !options.Reflink ? new DeferredCloser() : null)
        {
            // Re-linking mostly waits for the file system (to free the duplicates' blocks; on a file
            // system mounted with discard, for the device), while reading is work for the cores:
            // each batch's sets are re-linked in the background while the next batches are read.
            // Reflinks are shared once every set is known (ProbeReflinks), and reports wait for nothing.
            closer = closing;
            using var background = closing is not null ? new BackgroundResolver(this) : null;
            usableCache = ReadBatches(cache, background);
            progress.SetPhase(DedupePhase.Linking);
            if (background is not null)
            {
                background.Finish();
            }
            else
            {
                var found = TakeSets();
                if (options.Reflink)
                {
                    ProbeReflinks(found);
                }

                ResolveAll(found);
            }

            closer = null;
        }

        PutInWalkOrder();
        if (usableCache is not null && options.Apply)
        {
            Guard(() => usableCache.UpdateChangeTimes(RelinkedSurvivors()));
            Guard(() => usableCache.Forget(replacedDuplicates.Select(inode => (FirstName(inode), ClassOf(FirstName(inode))))));
        }

        if (usableCache is not null && foundShared.Count > 0)
        {
            // After the ctimes moved: each record goes in the row of the file as it is now, and
            // names its survivor's ctime as it is now (after the whole set was shared).
            Guard(() => usableCache.RecordShared(FoundSharedRecords()));
        }

        progress.SetPhase(DedupePhase.Done);
        // The result's duplicate paths are made from files, names and directories when read,
        // which keeps this run alive with the result: let go of the rest.
        var candidates = inodes.Length;
        order = [];
        inodes = [];
        relinked.Clear();
        relinked.Capacity = 0;
        foundShared.Clear();
        foundShared.Capacity = 0;
        sharedWith.Clear();
        sharedWith.TrimExcess();
        directoryIsReference.Clear();
        directoryIsReference.Capacity = 0;
        errors.AddRange(readErrors);
        skipped.AddRange(readSkips);
        // The report is written next, a few strings per line: collected here, it is not made
        // beside the garbage of the re-linking and the arrays let go of above. Compacting the
        // large-object heap closes the holes the sort order and the candidates leave there, so
        // that memory goes back to the system (large preset: 39.2 MB before, 36.3 MB after).
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        CollectGarbage();
        return new DedupeResult
        {
            Applied = options.Apply,
            Groups = Groups,
            SavedBytes = savedBytes,
            Skipped = skipped,
            Errors = errors,
            Statistics = new DedupeStatistics
            {
                FilesScanned = files.Count,
                Candidates = candidates,
                FilesRead = filesRead,
                BytesRead = bytesRead,
                CacheHits = cacheHits,
                CacheProblem = cacheProblem,
            },
        };
    }

    /// <summary>
    /// Reads the candidates a batch at a time and finds their sets, each batch's handed to
    /// <paramref name="background"/> when there is one, else kept in <see cref="sets"/>; then lets go
    /// of what only the batches needed. The cache as still usable (null once it failed).
    /// </summary>
    private HashCache? ReadBatches(HashCache? cache, BackgroundResolver? background)
    {
        var batches = Batches();
        for (var next = 0; next < batches.Count; next++)
        {
            batch = batches[next];
            if (cache is not null && !Guard(() => LoadCached(cache)))
            {
                cache = null;
            }

            ReadSamples();
            ReadContents();
            if (cache is not null && !Guard(() => ForgetAndStore(cache)))
            {
                cache = null;
            }

            FindSets();
            progress.AddChecked(batch.InodeCount);
            background?.Add(TakeSets());
            if (next + 1 < batches.Count)
            {
                // A batch leaves megabytes of short-lived paths and descriptors behind; collected and
                // compacted here, the next batch reuses that memory instead of growing the heap.
                CollectGarbage();
            }
        }

        // What only the batches needed goes before the sets are resolved and reported: the
        // readers (a pinned buffer each), samples, hashes and flags. Collected with the last
        // batch's garbage, their place is free for the groups' lists.
        ReleaseBatchState();
        CollectGarbage();
        return cache;
    }

    /// <summary>A full, blocking, compacting collection, between the phases of a big run.</summary>
    private static void CollectGarbage() => GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);

    private HashCache? OpenCache()
    {
        if (!options.UseCache)
        {
            return null;
        }

        try
        {
            return HashCache.Open(options.StateDatabasePath);
        }
        catch (StateDatabaseException error)
        {
            cacheProblem = error.Message;
            return null;
        }
    }

    /// <summary>Losing the cache loses nothing but time: a failure is noted, and the run goes on without it (false).</summary>
    private bool Guard(Action action)
    {
        try
        {
            action();
            return true;
        }
        catch (StateDatabaseException error)
        {
            cacheProblem ??= error.Message;
            return false;
        }
    }

    private string PathOf(int file) => PathOf(files[file]);

    private string PathOf(in ScannedFile file) => directories.Join(file.Directory, belowRoot: false, names, file.NameStart, file.NameLength);

    /// <summary>Where a scanned name is for the file-system layer: the open root it was walked from, and its path below it.</summary>
    private RootedName Locate(int file) => Locate(files[file]);

    private RootedName Locate(in ScannedFile file) =>
        new(walkedRoots[directories.RootOf(file.Directory)], directories.Join(file.Directory, belowRoot: true, names, file.NameStart, file.NameLength));

    private ref readonly ScannedFile FirstName(int inode) => ref files[FirstNameIndex(inode)];

    private int FirstNameIndex(int inode) => order[inodes[inode].Start];

    private ref readonly FileClass ClassOf(in ScannedFile file) => ref classes[file.Class];

    /// <summary>Whether two names are of one file (the same volume and file id).</summary>
    private bool SameFile(in ScannedFile a, in ScannedFile b) =>
        a.IdLow == b.IdLow && (a.Class == b.Class || (ClassOf(a).Volume == ClassOf(b).Volume && ClassOf(a).IdHigh == ClassOf(b).IdHigh));

    /// <summary>
    /// Groups of identical files as the run reports them, kept as numbers of scanned names back to
    /// back (16 bytes a group and 4 a name) and made into <see cref="DuplicateGroup"/>s, whose
    /// paths are made in turn, only when read: a big run reports tens of thousands of groups, and
    /// holding each as objects and strings would cost more than the rest of the run together.
    /// </summary>
    private sealed class GroupList(DedupeRun run) : IReadOnlyList<DuplicateGroup>
    {
        private readonly ChunkedList<int> names = new();
        private readonly ChunkedList<(long Size, int Start, int DuplicateFiles)> heads = new();

        // Each group's key (its set's first name) as it is added, until PutInOrder; then the
        // groups' numbers in the order they are read in (null: as added).
        private ChunkedList<int>? keys = new();
        private int[]? order;

        public int Count => heads.Count;

        public DuplicateGroup this[int index]
        {
            get
            {
                // A group's names run up to the next group's, in the order they were added.
                var added = order is null ? index : order[index];
                var (size, start, duplicateFiles) = heads[added];
                var end = added + 1 < heads.Count ? heads[added + 1].Start : names.Count;
                return new DuplicateGroup(size, run.PathOf(names[start]), new FilePaths(run, names, start + 1, end - start - 1), duplicateFiles);
            }
        }

        /// <summary>Adds the groups one set gave under <paramref name="key"/>.</summary>
        public void AddRange(SetOutcome outcome, int key)
        {
            if (outcome.GroupHeads.Count == 0)
            {
                return;
            }

            foreach (var (size, start, duplicateFiles) in outcome.GroupHeads)
            {
                heads.Add((size, names.Count + start, duplicateFiles));
                keys!.Add(key);
            }

            names.AddRange(CollectionsMarshal.AsSpan(outcome.GroupNames));
        }

        /// <summary>
        /// Puts the groups in the order of their keys by <paramref name="compare"/>, those of one key
        /// in the order they were added; the keys are let go.
        /// </summary>
        public void PutInOrder(Comparison<int> compare)
        {
            var added = keys!;
            keys = null;
            for (var i = 1; i < added.Count; i++)
            {
                if (compare(added[i - 1], added[i]) > 0)
                {
                    var numbers = new int[added.Count];
                    for (var n = 0; n < numbers.Length; n++)
                    {
                        numbers[n] = n;
                    }

                    numbers.AsSpan().Sort((x, y) =>
                    {
                        var c = compare(added[x], added[y]);
                        return c != 0 ? c : x.CompareTo(y);
                    });
                    order = numbers;
                    return;
                }
            }
        }

        public IEnumerator<DuplicateGroup> GetEnumerator()
        {
            for (var i = 0; i < heads.Count; i++)
            {
                yield return this[i];
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>The paths of <paramref name="count"/> scanned names from <paramref name="start"/> in <paramref name="names"/>, each made when it is read.</summary>
    private sealed class FilePaths(DedupeRun run, ChunkedList<int> names, int start, int count) : IReadOnlyList<string>
    {
        public int Count => count;

        public string this[int index] => (uint)index < (uint)count ? run.PathOf(names[start + index]) : throw new ArgumentOutOfRangeException(nameof(index));

        public IEnumerator<string> GetEnumerator()
        {
            for (var i = 0; i < count; i++)
            {
                yield return run.PathOf(names[start + i]);
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>A scanned name as the file-system layer takes it: an open root and the path below it.</summary>
    private readonly record struct RootedName(DirectoryHandle Root, string RelativePath)
    {
        /// <summary>The full path, for messages.</summary>
        public string FullPath => Root.FullPath(RelativePath);
    }

    /// <summary>One file (inode): a run of <see cref="Count"/> names in the sorted order, starting at <see cref="Start"/>.</summary>
    private readonly record struct Inode(int Start, int Count);

    /// <summary>A set of identical files: <see cref="Count"/> candidates from <see cref="Start"/> in <see cref="setMembers"/>.</summary>
    private readonly record struct SetRange(int Start, int Count);
}
