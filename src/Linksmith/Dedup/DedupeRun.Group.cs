using System.Runtime.InteropServices;

namespace Linksmith;

// Grouping: candidates by volume, size (and owner, group, mode), read in batches; then sets of equal SHA-256.
internal sealed partial class DedupeRun
{
    private void Group()
    {
        order = new int[files.Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        // Sharing blocks shares nothing but data: owner and mode do not prevent it.
        var metadata = !options.IgnoreMetadata && !options.Reflink;
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

    /// <summary>The candidate groups of the current batch.</summary>
    private ReadOnlySpan<CandidateGroup> BatchGroups => candidateGroups.AsSpan(batch.FirstGroup, batch.EndGroup - batch.FirstGroup);

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
