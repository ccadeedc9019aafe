using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Linksmith;

/// <summary>
/// Finds identical files and (with <see cref="DedupeOptions.Apply"/>) replaces duplicates by hard
/// links to one survivor, never merging files whose contents differ.
/// </summary>
/// <remarks>
/// <para>The steps: walk every root once; group regular files by volume and size (and owner, group
/// and mode unless <see cref="DedupeOptions.IgnoreMetadata"/>), counting names of one file once;
/// for files above <see cref="ContentReader.SampleThreshold"/> compare a sample (first and last
/// block) to drop most non-matches cheaply; then hash whole contents with SHA-256, which alone
/// decides. Each candidate is read at most once in full, sequentially, files spread over a few
/// threads in inode order. Groups are read a batch at a time (see <see cref="DedupeRun"/>), so
/// only one batch's hashes are held at once, and the hash cache is read one range of sizes per
/// batch.</para>
/// <para>The survivor is the file with the most links, then the oldest mtime, then the first in
/// argument order. Every name of a duplicate file is re-linked, so existing hard-link groups are
/// never split; a duplicate that also has names outside the roots is left alone. Right before
/// each replacement both files are checked to be unchanged since they were read.</para>
/// </remarks>
public static class Deduplicator
{
    /// <summary>Runs a dedupe. Per-file problems are collected in the result, not thrown.</summary>
    /// <exception cref="TargetNotFoundException">A root does not exist.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; files already replaced stay replaced, each one whole.</exception>
    public static DedupeResult Run(DedupeOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Roots.Count == 0)
        {
            throw new ArgumentException("at least one directory is needed", nameof(options));
        }

        var run = new DedupeRun(options, cancellationToken);
        return run.Execute();
    }
}

/// <summary>The state of one dedupe run; see <see cref="Deduplicator"/>.</summary>
internal sealed class DedupeRun(DedupeOptions options, CancellationToken cancellationToken)
{
    private const byte HasSample = 1;
    private const byte HasFull = 2;
    private const byte Unusable = 4;
    private const byte Dirty = 8;

    private readonly List<string> directories = [];
    private readonly List<int> directoryRoots = [];
    private int[] directoryRank = [];
    private readonly ScannedFiles files = new();
    private readonly FileClasses classes = new();
    private readonly NameStore names = new();
    private readonly List<LinksmithException> errors = [];
    private readonly ConcurrentQueue<LinksmithException> readErrors = new();
    private readonly ConcurrentQueue<DedupeSkip> readSkips = new();
    private readonly List<DedupeSkip> skipped = [];
    private GroupList? groups;
    private readonly DedupeProgress progress = options.Progress ?? new DedupeProgress();

    // Names sorted by (volume, size, [uid, gid, mode], identity, walk order); each inode is a run in it.
    private int[] order = [];
    private Inode[] inodes = [];
    private CandidateGroup[] candidateGroups = [];
    private byte[] flags = [];

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
    private long filesRead;
    private long bytesRead;
    private long cacheHits;
    private long savedBytes;
    private string? cacheProblem;

    public DedupeResult Execute()
    {
        using var cache = OpenCache();
        Scan();
        Group();
        var usableCache = cache;
        groups = new GroupList(this);
        progress.SetCandidates(inodes.Length);
        foreach (var next in Batches())
        {
            batch = next;
            if (usableCache is not null && !Guard(() => LoadCached(usableCache)))
            {
                usableCache = null;
            }

            ReadSamples();
            ReadContents();
            if (usableCache is not null && !Guard(() => usableCache.Store(DirtyEntries())))
            {
                usableCache = null;
            }

            FindSets();
            progress.AddChecked(batch.InodeCount);
        }

        // Reported in walk order of each set's first file, whatever batch found it.
        sets.Sort((a, b) => WalkOrder(FirstNameIndex(setMembers[a.Start]), FirstNameIndex(setMembers[b.Start])));
        progress.SetPhase(DedupePhase.Linking);
        ResolveAll(outcome =>
        {
            groups.AddRange(outcome.Groups);
            skipped.AddRange(outcome.Skipped);
            errors.AddRange(outcome.Errors);
            relinked.AddRange(outcome.Relinked);
            savedBytes += outcome.SavedBytes;
        });

        if (usableCache is not null && options.Apply)
        {
            Guard(() => usableCache.UpdateChangeTimes(RelinkedSurvivors()));
        }

        progress.SetPhase(DedupePhase.Done);
        // The result's duplicate paths are made from files, names and directories when read,
        // which keeps this run alive with the result: let go of the rest.
        var candidates = inodes.Length;
        order = [];
        inodes = [];
        candidateGroups = [];
        samples = [];
        hashes = [];
        flags = [];
        work.Clear();
        work.Capacity = 0;
        setMembers.Clear();
        setMembers.Capacity = 0;
        sets.Clear();
        sets.Capacity = 0;
        relinked.Clear();
        relinked.Capacity = 0;
        errors.AddRange(readErrors);
        skipped.AddRange(readSkips);
        return new DedupeResult
        {
            Applied = options.Apply,
            Groups = groups,
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

    private string PathOf(in ScannedFile file) => names.Join(directories[file.Directory], file.NameStart, file.NameLength);

    private ref readonly ScannedFile FirstName(int inode) => ref files[FirstNameIndex(inode)];

    private int FirstNameIndex(int inode) => order[inodes[inode].Start];

    private ref readonly FileClass ClassOf(in ScannedFile file) => ref classes[file.Class];

    /// <summary>Whether two names are of one file (the same volume and file id).</summary>
    private bool SameFile(in ScannedFile a, in ScannedFile b) =>
        a.IdLow == b.IdLow && (a.Class == b.Class || (ClassOf(a).Volume == ClassOf(b).Volume && ClassOf(a).IdHigh == ClassOf(b).IdHigh));

    private void Scan()
    {
        progress.SetPhase(DedupePhase.Scanning);
        // The lean walk on every core: one reused listing per directory and worker; a file costs
        // a record and its name in the shared store, and only directories holding kept files get
        // a path. Listings arrive in no set order, so the walk order that breaks ties (first in
        // argument order) is put back afterwards from the directories' paths.
        var threads = TreeWalker.DefaultWalkThreads;
        var keptByWorker = Enumerable.Range(0, threads).Select(_ => new List<int>()).ToArray();
        var gate = new Lock();
        var roots = DistinctRoots();
        for (var rootIndex = 0; rootIndex < roots.Count; rootIndex++)
        {
            var (root, given) = roots[rootIndex];
            if (TreeWalker.StatPath(root, followLinks: true) is null)
            {
                // Said with the path as the user typed it; the other roots are still searched.
                errors.Add(new TargetNotFoundException(given));
                continue;
            }

            var walkedRoot = rootIndex;
            var lastClass = -1;
            TreeWalker.VisitInParallel(root, new WalkOptions { Sorted = true, OnError = errors.Add }, threads, (listing, worker) =>
            {
                cancellationToken.ThrowIfCancellationRequested();
                var kept = keptByWorker[worker];
                kept.Clear();
                for (var i = 0; i < listing.Count; i++)
                {
                    if (Keeps(listing, i))
                    {
                        kept.Add(i);
                    }
                }

                if (kept.Count == 0)
                {
                    return;
                }

                lock (gate)
                {
                    var directory = directories.Count;
                    directories.Add(listing.Depth == 0 ? Path.GetDirectoryName(root)! : listing.Path);
                    directoryRoots.Add(walkedRoot);
                    foreach (var i in kept)
                    {
                        ref readonly var status = ref listing.Status(i);
                        // The root itself may be a file: then its name comes from its path.
                        var nameStart = names.Add(listing.Depth == 0 ? Path.GetFileName(root.AsSpan()) : listing.Name(i), out var storedLength);
                        // Most files of a tree share one class: try the last one before the table.
                        var fileClass = FileClass.Of(status);
                        if (lastClass < 0 || classes[lastClass] != fileClass)
                        {
                            lastClass = classes.IndexOf(fileClass);
                        }

                        files.Add(ScannedFile.From(status, lastClass, directory, nameStart, storedLength));
                    }
                }

                progress.AddSeen(kept.Count);
            });
        }

        RankDirectories();
    }

    /// <summary>Whether entry <paramref name="index"/> of a listing is a file to consider; skips (does not enter) an excluded directory.</summary>
    private bool Keeps(DirectoryListing listing, int index)
    {
        ref readonly var status = ref listing.Status(index);
        if (status.Kind == LinkKind.Directory)
        {
            if (listing.Depth > 0 && !options.Filter.IsEmpty && options.Filter.IsExcluded(listing.RelativePath(index), isDirectory: true))
            {
                listing.Skip(index);
            }

            return false;
        }

        if (status.Kind != LinkKind.File || status.Size < Math.Max(1, options.MinSize) || status.Size > options.MaxSize)
        {
            return false;
        }

        return options.Filter.IsEmpty
            || options.Filter.IncludesFile(listing.Depth == 0 ? Path.GetFileName(listing.Path) : listing.RelativePath(index));
    }

    /// <summary>
    /// Ranks the directories in the order a sequential walk meets them (roots in argument order,
    /// then depth first with names in ordinal order): the order of their paths when the
    /// separator sorts before every other character.
    /// </summary>
    private void RankDirectories()
    {
        var byWalk = new int[directories.Count];
        for (var i = 0; i < byWalk.Length; i++)
        {
            byWalk[i] = i;
        }

        Array.Sort(byWalk, (a, b) =>
        {
            var c = directoryRoots[a].CompareTo(directoryRoots[b]);
            return c != 0 ? c : CompareInWalkOrder(directories[a], directories[b]);
        });
        directoryRank = new int[directories.Count];
        for (var i = 0; i < byWalk.Length; i++)
        {
            directoryRank[byWalk[i]] = i;
        }

        directoryRoots.Clear();
    }

    private static int CompareInWalkOrder(string a, string b)
    {
        var length = Math.Min(a.Length, b.Length);
        for (var i = 0; i < length; i++)
        {
            if (a[i] != b[i])
            {
                return a[i] == Path.DirectorySeparatorChar ? -1 : b[i] == Path.DirectorySeparatorChar ? 1 : a[i].CompareTo(b[i]);
            }
        }

        return a.Length.CompareTo(b.Length);
    }

    /// <summary>
    /// The order a sequential walk would have met two scanned names in: by directory, then by
    /// name (a directory's names were added together, in name order).
    /// </summary>
    private int WalkOrder(int x, int y)
    {
        var c = directoryRank[files[x].Directory].CompareTo(directoryRank[files[y].Directory]);
        return c != 0 ? c : x.CompareTo(y);
    }

    /// <summary>
    /// The roots as full paths (with the text the user gave), leaving out one that lies inside an
    /// earlier or enclosing root: its files would otherwise be seen twice.
    /// </summary>
    private List<(string Full, string Given)> DistinctRoots()
    {
        var full = options.Roots.Select(r => Path.TrimEndingDirectorySeparator(Path.GetFullPath(r))).ToList();
        var comparison = OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var result = new List<(string, string)>();
        for (var i = 0; i < full.Count; i++)
        {
            var root = full[i];
            var inside = false;
            for (var j = 0; j < full.Count && !inside; j++)
            {
                var other = full[j];
                inside = i != j && (root.Equals(other, comparison)
                    ? j < i
                    : root.StartsWith(Path.EndsInDirectorySeparator(other) ? other : other + Path.DirectorySeparatorChar, comparison));
            }

            if (!inside)
            {
                result.Add((root, options.Roots[i]));
            }
        }

        return result;
    }

    private void Group()
    {
        order = new int[files.Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        var metadata = !options.IgnoreMetadata;
        Array.Sort(order, (x, y) =>
        {
            ref readonly var a = ref files[x];
            ref readonly var b = ref files[y];
            ref readonly var ca = ref ClassOf(a);
            ref readonly var cb = ref ClassOf(b);
            var c = ca.Volume.CompareTo(cb.Volume);
            if (c == 0) { c = a.Size.CompareTo(b.Size); }
            if (metadata)
            {
                if (c == 0) { c = ca.Uid.CompareTo(cb.Uid); }
                if (c == 0) { c = ca.Gid.CompareTo(cb.Gid); }
                if (c == 0) { c = ca.Mode.CompareTo(cb.Mode); }
            }

            if (c == 0) { c = ca.IdHigh.CompareTo(cb.IdHigh); }
            if (c == 0) { c = a.IdLow.CompareTo(b.IdLow); }
            return c == 0 ? WalkOrder(x, y) : c;
        });

        // Two passes over the sorted names, counting and then filling, so each array is made
        // once at its final size: growing lists would leave their old arrays as garbage on the
        // large-object heap, several megabytes at the peak of a big run.
        var (inodeCount, groupCount) = ForEachCandidateGroup(metadata, null);
        inodes = new Inode[inodeCount];
        candidateGroups = new CandidateGroup[groupCount];
        flags = new byte[inodeCount];
        ForEachCandidateGroup(metadata, (index, group, firstName, end) =>
        {
            candidateGroups[index] = group;
            var run = firstName;
            for (var inode = group.FirstInode; inode < group.FirstInode + group.InodeCount; inode++)
            {
                var next = NextInode(run, end);
                inodes[inode] = new Inode(run, next - run);
                run = next;
            }
        });
    }

    /// <summary>
    /// Finds the candidate groups in <see cref="order"/>: runs of names with one volume and size
    /// (and owner, group, mode) that hold two or more files. Calls <paramref name="found"/> (when
    /// given) with each group's number, the group, and where its names start and end in the order;
    /// returns how many files and groups there are.
    /// </summary>
    private (int Inodes, int Groups) ForEachCandidateGroup(bool metadata, Action<int, CandidateGroup, int, int>? found)
    {
        int inodeCount = 0, groupCount = 0;
        var start = 0;
        while (start < order.Length)
        {
            var end = start + 1;
            while (end < order.Length && SameGroup(files[order[start]], files[order[end]], metadata))
            {
                end++;
            }

            var fileCount = 0;
            for (var run = start; run < end; run = NextInode(run, end))
            {
                fileCount++;
            }

            if (fileCount >= 2)
            {
                found?.Invoke(groupCount, new CandidateGroup(inodeCount, fileCount), start, end);
                inodeCount += fileCount;
                groupCount++;
            }

            start = end;
        }

        return (inodeCount, groupCount);
    }

    /// <summary>Where the names of the file whose first name is at <paramref name="run"/> end: names of one file are adjacent in <see cref="order"/>.</summary>
    private int NextInode(int run, int end)
    {
        var next = run + 1;
        while (next < end && SameFile(files[order[run]], files[order[next]]))
        {
            next++;
        }

        return next;
    }

    /// <summary>The sample slot of a candidate of the current batch (used only for files above <see cref="ContentReader.SampleThreshold"/>).</summary>
    private ref UInt128 Sample(int inode) => ref samples[inode - batch.FirstInode];

    /// <summary>Whether a group's files are compared by a sample before they are read whole.</summary>
    private bool IsSampled(in CandidateGroup group) => FirstName(group.FirstInode).Size > ContentReader.SampleThreshold;

    /// <summary>The candidate groups of the current batch.</summary>
    private ReadOnlySpan<CandidateGroup> BatchGroups => candidateGroups.AsSpan(batch.FirstGroup, batch.EndGroup - batch.FirstGroup);

    /// <summary>The content hash slot of a candidate of the current batch.</summary>
    private ref ContentHash Hash(int inode) => ref hashes[inode - batch.FirstInode];

    /// <summary>
    /// Splits the candidate groups into batches of about <see cref="BatchFiles"/> files (a group
    /// is never split), and sizes the sample and hash arrays for the largest batch.
    /// </summary>
    private List<Batch> Batches()
    {
        var result = new List<Batch>();
        var batchFiles = options.BatchFiles > 0 ? options.BatchFiles : BatchFiles;
        var largest = 0;
        var first = 0;
        while (first < candidateGroups.Length)
        {
            var end = first;
            var inodeCount = 0;
            while (end < candidateGroups.Length && (end == first || inodeCount + candidateGroups[end].InodeCount <= batchFiles))
            {
                inodeCount += candidateGroups[end].InodeCount;
                end++;
            }

            result.Add(new Batch(first, end, candidateGroups[first].FirstInode, inodeCount));
            largest = Math.Max(largest, inodeCount);
            first = end;
        }

        hashes = new ContentHash[largest];
        samples = new UInt128[largest];
        return result;
    }

    private bool SameGroup(in ScannedFile a, in ScannedFile b, bool metadata)
    {
        ref readonly var ca = ref ClassOf(a);
        ref readonly var cb = ref ClassOf(b);
        return ca.Volume == cb.Volume && a.Size == b.Size && (!metadata || (ca.Uid == cb.Uid && ca.Gid == cb.Gid && ca.Mode == cb.Mode));
    }

    /// <summary>
    /// Merges the remembered hashes of the current batch's sizes into its candidates: both sorted
    /// by (size, identity), one range of sizes per volume.
    /// </summary>
    private void LoadCached(HashCache cache)
    {
        work.Clear();
        for (var i = batch.FirstInode; i < batch.EndInode; i++)
        {
            work.Add(i);
        }

        work.Sort((x, y) =>
        {
            ref readonly var a = ref FirstName(x);
            ref readonly var b = ref FirstName(y);
            var c = ClassOf(a).Volume.CompareTo(ClassOf(b).Volume);
            return c == 0 ? Compare(a, b.Size, b.IdLow, ClassOf(b).IdHigh) : c;
        });

        var position = 0;
        while (position < work.Count)
        {
            var volume = ClassOf(FirstName(work[position])).Volume;
            var volumeEnd = position;
            while (volumeEnd < work.Count && ClassOf(FirstName(work[volumeEnd])).Volume == volume)
            {
                volumeEnd++;
            }

            var cursor = position;
            cache.ReadSizes(volume, FirstName(work[position]).Size, FirstName(work[volumeEnd - 1]).Size, (idLow, idHigh, cached) =>
            {
                while (cursor < volumeEnd && Compare(FirstName(work[cursor]), cached.Size, idLow, idHigh) < 0)
                {
                    cursor++;
                }

                for (var i = cursor; i < volumeEnd && Compare(FirstName(work[i]), cached.Size, idLow, idHigh) == 0; i++)
                {
                    Apply(work[i], cached);
                }
            });
            position = volumeEnd;
        }

        // In SQLite's order: file ids are stored as signed 64-bit integers, so an id of 2^63 or
        // more (an NTFS id with a high sequence number) sorts first there, and must here too, or
        // the merge would step past its row and miss it.
        int Compare(in ScannedFile file, long size, ulong idLow, ulong idHigh)
        {
            var c = file.Size.CompareTo(size);
            if (c == 0) { c = unchecked((long)file.IdLow).CompareTo(unchecked((long)idLow)); }
            return c == 0 ? unchecked((long)ClassOf(file).IdHigh).CompareTo(unchecked((long)idHigh)) : c;
        }

        void Apply(int inode, CachedHash cached)
        {
            ref readonly var file = ref FirstName(inode);
            if (cached.ModifiedTicks != file.ModifiedTicks || cached.ChangedTicks != file.ChangedTicks)
            {
                return;
            }

            // Only files above the sampling threshold have a sample slot (and only they are stored with one).
            if (cached.Sample is { } sample && file.Size > ContentReader.SampleThreshold)
            {
                Sample(inode) = sample;
                flags[inode] |= HasSample;
            }

            if (cached.Full is { } full)
            {
                Hash(inode) = full;
                flags[inode] |= HasFull;
            }

            cacheHits++;
        }
    }

    private void ReadSamples()
    {
        work.Clear();
        foreach (var group in BatchGroups)
        {
            if (!IsSampled(group))
            {
                continue;
            }

            for (var i = group.FirstInode; i < group.FirstInode + group.InodeCount; i++)
            {
                if ((flags[i] & (HasSample | Unusable)) == 0)
                {
                    work.Add(i);
                }
            }
        }

        progress.SetPhase(DedupePhase.Sampling);
        ReadInParallel((reader, inode) =>
        {
            var outcome = reader.Sample(PathOf(order[inodes[inode].Start]), FirstName(inode), ClassOf(FirstName(inode)), out var sample);
            if (outcome == ReadOutcome.Done)
            {
                Sample(inode) = sample;
                flags[inode] |= HasSample | Dirty;
            }

            return outcome;
        }, static _ => 2 * ContentReader.SampleBlock);
    }

    private void ReadContents()
    {
        work.Clear();
        var members = new List<int>();
        foreach (var group in BatchGroups)
        {
            var sampled = IsSampled(group);
            members.Clear();
            for (var i = group.FirstInode; i < group.FirstInode + group.InodeCount; i++)
            {
                if ((flags[i] & Unusable) == 0)
                {
                    members.Add(i);
                }
            }

            if (sampled)
            {
                // Only files whose sample matches another's need reading in full.
                members.Sort((a, b) => Sample(a).CompareTo(Sample(b)));
                for (var i = 0; i < members.Count; i++)
                {
                    var shared = (i > 0 && Sample(members[i - 1]) == Sample(members[i]))
                        || (i + 1 < members.Count && Sample(members[i + 1]) == Sample(members[i]));
                    if (shared && (flags[members[i]] & HasFull) == 0)
                    {
                        work.Add(members[i]);
                    }
                }
            }
            else if (members.Count >= 2)
            {
                work.AddRange(members.Where(i => (flags[i] & HasFull) == 0));
            }
        }

        progress.SetPhase(DedupePhase.Hashing);
        ReadInParallel((reader, inode) =>
        {
            var outcome = reader.Hash(PathOf(order[inodes[inode].Start]), FirstName(inode), ClassOf(FirstName(inode)), out var hash);
            if (outcome == ReadOutcome.Done)
            {
                Hash(inode) = hash;
                flags[inode] |= HasFull | Dirty;
            }

            return outcome;
        }, inode => FirstName(inode).Size);
    }

    /// <summary>Reads the files of <see cref="work"/> on a few threads, in inode order (disk order on most file systems).</summary>
    private void ReadInParallel(Func<ContentReader, int, ReadOutcome> read, Func<int, long> plannedBytes)
    {
        if (work.Count == 0)
        {
            return;
        }

        work.Sort((x, y) => FirstName(x).IdLow.CompareTo(FirstName(y).IdLow));
        progress.AddPlanned(work.Count, work.Sum(plannedBytes));
        var threads = Math.Min(ReaderThreads, Math.Max(1, work.Count / 16));
        var next = -1;
        const int Chunk = 32;

        void Worker()
        {
            using var reader = new ContentReader();
            long lastBytes = 0, lastFiles = 0;
            while (!cancellationToken.IsCancellationRequested)
            {
                var first = Interlocked.Add(ref next, Chunk) - Chunk + 1;
                if (first >= work.Count)
                {
                    break;
                }

                for (var i = first; i < Math.Min(first + Chunk, work.Count); i++)
                {
                    var inode = work[i];
                    try
                    {
                        if (read(reader, inode) == ReadOutcome.Changed)
                        {
                            flags[inode] |= Unusable;
                            readSkips.Enqueue(new DedupeSkip(PathOf(order[inodes[inode].Start]), "changed since it was listed; left alone"));
                        }
                    }
                    catch (LinksmithException error)
                    {
                        flags[inode] |= Unusable;
                        readErrors.Enqueue(error);
                    }

                    progress.AddRead(reader.FilesRead - lastFiles, reader.BytesRead - lastBytes);
                    lastFiles = reader.FilesRead;
                    lastBytes = reader.BytesRead;
                }
            }

            Interlocked.Add(ref filesRead, reader.FilesRead);
            Interlocked.Add(ref bytesRead, reader.BytesRead);
        }

        WorkerThreads.Run(threads, "dedupe reader", _ => Worker());

        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>The cache entries of the current batch's usable candidates read in this run.</summary>
    private IEnumerable<(ScannedFile File, FileClass Class, UInt128? Sample, ContentHash? Full)> DirtyEntries()
    {
        for (var i = batch.FirstInode; i < batch.EndInode; i++)
        {
            if ((flags[i] & (Dirty | Unusable)) == Dirty)
            {
                yield return (FirstName(i), ClassOf(FirstName(i)), (flags[i] & HasSample) != 0 ? Sample(i) : null, (flags[i] & HasFull) != 0 ? Hash(i) : null);
            }
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

    /// <summary>
    /// Adds the current batch's sets of files with equal SHA-256 (within one candidate group) to
    /// <see cref="sets"/>, each in walk order.
    /// </summary>
    private void FindSets()
    {
        var members = new List<int>();
        foreach (var group in BatchGroups)
        {
            members.Clear();
            for (var i = group.FirstInode; i < group.FirstInode + group.InodeCount; i++)
            {
                if ((flags[i] & (HasFull | Unusable)) == HasFull)
                {
                    members.Add(i);
                }
            }

            members.Sort((a, b) =>
            {
                var c = CompareHash(Hash(a), Hash(b));
                return c == 0 ? WalkOrder(FirstNameIndex(a), FirstNameIndex(b)) : c;
            });
            for (var i = 0; i < members.Count;)
            {
                var j = i + 1;
                while (j < members.Count && Hash(members[j]) == Hash(members[i]))
                {
                    j++;
                }

                if (j - i >= 2)
                {
                    sets.Add(new SetRange(setMembers.Count, j - i));
                    setMembers.AddRange(CollectionsMarshal.AsSpan(members)[i..j]);
                }

                i = j;
            }
        }

        static int CompareHash(ContentHash a, ContentHash b)
        {
            var c = a.A.CompareTo(b.A);
            if (c == 0) { c = a.B.CompareTo(b.B); }
            if (c == 0) { c = a.C.CompareTo(b.C); }
            return c == 0 ? a.D.CompareTo(b.D) : c;
        }
    }

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

    /// <summary>Files read at once: as asked, else one per processor (at most 4).</summary>
    private int ReaderThreads => options.Threads > 0 ? options.Threads : Math.Clamp(Environment.ProcessorCount, 1, 4);

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

    /// <summary>
    /// Groups of identical files as the run reports them, kept as numbers of scanned names back to
    /// back (16 bytes a group and 4 a name) and made into <see cref="DuplicateGroup"/>s, whose
    /// paths are made in turn, only when read: a big run reports tens of thousands of groups, and
    /// holding each as objects and strings would cost more than the rest of the run together.
    /// </summary>
    private sealed class GroupList(DedupeRun run) : IReadOnlyList<DuplicateGroup>
    {
        private readonly List<int> names = [];
        private readonly List<(long Size, int Start, int DuplicateFiles)> heads = [];

        public int Count => heads.Count;

        public DuplicateGroup this[int index]
        {
            get
            {
                var (size, start, duplicateFiles) = heads[index];
                var end = index + 1 < heads.Count ? heads[index + 1].Start : names.Count;
                return new DuplicateGroup(size, run.PathOf(names[start]), new FilePaths(run, names, start + 1, end - start - 1), duplicateFiles);
            }
        }

        public void Add(long size, int keeperName, ReadOnlySpan<int> duplicateNames, int duplicateFiles)
        {
            heads.Add((size, names.Count, duplicateFiles));
            names.Add(keeperName);
            names.AddRange(duplicateNames);
        }

        public void AddRange(GroupList other)
        {
            foreach (var (size, start, duplicateFiles) in other.heads)
            {
                heads.Add((size, names.Count + start, duplicateFiles));
            }

            names.AddRange(other.names);
        }

        public void Clear()
        {
            names.Clear();
            heads.Clear();
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
    private sealed class FilePaths(DedupeRun run, List<int> names, int start, int count) : IReadOnlyList<string>
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

    /// <summary>One file (inode): a run of <see cref="Count"/> names in the sorted order, starting at <see cref="Start"/>.</summary>
    private readonly record struct Inode(int Start, int Count);

    /// <summary>A set of identical files: <see cref="Count"/> candidates from <see cref="Start"/> in <see cref="setMembers"/>.</summary>
    private readonly record struct SetRange(int Start, int Count);

    /// <summary>Candidate groups read together: groups from <see cref="FirstGroup"/> to <see cref="EndGroup"/>, their files from <see cref="FirstInode"/>.</summary>
    private readonly record struct Batch(int FirstGroup, int EndGroup, int FirstInode, int InodeCount)
    {
        public int EndInode => FirstInode + InodeCount;
    }

    /// <summary>
    /// Files (inodes) read per batch, at most, unless one group is larger: 512 KiB of hashes, and
    /// on the large benchmark tree 12 batches, each one range scan of the cache.
    /// </summary>
    private const int BatchFiles = 16384;

    /// <summary>Files of one volume, size (and owner, group, mode): a run of inodes.</summary>
    /// <param name="FirstInode">The group's first file in the candidate array.</param>
    /// <param name="InodeCount">How many files (two or more) the group has.</param>
    private readonly record struct CandidateGroup(int FirstInode, int InodeCount);
}
