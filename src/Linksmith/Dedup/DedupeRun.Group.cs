using System.Numerics;
using System.Runtime.InteropServices;

namespace Linksmith;

// Grouping: candidates by volume, size (and owner, group, mode), read in batches; then sets of equal SHA-256.
internal sealed partial class DedupeRun
{
    private void Group()
    {
        // Sharing blocks shares nothing but data: owner and mode do not prevent it.
        var metadata = !options.IgnoreMetadata && !options.Reflink;
        var ranks = RankClasses(metadata);

        // The names go into the order by bucket first (volume, then a coarse log scale of size:
        // a counting sort), and each bucket is then sorted as NameKeys that carry what is
        // compared (one small contiguous array, compared without a call). Indexes sorted all at
        // once through a delegate looked up each name's record and class twice a comparison, and
        // finding the groups looked them up again: 85–100 ms of a 0.62 s rerun over the large
        // benchmark tree. Keys for every name at once (24 bytes each) raised the run's peak
        // memory by 3–4 MB there; a bucket's keys are a few hundred kilobytes.
        var bucketStarts = new int[(ranks.Volumes * SizeBuckets) + 1];
        for (var i = 0; i < files.Count; i++)
        {
            bucketStarts[BucketOf(files[i], ranks) + 1]++;
        }

        var largest = 0;
        for (var b = 0; b + 1 < bucketStarts.Length; b++)
        {
            largest = Math.Max(largest, bucketStarts[b + 1]);
            bucketStarts[b + 1] += bucketStarts[b];
        }

        order = new int[files.Count];
        var next = bucketStarts[..^1];
        for (var i = 0; i < files.Count; i++)
        {
            order[next[BucketOf(files[i], ranks)]++] = i;
        }

        // Buckets are sorted and counted on two threads where there are two cores (each half of the
        // names, a bucket never split), then filled the same way once every bucket's place is known.
        var bucketCount = bucketStarts.Length - 1;
        var bucketInodes = new int[bucketCount + 1];
        var bucketGroups = new int[bucketCount + 1];
        InBucketHalves(bucketStarts, largest, (b, keyMemory) =>
        {
            var names = order.AsSpan(bucketStarts[b], bucketStarts[b + 1] - bucketStarts[b]);
            var keys = keyMemory[..names.Length];
            Fill(keys, names, ranks);
            keys.Sort();
            for (var i = 0; i < keys.Length;)
            {
                var j = i + 1;
                while (j < keys.Length && keys[j].SameFile(keys[i]))
                {
                    j++;
                }

                for (var k = i; k < j; k++)
                {
                    names[k] = keys[k].Name;
                }

                // The names of one file (hard links) are in scan order here: put them in walk order.
                if (j - i > 1)
                {
                    names[i..j].Sort(WalkOrder);
                }

                i = j;
            }

            (bucketInodes[b + 1], bucketGroups[b + 1]) = FindCandidateGroups(keys, 0, ranks.GroupOfClass, 0, 0, fill: false);
        });

        // Counted first and filled now (the keys made again, from the sorted names), so each
        // array is made once at its final size: growing lists would leave their old arrays as
        // garbage on the large-object heap, several megabytes at the peak of a big run.
        for (var b = 0; b < bucketCount; b++)
        {
            bucketInodes[b + 1] += bucketInodes[b];
            bucketGroups[b + 1] += bucketGroups[b];
        }

        inodes = new Inode[bucketInodes[^1]];
        candidateGroups = new CandidateGroup[bucketGroups[^1]];
        flags = new byte[bucketInodes[^1]];
        InBucketHalves(bucketStarts, largest, (b, keyMemory) =>
        {
            var names = order.AsSpan(bucketStarts[b], bucketStarts[b + 1] - bucketStarts[b]);
            var keys = keyMemory[..names.Length];
            Fill(keys, names, ranks);
            FindCandidateGroups(keys, bucketStarts[b], ranks.GroupOfClass, bucketInodes[b], bucketGroups[b], fill: true);
        });

        void Fill(Span<NameKey> keys, ReadOnlySpan<int> names, ClassRanks ranks)
        {
            for (var k = 0; k < keys.Length; k++)
            {
                ref readonly var file = ref files[names[k]];
                keys[k] = new NameKey(file.Size, file.IdLow, ranks.Class[file.Class], names[k]);
            }
        }
    }

    /// <summary>
    /// Calls <paramref name="bucket"/> for every bucket of two names or more (given its number and
    /// scratch room for <paramref name="largest"/> keys), on two threads where there are two cores:
    /// the first takes the buckets that hold the first half of the names, the second the rest.
    /// </summary>
    private static void InBucketHalves(int[] bucketStarts, int largest, BucketAction bucket)
    {
        var names = bucketStarts[^1];
        var threads = Environment.ProcessorCount > 1 && names >= GroupOnTwoThreadsFrom ? 2 : 1;
        var middle = threads == 1 ? bucketStarts.Length - 1 : Array.FindIndex(bucketStarts, start => start >= names / 2);
        WorkerThreads.Run(threads, "dedupe grouping", half =>
        {
            using var keyMemory = new NativeArray<NameKey>(largest);
            var (from, to) = half == 0 ? (0, middle) : (middle, bucketStarts.Length - 1);
            for (var b = from; b < to; b++)
            {
                if (bucketStarts[b + 1] - bucketStarts[b] >= 2)
                {
                    bucket(b, keyMemory.Span);
                }
            }
        });
    }

    private delegate void BucketAction(int bucket, Span<NameKey> keyMemory);

    /// <summary>Names from which <see cref="InBucketHalves"/> uses a second thread (below, starting it costs more than it saves).</summary>
    private const int GroupOnTwoThreadsFrom = 8192;

    /// <summary>Buckets of sizes per volume in <see cref="Group"/>: sizes below 16 one each, then 16 per power of two.</summary>
    private const int SizeBuckets = 16 * 61;

    /// <summary>The bucket of a name: its volume's rank, then its size on a log scale (monotonic: a larger size is never in an earlier bucket).</summary>
    private static int BucketOf(in ScannedFile file, ClassRanks ranks)
    {
        var size = (ulong)file.Size;
        var sizeBucket = size < 16 ? (int)size : ((63 - BitOperations.LeadingZeroCount(size) - 3) * 16) + (int)((size >> (59 - BitOperations.LeadingZeroCount(size))) & 15);
        return (ranks.Volume[file.Class] * SizeBuckets) + sizeBucket;
    }

    /// <summary>
    /// Finds the candidate groups in sorted keys of one volume (a bucket's, whose first name is at
    /// <paramref name="first"/> in <see cref="order"/>): runs of names with one size (and owner,
    /// group, mode: one <paramref name="groupOfClass"/>) that hold two or more files, a file being
    /// a run of keys of one id. Numbers them from <paramref name="inodeCount"/> and
    /// <paramref name="groupCount"/>, fills <see cref="candidateGroups"/> and <see cref="inodes"/>
    /// when asked, and returns the counts after them.
    /// </summary>
    private (int Inodes, int Groups) FindCandidateGroups(ReadOnlySpan<NameKey> keys, int first, ReadOnlySpan<int> groupOfClass, int inodeCount, int groupCount, bool fill)
    {
        for (var start = 0; start < keys.Length;)
        {
            var size = keys[start].Size;
            var group = groupOfClass[keys[start].ClassRank];
            var end = start + 1;
            var fileCount = 1;
            for (; end < keys.Length && keys[end].Size == size && groupOfClass[keys[end].ClassRank] == group; end++)
            {
                if (!keys[end].SameFile(keys[end - 1]))
                {
                    fileCount++;
                }
            }

            if (fileCount >= 2)
            {
                if (fill)
                {
                    candidateGroups[groupCount] = new CandidateGroup(inodeCount, fileCount);
                    var inode = inodeCount;
                    var run = start;
                    for (var k = start + 1; k <= end; k++)
                    {
                        if (k == end || !keys[k].SameFile(keys[k - 1]))
                        {
                            inodes[inode++] = new Inode(first + run, k - run);
                            run = k;
                        }
                    }
                }

                inodeCount += fileCount;
                groupCount++;
            }

            start = end;
        }

        return (inodeCount, groupCount);
    }

    /// <summary>
    /// What a class adds to the order of names, as ranks among the run's classes (classes the
    /// order holds equal share a rank): <see cref="ClassRanks.Volume"/> by volume;
    /// <see cref="ClassRanks.Class"/> by uid, gid and mode (when they count), then the high half of
    /// the file id; and <see cref="ClassRanks.GroupOfClass"/>, for each class rank, its rank by
    /// uid, gid and mode alone (what splits candidate groups of one size).
    /// </summary>
    private ClassRanks RankClasses(bool metadata)
    {
        Comparison<FileClass> byMetadata = (a, b) =>
        {
            if (!metadata)
            {
                return 0;
            }

            var c = a.Uid.CompareTo(b.Uid);
            if (c == 0) { c = a.Gid.CompareTo(b.Gid); }
            return c == 0 ? a.Mode.CompareTo(b.Mode) : c;
        };
        var volume = Ranks((a, b) => a.Volume.CompareTo(b.Volume), out var volumes);
        var group = Ranks(byMetadata, out _);
        var fileClass = Ranks((a, b) => { var c = byMetadata(a, b); return c == 0 ? a.IdHigh.CompareTo(b.IdHigh) : c; }, out var classRanks);
        var groupOfClass = new int[classRanks];
        for (var i = 0; i < classes.Count; i++)
        {
            groupOfClass[fileClass[i]] = group[i];
        }

        return new ClassRanks(volume, volumes, fileClass, groupOfClass);

        int[] Ranks(Comparison<FileClass> compare, out int distinct)
        {
            var sorted = new int[classes.Count];
            for (var i = 0; i < sorted.Length; i++)
            {
                sorted[i] = i;
            }

            Array.Sort(sorted, (a, b) => compare(classes[a], classes[b]));
            var ranks = new int[sorted.Length];
            distinct = 0;
            for (var i = 0; i < sorted.Length; i++)
            {
                if (i > 0 && compare(classes[sorted[i - 1]], classes[sorted[i]]) != 0)
                {
                    distinct++;
                }

                ranks[sorted[i]] = distinct;
            }

            distinct = sorted.Length == 0 ? 0 : distinct + 1;
            return ranks;
        }
    }

    /// <summary>The candidate groups of the current batch.</summary>
    private ReadOnlySpan<CandidateGroup> BatchGroups => candidateGroups.AsSpan(batch.FirstGroup, batch.EndGroup - batch.FirstGroup);

    /// <summary>
    /// Splits the candidate groups into batches of about <see cref="BatchFiles"/> files (a group
    /// is never split), and sizes the sample and hash arrays for the largest batch.
    /// </summary>
    private List<Batch> Batches()
    {
        var result = new List<Batch>();
        var batchFiles = options.BatchFiles > 0 ? options.BatchFiles : options.Reflink ? ReflinkBatchFiles : BatchFiles;
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
        cacheKeys = new CacheKey[largest];
        return result;
    }

    /// <summary>
    /// Adds the current batch's sets of files with equal SHA-256 (within one candidate group) to
    /// <see cref="sets"/>, each in walk order.
    /// </summary>
    private void FindSets()
    {
        // In two halves of the batch's groups where it is large and there are two cores, each
        // found on a thread of its own and added in order (the sets are put in walk order before
        // they are resolved, so only their contents matter).
        var cut = batch.EndGroup;
        if (batch.InodeCount >= SplitCacheReadsFrom && Environment.ProcessorCount > 1)
        {
            cut = batch.FirstGroup;
            while (cut < batch.EndGroup && candidateGroups[cut].FirstInode - batch.FirstInode < batch.InodeCount / 2)
            {
                cut++;
            }
        }

        var found = new (List<SetRange> Sets, List<int> Members)[cut < batch.EndGroup ? 2 : 1];
        WorkerThreads.Run(found.Length, "dedupe sets", half => found[half] = FindSets(half == 0 ? batch.FirstGroup..cut : cut..batch.EndGroup));
        foreach (var (halfSets, members) in found)
        {
            foreach (var set in halfSets)
            {
                sets.Add(set with { Start = set.Start + setMembers.Count });
            }

            setMembers.AddRange(members);
        }
    }

    /// <summary>The sets of files with equal SHA-256 in the candidate groups <paramref name="groups"/>, each in walk order, with their members (a set's <see cref="SetRange.Start"/> counts from the first).</summary>
    private (List<SetRange> Sets, List<int> Members) FindSets(Range groups)
    {
        var found = new List<SetRange>();
        var foundMembers = new List<int>();
        var members = new List<int>();
        Comparison<int> byHashThenWalk = (a, b) =>
        {
            var c = CompareHash(Hash(a), Hash(b));
            return c == 0 ? WalkOrder(FirstNameIndex(a), FirstNameIndex(b)) : c;
        };
        foreach (var group in candidateGroups.AsSpan(groups))
        {
            members.Clear();
            for (var i = group.FirstInode; i < group.FirstInode + group.InodeCount; i++)
            {
                if ((flags[i] & (HasFull | Unusable)) == HasFull)
                {
                    members.Add(i);
                }
            }

            // Most groups are two files: one comparison, no sort.
            if (members.Count == 2)
            {
                if (Hash(members[0]) == Hash(members[1]))
                {
                    found.Add(new SetRange(foundMembers.Count, 2));
                    var (first, second) = (members[0], members[1]);
                    var inWalkOrder = WalkOrder(FirstNameIndex(first), FirstNameIndex(second)) < 0;
                    foundMembers.Add(inWalkOrder ? first : second);
                    foundMembers.Add(inWalkOrder ? second : first);
                }

                continue;
            }

            members.Sort(byHashThenWalk);
            for (var i = 0; i < members.Count;)
            {
                var j = i + 1;
                while (j < members.Count && Hash(members[j]) == Hash(members[i]))
                {
                    j++;
                }

                if (j - i >= 2)
                {
                    found.Add(new SetRange(foundMembers.Count, j - i));
                    foundMembers.AddRange(CollectionsMarshal.AsSpan(members)[i..j]);
                }

                i = j;
            }
        }

        return (found, foundMembers);

        static int CompareHash(ContentHash a, ContentHash b)
        {
            var c = a.A.CompareTo(b.A);
            if (c == 0) { c = a.B.CompareTo(b.B); }
            if (c == 0) { c = a.C.CompareTo(b.C); }
            return c == 0 ? a.D.CompareTo(b.D) : c;
        }
    }

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

    /// <summary>
    /// Files read per batch with <c>--reflink</c>: a batch is read in inode order, one sweep over
    /// the disk for its samples and one for its contents, and on a cold page cache fewer, longer
    /// sweeps read faster. Hard-link dedupe keeps <see cref="BatchFiles"/> (its memory target, 200
    /// bytes a file); a reflink batch of this size holds about 25 MB of hashes, samples and cache
    /// keys. Large benchmark tree on an XFS loop image, page cache dropped, `dedupe --reflink`
    /// report (195,133 files read): 14.7 and 20.6 s in 12 batches, 9.0 and 10.6 s in one.
    /// </summary>
    private const int ReflinkBatchFiles = 262144;

    /// <summary>The ranks of the run's classes that <see cref="Group"/> sorts names by (see <see cref="RankClasses"/>).</summary>
    private sealed record ClassRanks(int[] Volume, int Volumes, int[] Class, int[] GroupOfClass);

    /// <summary>
    /// A name as <see cref="Group"/> sorts it within one volume: by size, its class's rank,
    /// file id, then scan order (which makes every key distinct, so the sort's instability does not show).
    /// </summary>
    private readonly record struct NameKey(long Size, ulong IdLow, int ClassRank, int Name) : IComparable<NameKey>
    {
        public int CompareTo(NameKey other)
        {
            var c = Size.CompareTo(other.Size);
            if (c == 0) { c = ClassRank.CompareTo(other.ClassRank); }
            if (c == 0) { c = IdLow.CompareTo(other.IdLow); }
            return c == 0 ? Name.CompareTo(other.Name) : c;
        }

        /// <summary>Whether both are names of one file (within one volume).</summary>
        public bool SameFile(in NameKey other) => Size == other.Size && ClassRank == other.ClassRank && IdLow == other.IdLow;
    }

    /// <summary>Files of one volume, size (and owner, group, mode): a run of inodes.</summary>
    /// <param name="FirstInode">The group's first file in the candidate array.</param>
    /// <param name="InodeCount">How many files (two or more) the group has.</param>
    private readonly record struct CandidateGroup(int FirstInode, int InodeCount);
}
