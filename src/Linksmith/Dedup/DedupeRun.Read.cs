namespace Linksmith;

// Reading: cached hashes merged in, samples of large files, then whole contents, on a few threads.
internal sealed partial class DedupeRun
{
    // Candidates of the current batch whose cached row is stale: the file's times changed since
    // it was stored. Their rows are deleted with the batch's (a fresh one is stored if read).
    private readonly List<int> staleCacheRows = [];

    // The current batch's candidates as the hash cache orders its rows (see LoadCached).
    private CacheKey[] cacheKeys = [];

    /// <summary>The sample slot of a candidate of the current batch (used only for files above <see cref="ContentReader.SampleThreshold"/>).</summary>
    private ref UInt128 Sample(int inode) => ref samples[inode - batch.FirstInode];

    /// <summary>Whether a group's files are compared by a sample before they are read whole.</summary>
    private bool IsSampled(in CandidateGroup group) => FirstName(group.FirstInode).Size > ContentReader.SampleThreshold;

    /// <summary>The content hash slot of a candidate of the current batch.</summary>
    private ref ContentHash Hash(int inode) => ref hashes[inode - batch.FirstInode];

    /// <summary>
    /// Merges the remembered hashes of the current batch's sizes into its candidates: both sorted
    /// by (size, identity), one range of sizes per volume, and a large batch in two halves merged
    /// side by side (<see cref="HashCache.ReadSizes"/>).
    /// </summary>
    /// <remarks>
    /// The candidates are compared as <see cref="cacheKeys"/>, one contiguous array made once per
    /// batch, with the times a row is checked against: compared through their scanned records,
    /// each comparison followed three indexes into the scan's table of records (a cache miss,
    /// mostly), and sorting the batch again through a delegate besides made this merge about
    /// 145 ms of a 0.64 s rerun over the large benchmark tree. On one thread the merge was still
    /// about 100 ms of a 0.55 s rerun there, with the second core idle.
    /// </remarks>
    private void LoadCached(HashCache cache)
    {
        staleCacheRows.Clear();

        // Two halves where there are two cores and enough keys, cut where volume or size changes:
        // each half's keys are made and its rows merged on a thread of its own, and no cached row
        // can belong to both.
        var count = batch.InodeCount;
        var cut = count;
        if (count >= SplitCacheReadsFrom && Environment.ProcessorCount > 1)
        {
            cut = count / 2;
            while (cut < count && FirstName(batch.FirstInode + cut).Size == FirstName(batch.FirstInode + cut - 1).Size
                && ClassOf(FirstName(batch.FirstInode + cut)).Volume == ClassOf(FirstName(batch.FirstInode + cut - 1)).Volume)
            {
                cut++;
            }
        }

        (int Start, int End)[] halves = cut < count ? [(0, cut), (cut, count)] : [(0, count)];
        var halfRanges = new List<(SizeRange Range, int Start, int End)>[halves.Length];
        WorkerThreads.Run(halves.Length, "dedupe cache keys", half => halfRanges[half] = MakeCacheKeys(halves[half].Start, halves[half].End));
        var ranges = new List<SizeRange>();
        var bounds = new List<(int Start, int End)>();
        foreach (var (range, start, end) in halfRanges.SelectMany(list => list))
        {
            ranges.Add(range);
            bounds.Add((start, end));
        }

        var cursors = bounds.Select(range => range.Start).ToArray();
        var stale = new List<int>?[ranges.Count];
        var hits = new long[ranges.Count];
        var shared = new List<(int Inode, SharedWith With)>?[ranges.Count];
        cache.ReadSizes(ranges, ContentReader.SampleThreshold, options.Reflink, (range, idLow, idHigh, cached) =>
        {
            var row = new CacheKey(cached.Size, unchecked((long)idLow), unchecked((long)idHigh), 0, 0, 0);
            var end = bounds[range].End;
            var cursor = cursors[range];
            while (cursor < end && cacheKeys[cursor].CompareTo(row) < 0)
            {
                cursor++;
            }

            cursors[range] = cursor;
            for (var i = cursor; i < end && cacheKeys[i].CompareTo(row) == 0; i++)
            {
                Apply(cacheKeys[i], cached, ref hits[range], ref stale[range], ref shared[range]);
            }
        });

        foreach (var (rows, found) in stale.Zip(hits))
        {
            staleCacheRows.AddRange(rows ?? []);
            cacheHits += found;
        }

        foreach (var (inode, with) in shared.SelectMany(list => list ?? []))
        {
            sharedWith[inode] = with;
        }

        // Called from two threads at once, for different ranges: each writes only its own inodes' slots and its own lists and count.
        void Apply(in CacheKey file, CachedHash cached, ref long hits, ref List<int>? stale, ref List<(int, SharedWith)>? shared)
        {
            var inode = file.Inode;
            if (cached.ModifiedTicks != file.ModifiedTicks || cached.ChangedTicks != file.ChangedTicks)
            {
                (stale ??= []).Add(inode);
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

            if (cached.Shared is { } with)
            {
                (shared ??= []).Add((inode, with));
            }

            hits++;
        }
    }

    /// <summary>
    /// Makes the cache keys of the current batch's candidates from <paramref name="start"/> to
    /// <paramref name="end"/> (indexes in the batch) and puts them in the cache's order; returns
    /// the range of cached rows each volume among them needs, with its keys' indexes.
    /// </summary>
    private List<(SizeRange Range, int Start, int End)> MakeCacheKeys(int start, int end)
    {
        var keys = cacheKeys.AsSpan(start, end - start);
        var volumes = new List<(ulong Volume, int Start)>();
        for (var i = 0; i < keys.Length; i++)
        {
            var inode = batch.FirstInode + start + i;
            ref readonly var file = ref FirstName(inode);
            ref readonly var fileClass = ref ClassOf(file);
            keys[i] = new CacheKey(file.Size, unchecked((long)file.IdLow), unchecked((long)fileClass.IdHigh), file.ModifiedTicks, file.ChangedTicks, inode);
            if (volumes.Count == 0 || volumes[^1].Volume != fileClass.Volume)
            {
                volumes.Add((fileClass.Volume, i));
            }
        }

        // The batch's files are in (volume, size) order already (Group put them so): only files
        // of one size can be out of the cache's order (by owner, group and mode first), and only
        // such runs, a few files each, are sorted.
        var ranges = new List<(SizeRange, int, int)>(volumes.Count);
        for (var v = 0; v < volumes.Count; v++)
        {
            var volumeEnd = v + 1 < volumes.Count ? volumes[v + 1].Start : keys.Length;
            var volume = keys[volumes[v].Start..volumeEnd];
            for (var run = 0; run < volume.Length;)
            {
                var runEnd = run + 1;
                var sorted = true;
                for (; runEnd < volume.Length && volume[runEnd].Size == volume[run].Size; runEnd++)
                {
                    sorted &= volume[runEnd - 1].CompareTo(volume[runEnd]) < 0;
                }

                if (!sorted)
                {
                    volume[run..runEnd].Sort();
                }

                run = runEnd;
            }

            ranges.Add((new SizeRange(volumes[v].Volume, volume[0].Size, volume[^1].Size), start + volumes[v].Start, start + volumeEnd));
        }

        return ranges;
    }

    /// <summary>Keys in one batch from which <see cref="LoadCached"/> works on two threads.</summary>
    private const int SplitCacheReadsFrom = 4096;

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
        ReadInParallel((reader, inode, openedAhead) =>
        {
            var (root, relativePath) = Locate(FirstNameIndex(inode));
            var outcome = reader.Sample(root, relativePath, FirstName(inode), ClassOf(FirstName(inode)), openedAhead, out var sample);
            if (outcome == ReadOutcome.Done)
            {
                Sample(inode) = sample;
                flags[inode] |= HasSample | Dirty;
            }

            return outcome;
        }, static _ => 2 * ContentReader.SampleBlock, sampling: true);
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
        ReadInParallel((reader, inode, openedAhead) =>
        {
            var (root, relativePath) = Locate(FirstNameIndex(inode));
            // A sample read in this run (Dirty) counted the file as read already.
            var sampledThisRun = (flags[inode] & (HasSample | Dirty)) == (HasSample | Dirty);
            var outcome = reader.Hash(root, relativePath, FirstName(inode), ClassOf(FirstName(inode)), openedAhead, sampledThisRun, out var hash);
            if (outcome == ReadOutcome.Done)
            {
                Hash(inode) = hash;
                flags[inode] |= HasFull | Dirty;
            }

            return outcome;
        }, inode => FirstName(inode).Size, sampling: false);
    }

    /// <summary>
    /// Reads the files of <see cref="work"/> on a few threads, in inode order (disk order on most file
    /// systems), while one more thread opens the files a window ahead of them and asks the kernel to
    /// start reading each (<see cref="ContentReader.OpenAhead"/>): a reader gets its file open and,
    /// on a cold page cache, its pages read or on the way.
    /// </summary>
    private void ReadInParallel(Func<ContentReader, int, FileDescriptor?, ReadOutcome> read, Func<int, long> plannedBytes, bool sampling)
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

        // Descriptors opened ahead, by position in work: a reader takes its file's out. One the
        // opener stores just after the reader passed (it raced the reader's claim) is closed at the end.
        var openedAhead = new FileDescriptor?[work.Count];
        var gate = new object();
        var readersRunning = threads;

        void OpenAhead()
        {
            for (var i = 0; i < work.Count; i++)
            {
                lock (gate)
                {
                    while (i > Volatile.Read(ref next) + AheadWindow && readersRunning > 0)
                    {
                        Monitor.Wait(gate);
                    }

                    if (readersRunning == 0)
                    {
                        return;
                    }
                }

                // Behind the readers already (a slow open, or a descheduled thread): catch up.
                i = Math.Max(i, Volatile.Read(ref next) + 1);
                if (i >= work.Count)
                {
                    return;
                }

                var inode = work[i];
                var (root, relativePath) = Locate(FirstNameIndex(inode));
                Volatile.Write(ref openedAhead[i], ContentReader.OpenAhead(root, relativePath, FirstName(inode).Size, sampling));
            }
        }

        void Worker(int worker)
        {
            try
            {
                ReadClaimed(worker);
            }
            finally
            {
                lock (gate)
                {
                    readersRunning--;
                    Monitor.Pulse(gate);
                }
            }
        }

        void ReadClaimed(int worker)
        {
            var reader = Readers[worker] ??= new ContentReader();
            long firstBytes = reader.BytesRead, firstFiles = reader.FilesRead;
            long lastBytes = firstBytes, lastFiles = firstFiles;
            while (!cancellationToken.IsCancellationRequested)
            {
                var first = Interlocked.Add(ref next, Chunk) - Chunk + 1;
                if (first >= work.Count)
                {
                    break;
                }

                lock (gate)
                {
                    Monitor.Pulse(gate);
                }

                for (var i = first; i < Math.Min(first + Chunk, work.Count); i++)
                {
                    var inode = work[i];
                    try
                    {
                        if (read(reader, inode, Interlocked.Exchange(ref openedAhead[i], null)) == ReadOutcome.Changed)
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

            Interlocked.Add(ref filesRead, reader.FilesRead - firstFiles);
            Interlocked.Add(ref bytesRead, reader.BytesRead - firstBytes);
        }

        // The last number is the opener (an extra thread: it mostly waits, in open or for the
        // readers), on Linux only: posix_fadvise is what makes opening ahead worth a thread.
        if (OperatingSystem.IsLinux())
        {
            WorkerThreads.Run(threads + 1, "dedupe reader", worker => (worker == threads ? (Action)OpenAhead : () => Worker(worker))());
        }
        else
        {
            WorkerThreads.Run(threads, "dedupe reader", Worker);
        }

        foreach (var left in openedAhead)
        {
            left?.Dispose();
        }

        cancellationToken.ThrowIfCancellationRequested();
    }

    /// <summary>Deletes the batch's stale rows (only when there are any: an empty transaction still costs a commit), then stores what was read.</summary>
    private void ForgetAndStore(HashCache cache)
    {
        var forgotten = ForgottenEntries().ToList();
        if (forgotten.Count > 0)
        {
            cache.Forget(forgotten);
        }

        cache.Store(DirtyEntries());
    }

    /// <summary>
    /// The current batch's files whose cache rows must go: rows found stale, and files found gone or
    /// changed while read (their row, if any, describes content they no longer have).
    /// </summary>
    private IEnumerable<(ScannedFile File, FileClass Class)> ForgottenEntries()
    {
        foreach (var inode in staleCacheRows)
        {
            yield return (FirstName(inode), ClassOf(FirstName(inode)));
        }

        for (var i = batch.FirstInode; i < batch.EndInode; i++)
        {
            if ((flags[i] & Unusable) != 0)
            {
                yield return (FirstName(i), ClassOf(FirstName(i)));
            }
        }
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

    /// <summary>
    /// How many files past the readers' last claimed one are opened ahead: enough to keep a disk's
    /// queue full of small reads (at most this many descriptors, and 128 KiB of advice each, more
    /// than the readers hold).
    /// </summary>
    private const int AheadWindow = 256;

    /// <summary>Files read at once: as asked, else one per processor (at most 4).</summary>
    private int ReaderThreads => options.Threads > 0 ? options.Threads : Math.Clamp(Environment.ProcessorCount, 1, 4);

    /// <summary>
    /// One reader per reading thread, kept until the last batch is read: each holds a pinned
    /// buffer, which only a full collection frees, and new readers for the samples and the
    /// contents of every batch left up to 4 MiB of them behind a batch on two cores (with 1 MiB buffers).
    /// </summary>
    private ContentReader?[] Readers => readers ??= new ContentReader?[ReaderThreads];

    private void DisposeReaders()
    {
        foreach (var reader in readers ?? [])
        {
            reader?.Dispose();
        }

        readers = null;
    }

    /// <summary>Lets go of what only reading the batches needs.</summary>
    private void ReleaseBatchState()
    {
        if (options.Reflink)
        {
            // Which files were read in this run, one bit each, kept for sharing (SharesEveryBlock).
            readThisRun = new ulong[(flags.Length + 63) / 64];
            for (var i = 0; i < flags.Length; i++)
            {
                if ((flags[i] & Dirty) != 0)
                {
                    readThisRun[i >> 6] |= 1UL << i;
                }
            }
        }

        DisposeReaders();
        candidateGroups = [];
        samples = [];
        hashes = [];
        flags = [];
        work.Clear();
        work.Capacity = 0;
        staleCacheRows.Clear();
        staleCacheRows.Capacity = 0;
        cacheKeys = [];
    }

    /// <summary>
    /// A candidate as the hash cache orders its rows: by size, then file id as SQLite's signed
    /// 64-bit integers (an id of 2^63 or more, an NTFS id with a high sequence number, sorts first
    /// there, and must here too, or the merge would step past its row and miss it).
    /// </summary>
    private readonly record struct CacheKey(long Size, long IdLow, long IdHigh, long ModifiedTicks, long ChangedTicks, int Inode) : IComparable<CacheKey>
    {
        /// <summary>Compares the row keys alone (size and id).</summary>
        public int CompareTo(CacheKey other)
        {
            var c = Size.CompareTo(other.Size);
            if (c == 0) { c = IdLow.CompareTo(other.IdLow); }
            return c == 0 ? IdHigh.CompareTo(other.IdHigh) : c;
        }
    }
}
