using System.Runtime.ExceptionServices;

namespace Linksmith;

/// <summary>How <see cref="TreeWalker"/> walks.</summary>
internal sealed record WalkOptions
{
    /// <summary>Read the full status of every entry (else only of directories and links, and where the listing has no type).</summary>
    public bool StatEverything { get; init; } = true;

    /// <summary>Without <see cref="StatEverything"/>: whether a link gets a full status too (false: only its kind, from the listing).</summary>
    public bool StatLinks { get; init; } = true;

    /// <summary>Stay on the root's file system (like find -xdev).</summary>
    public bool SameFileSystem { get; init; }

    /// <summary>Return a directory's entries sorted by name (ordinal), for stable output.</summary>
    public bool Sorted { get; init; }

    /// <summary>
    /// Whether to go into a directory (the directory itself is still returned), asked once the
    /// caller has seen every entry of the directory's own listing. Null: always.
    /// </summary>
    public Func<TreeEntry, bool>? Descend { get; init; }

    /// <summary>Called for a path that could not be read; the walk goes on.</summary>
    public Action<LinksmithException>? OnError { get; init; }
}

/// <summary>
/// The one walk of the library: depth first, without following links below the root (an explicit
/// root that is a link is followed once, like find -H); first the root alone, then each
/// directory's entries, a directory before its contents. The order, the filters
/// (<see cref="WalkOptions"/>), the threads and the error reporting are decided here; reading one
/// directory is an <see cref="IDirectoryReader"/>'s job. Entries that cannot be read are reported
/// to <see cref="WalkOptions.OnError"/> and left out, and the walk goes on.
/// </summary>
/// <remarks>
/// The same walk three ways: <see cref="Walk(string, WalkOptions)"/> gives an object per entry;
/// <see cref="Directories"/> one reused <see cref="DirectoryListing"/> per directory, with no object
/// or path per file; <see cref="VisitInParallel"/> those listings on several threads at once.
/// On Linux every directory is opened beneath the root's descriptor, so a folder swapped for a
/// link mid-walk is reported, not followed.
/// </remarks>
internal static class TreeWalker
{
    /// <summary>How many threads a parallel walk uses by default: one per core, at most 8 (beyond that the kernel's locks, not the cores, set the pace).</summary>
    public static int DefaultWalkThreads => Math.Clamp(Environment.ProcessorCount, 1, 8);

    /// <summary>Every entry below <paramref name="root"/>, the root first.</summary>
    /// <exception cref="TargetNotFoundException">Nothing is at <paramref name="root"/> (thrown at once, not when enumerated).</exception>
    public static IEnumerable<TreeEntry> Walk(string root, WalkOptions options) =>
        Entries(Listings(root, StatRoot(root), null, options), options);

    /// <summary>
    /// Every entry below an open directory, the directory first: every directory is opened beneath
    /// it without following a link, so a folder swapped for a link mid-walk is reported, not followed.
    /// </summary>
    public static IEnumerable<TreeEntry> Walk(DirectoryHandle root, WalkOptions options) =>
        Entries(Listings(root.Path, root.Stat(string.Empty) ?? throw new TargetNotFoundException(root.Path), root, options), options);

    /// <summary>
    /// The lean walk: the same entries in the same order as <see cref="Walk(string, WalkOptions)"/>, but one
    /// <see cref="DirectoryListing"/> per directory instead of an object and a path per entry.
    /// First comes a listing of the root alone (depth 0), then each directory's entries. A caller
    /// that needs no path for a file makes none; the walk makes a string only for each directory
    /// it goes into. <see cref="WalkOptions.Descend"/> is not used: call
    /// <see cref="DirectoryListing.Skip"/> on a directory entry before taking the next listing.
    /// </summary>
    /// <remarks>The listing is one object reused throughout: read it before asking for the next.</remarks>
    /// <exception cref="TargetNotFoundException">Nothing is at <paramref name="root"/> (thrown at once, not when enumerated).</exception>
    public static IEnumerable<DirectoryListing> Directories(string root, WalkOptions options) =>
        Listings(root, StatRoot(root), null, options);

    /// <summary>
    /// The lean walk on several threads: the same listings as <see cref="Directories"/> (the
    /// root's alone first, on the calling thread), but directories are read by
    /// <paramref name="threads"/> workers at once and handed to <paramref name="visit"/> in no
    /// defined order, each with its worker's number (0 to threads − 1) so the caller can keep
    /// one tally per worker and add them up afterwards. The kernel's work (a statx per entry)
    /// is most of a warm walk's time, and it runs on every core this way.
    /// </summary>
    /// <remarks>
    /// Paths that could not be read go to <see cref="WalkOptions.OnError"/> on the calling thread
    /// once the walk is over, sorted by path, so a report reads the same whatever the threads did.
    /// <paramref name="visit"/> must be thread-safe. The first exception thrown by <paramref name="visit"/>
    /// stops the walk and is rethrown here once every worker has stopped.
    /// </remarks>
    public static void VisitInParallel(string root, WalkOptions options, int threads, Action<DirectoryListing, int> visit)
    {
        var rootStatus = StatRoot(root);
        using var handle = OpenRootHandle(root, rootStatus);
        var errorGate = new Lock();
        var walkErrors = new List<LinksmithException>();
        var walk = new Walking(root, rootStatus, handle, options with
        {
            OnError = error =>
            {
                lock (errorGate)
                {
                    walkErrors.Add(error);
                }
            },
        });
        var first = new DirectoryListing();
        walk.ListRoot(first);
        visit(first, 0);
        if (!walk.EntersRoot(first))
        {
            return;
        }

        var queue = new DirectoryQueue(root);
        ExceptionDispatchInfo? failure = null;

        void Worker(int worker)
        {
            var reader = walk.CreateReader();
            var listing = worker == 0 ? first : new DirectoryListing();
            var found = new List<string>();
            while (queue.TryTake(out var path, out var depth))
            {
                found.Clear();
                try
                {
                    if (Volatile.Read(ref failure) is null && walk.TryRead(reader, path, depth + 1, listing))
                    {
                        visit(listing, worker);
                        for (var i = 0; i < listing.Count; i++)
                        {
                            if (walk.Enters(listing, i))
                            {
                                found.Add(listing.FullPath(i));
                            }
                        }
                    }
                }
                catch (Exception error)
                {
                    Interlocked.CompareExchange(ref failure, ExceptionDispatchInfo.Capture(error), null);
                    found.Clear();
                }

                queue.Finish(found, depth + 1);
            }
        }

        WorkerThreads.Run(threads, "tree walker", Worker);
        failure?.Throw();
        walkErrors.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        walkErrors.ForEach(error => options.OnError?.Invoke(error));
    }

    private static FileStatus StatRoot(string root) => PathFacts.Stat(root, followLinks: true) ?? throw new TargetNotFoundException(root);

    /// <summary>The handle a walk by path reads its directories beneath (Linux, a directory root); null otherwise.</summary>
    private static DirectoryHandle? OpenRootHandle(string root, in FileStatus rootStatus) =>
        rootStatus.Kind == LinkKind.Directory && OperatingSystem.IsLinux() ? DirectoryHandle.Open(root) : null;

    /// <summary>
    /// The walk on one thread: the root's listing, then each directory's, depth first in listing
    /// order. <paramref name="given"/> is the open root when the caller has one (not disposed
    /// here); without it the root is opened here where that helps (Linux).
    /// </summary>
    private static IEnumerable<DirectoryListing> Listings(string root, FileStatus rootStatus, DirectoryHandle? given, WalkOptions options)
    {
        using var owned = given is null ? OpenRootHandle(root, rootStatus) : null;
        var walk = new Walking(root, rootStatus, given ?? owned, options);
        var listing = new DirectoryListing();
        walk.ListRoot(listing);
        yield return listing;
        if (!walk.EntersRoot(listing))
        {
            yield break;
        }

        var reader = walk.CreateReader();
        var pending = new Stack<(string Path, int Depth)>();
        pending.Push((root, 0));
        while (pending.TryPop(out var directory))
        {
            if (!walk.TryRead(reader, directory.Path, directory.Depth + 1, listing))
            {
                continue;
            }

            yield return listing;
            // Pushed in reverse, so they are read in listing order.
            for (var i = listing.Count - 1; i >= 0; i--)
            {
                if (walk.Enters(listing, i))
                {
                    pending.Push((listing.FullPath(i), listing.Depth));
                }
            }
        }
    }

    /// <summary>The listings as an object per entry; <see cref="WalkOptions.Descend"/> becomes <see cref="DirectoryListing.Skip"/>.</summary>
    private static IEnumerable<TreeEntry> Entries(IEnumerable<DirectoryListing> listings, WalkOptions options)
    {
        var entries = new List<TreeEntry>();
        foreach (var listing in listings)
        {
            entries.Clear();
            for (var i = 0; i < listing.Count; i++)
            {
                entries.Add(new TreeEntry(listing.FullPath(i), listing.RelativeStart, listing.Depth, listing.Status(i)));
            }

            foreach (var entry in entries)
            {
                yield return entry;
            }

            // Asked only now, after the caller has seen the directories (it may have chosen to skip one).
            if (options.Descend is { } descend)
            {
                for (var i = 0; i < entries.Count; i++)
                {
                    if (entries[i].Kind == LinkKind.Directory && !descend(entries[i]))
                    {
                        listing.Skip(i);
                    }
                }
            }
        }
    }

    /// <summary>What every way of walking shares: the root, the options, and the rules for reading a directory and for going into one.</summary>
    private sealed class Walking(string root, FileStatus rootStatus, DirectoryHandle? handle, WalkOptions options)
    {
        // Where the relative path starts in an entry's full path: after the root and its separator.
        private readonly int relativeStart = root.Length + (root.EndsWith(Path.DirectorySeparatorChar) ? 0 : 1);

        /// <summary>A reader for one thread.</summary>
        public IDirectoryReader CreateReader() => IDirectoryReader.Create(handle);

        /// <summary>Makes <paramref name="listing"/> the root's listing: the root alone, at depth 0.</summary>
        public void ListRoot(DirectoryListing listing)
        {
            listing.Reset(root, 0, root.Length);
            listing.Add(ReadOnlySpan<char>.Empty, rootStatus);
        }

        /// <summary>Whether the walk goes below the root (a directory the caller did not skip).</summary>
        public bool EntersRoot(DirectoryListing rootListing) => rootStatus.Kind == LinkKind.Directory && !rootListing.IsSkipped(0);

        /// <summary>Whether the walk goes into entry <paramref name="index"/>: a directory, not skipped, and (if asked) on the root's file system.</summary>
        public bool Enters(DirectoryListing listing, int index)
        {
            ref readonly var status = ref listing.Status(index);
            return status.Kind == LinkKind.Directory && !listing.IsSkipped(index)
                && (!options.SameFileSystem || status.Identity.Volume == rootStatus.Identity.Volume);
        }

        /// <summary>Reads one directory into <paramref name="listing"/> (sorted if asked); false, with the error reported, when it cannot be read.</summary>
        public bool TryRead(IDirectoryReader reader, string path, int depth, DirectoryListing listing)
        {
            listing.Reset(path, depth, relativeStart);
            try
            {
                reader.Read(depth == 1 ? string.Empty : path[relativeStart..], listing, options);
            }
            catch (LinksmithException error)
            {
                options.OnError?.Invoke(error);
                return false;
            }

            if (options.Sorted)
            {
                listing.Sort();
            }

            return true;
        }
    }

    /// <summary>
    /// The directories still to be read by a parallel walk, and how many are being read: the walk
    /// is over when none is waiting and none is being read (a directory being read may add more).
    /// </summary>
    private sealed class DirectoryQueue
    {
        // A plain object, not a Lock: waiting for work needs Monitor.Wait.
        private readonly object gate = new();
        private readonly Stack<(string Path, int Depth)> waiting = new();
        private int reading;

        public DirectoryQueue(string root) => waiting.Push((root, 0));

        /// <summary>The next directory to read; false when the walk is over.</summary>
        public bool TryTake(out string path, out int depth)
        {
            lock (gate)
            {
                while (waiting.Count == 0)
                {
                    if (reading == 0)
                    {
                        path = string.Empty;
                        depth = 0;
                        return false;
                    }

                    Monitor.Wait(gate);
                }

                (path, depth) = waiting.Pop();
                reading++;
                return true;
            }
        }

        /// <summary>One directory is read; <paramref name="subdirectories"/> (at <paramref name="depth"/>) are to be read.</summary>
        public void Finish(List<string> subdirectories, int depth)
        {
            lock (gate)
            {
                // Pushed in reverse, so one worker alone goes depth-first in listing order.
                for (var i = subdirectories.Count - 1; i >= 0; i--)
                {
                    waiting.Push((subdirectories[i], depth));
                }

                reading--;
                if (subdirectories.Count > 0 || reading == 0)
                {
                    Monitor.PulseAll(gate);
                }
            }
        }
    }
}
