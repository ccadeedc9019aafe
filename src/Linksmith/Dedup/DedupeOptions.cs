namespace Linksmith;

/// <summary>What <see cref="Deduplicator.Run"/> looks at and what it may change.</summary>
public sealed record DedupeOptions
{
    /// <summary>The directories (or files) to search, in the order that breaks ties between survivors.</summary>
    public required IReadOnlyList<string> Roots { get; init; }

    /// <summary>
    /// Reference directories: searched too, and their files compared, but never changed (bytes,
    /// inode, mode, times); in a set holding one, a reference file survives, and a set with no file
    /// outside reference directories is left alone.
    /// </summary>
    public IReadOnlyList<string> ReferenceDirectories { get; init; } = [];

    /// <summary>Replace duplicates by hard links; false only reports what would be done.</summary>
    public bool Apply { get; init; }

    /// <summary>
    /// Share duplicates' data blocks copy-on-write (reflinks) instead of hard-linking them: every
    /// file keeps its inode, names, owner, mode and times, and owner and mode do not prevent it.
    /// Linux: <c>FIDEDUPERANGE</c> on Btrfs, XFS with reflink=1, bcachefs; Windows: block cloning
    /// on ReFS and Dev Drives (<c>FSCTL_DUPLICATE_EXTENTS_TO_FILE</c> after a byte comparison, both
    /// files open sharing reading only). Elsewhere, and on a file system without reflinks, the run
    /// throws <see cref="ReflinksNotSupportedException"/> before anything changes.
    /// </summary>
    public bool Reflink { get; init; }

    /// <summary>Smallest file size considered, in bytes; at least 1 (empty files are never merged).</summary>
    public long MinSize { get; init; } = 1;

    /// <summary>Largest file size considered, in bytes.</summary>
    public long MaxSize { get; init; } = long.MaxValue;

    /// <summary>Which paths take part (relative to each root); see <see cref="PathFilter"/>.</summary>
    public PathFilter Filter { get; init; } = PathFilter.All;

    /// <summary>Merge files even when owner, group or permissions (Windows: the read-only attribute) differ.</summary>
    public bool IgnoreMetadata { get; init; }

    /// <summary>Remember hashes in the state database and use remembered ones (see <see cref="StateDatabase"/>).</summary>
    public bool UseCache { get; init; } = true;

    /// <summary>The state database file; null for the user's default (<see cref="StateDatabase.ResolveDirectory"/>).</summary>
    public string? StateDatabasePath { get; init; }

    /// <summary>
    /// How many files are read, and how many replaced, at once; 0 picks: reading one per
    /// processor (at most 4), replacing 8, since a replacement mostly waits for the file system
    /// to free the duplicate's blocks.
    /// </summary>
    public int Threads { get; init; }

    /// <summary>Live counters the caller may poll (from another thread) to show progress.</summary>
    public DedupeProgress? Progress { get; init; }

    /// <summary>
    /// Candidate files read per batch (only the hashes of one batch are held at once); 0 for the
    /// default. Internal: tests make batches tiny to cross their boundaries.
    /// </summary>
    internal int BatchFiles { get; init; }
}

/// <summary>Counters of a running dedupe, safe to read from another thread while it runs.</summary>
public sealed class DedupeProgress
{
    private long filesSeen;
    private long candidates;
    private long candidatesChecked;
    private long filesToRead;
    private long filesRead;
    private long bytesToRead;
    private long bytesRead;
    private long setsToResolve;
    private long setsResolved;
    private int phase;

    /// <summary>What the dedupe is doing now.</summary>
    public DedupePhase Phase => (DedupePhase)Volatile.Read(ref phase);

    /// <summary>Regular files found so far.</summary>
    public long FilesSeen => Interlocked.Read(ref filesSeen);

    /// <summary>Files that share their size (and owner, group, mode) with another: the ones that may have to be read.</summary>
    public long Candidates => Interlocked.Read(ref candidates);

    /// <summary>Candidates whose content is known (read, remembered or ruled out), a batch at a time.</summary>
    public long CandidatesChecked => Interlocked.Read(ref candidatesChecked);

    /// <summary>Files planned to be read so far (candidates are read a batch at a time, so this grows).</summary>
    public long FilesToRead => Interlocked.Read(ref filesToRead);

    /// <summary>Files read so far (all passes).</summary>
    public long FilesRead => Interlocked.Read(ref filesRead);

    /// <summary>Bytes planned to be read so far, at most.</summary>
    public long BytesToRead => Interlocked.Read(ref bytesToRead);

    /// <summary>Bytes read and hashed so far (all passes).</summary>
    public long BytesRead => Interlocked.Read(ref bytesRead);

    /// <summary>Sets of identical files found, each to be linked to its survivor (or reported).</summary>
    public long SetsToResolve => Interlocked.Read(ref setsToResolve);

    /// <summary>Sets dealt with so far.</summary>
    public long SetsResolved => Interlocked.Read(ref setsResolved);

    internal void SetPhase(DedupePhase value) => Volatile.Write(ref phase, (int)value);

    internal void AddSeen(long count) => Interlocked.Add(ref filesSeen, count);

    internal void SetCandidates(long count) => Interlocked.Exchange(ref candidates, count);

    internal void AddChecked(long count) => Interlocked.Add(ref candidatesChecked, count);

    internal void AddPlanned(long files, long bytes)
    {
        Interlocked.Add(ref filesToRead, files);
        Interlocked.Add(ref bytesToRead, bytes);
    }

    internal void AddSetsToResolve(long count) => Interlocked.Add(ref setsToResolve, count);

    internal void AddResolved() => Interlocked.Increment(ref setsResolved);

    internal void AddRead(long files, long bytes)
    {
        Interlocked.Add(ref filesRead, files);
        Interlocked.Add(ref bytesRead, bytes);
    }
}

/// <summary>The stages of a dedupe run.</summary>
public enum DedupePhase
{
    /// <summary>Walking the directories.</summary>
    Scanning,

    /// <summary>Reading the first and last blocks of same-size files.</summary>
    Sampling,

    /// <summary>Reading whole files.</summary>
    Hashing,

    /// <summary>Replacing duplicates by hard links.</summary>
    Linking,

    /// <summary>Finished.</summary>
    Done,
}
