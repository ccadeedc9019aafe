using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using Linksmith.Interop;

namespace Linksmith;

/// <summary>One path met by <see cref="TreeWalker"/>.</summary>
internal sealed class TreeEntry
{
    private string? relativePath;
    private readonly int relativeStart;

    public TreeEntry(string fullPath, string relativePath, int depth, FileStatus status, TreeEntry? parent = null)
    {
        FullPath = fullPath;
        this.relativePath = relativePath;
        Depth = depth;
        Status = status;
        Parent = parent;
    }

    /// <summary>An entry whose relative path is the tail of <paramref name="fullPath"/> from <paramref name="relativeStart"/>, cut only when asked for.</summary>
    public TreeEntry(string fullPath, int relativeStart, int depth, FileStatus status, TreeEntry? parent)
    {
        FullPath = fullPath;
        this.relativeStart = relativeStart;
        Depth = depth;
        Status = status;
        Parent = parent;
    }

    /// <summary>
    /// The directory entry this one was listed in; null for the root. Lets a caller keep one
    /// string per directory instead of a full path per file (dedupe holds every file of a tree).
    /// </summary>
    public TreeEntry? Parent { get; }

    /// <summary>The full path (under the root as given).</summary>
    public string FullPath { get; }

    /// <summary>The path relative to the root, with '/' (or the OS separator) between names; empty for the root.</summary>
    /// <remarks>Made on first use: du-like walks never ask, and one string fewer per entry is measurable there.</remarks>
    public string RelativePath => relativePath ??= FullPath[relativeStart..];

    /// <summary>0 for the root, 1 for its entries, and so on.</summary>
    public int Depth { get; }

    public FileStatus Status { get; }

    public LinkKind Kind => Status.Kind;

    public string Name => Path.GetFileName(FullPath);
}

/// <summary>How <see cref="TreeWalker"/> walks.</summary>
internal sealed record WalkOptions
{
    /// <summary>Read the full status of every entry (else only of directories and links, and where the listing has no type).</summary>
    public bool StatEverything { get; init; } = true;

    /// <summary>Stay on the root's file system (like find -xdev).</summary>
    public bool SameFileSystem { get; init; }

    /// <summary>Return a directory's entries sorted by name (ordinal), for stable output.</summary>
    public bool Sorted { get; init; }

    /// <summary>Whether to go into a directory (the directory itself is still returned). Null: always.</summary>
    public Func<TreeEntry, bool>? Descend { get; init; }

    /// <summary>Called for a path that could not be read; the walk goes on.</summary>
    public Action<LinksmithException>? OnError { get; init; }
}

/// <summary>
/// The entries of one directory as <see cref="TreeWalker"/> read them, in buffers reused from one
/// directory to the next: a name is a span of a shared char array and a status a struct, so a
/// directory of any size costs no object per entry. Valid until the walk moves on.
/// </summary>
internal sealed class DirectoryListing : IComparer<DirectoryListing.Item>
{
    private char[] names = new char[4096];
    private int namesUsed;

    // Sorting moves only the small items; a status stays where it was read.
    private Item[] items = new Item[64];
    private FileStatus[] statuses = new FileStatus[64];
    private bool[] skipped = new bool[64];
    private string prefix = string.Empty;

    /// <summary>The full path of the directory listed (for the root's listing: the root itself).</summary>
    public string Path { get; private set; } = string.Empty;

    /// <summary>The depth of the entries: 0 for the root's listing (its one entry is the root), 1 for the root's entries, and so on.</summary>
    public int Depth { get; private set; }

    /// <summary>Where a relative path starts in the full path of an entry.</summary>
    internal int RelativeStart { get; private set; }

    public int Count { get; private set; }

    /// <summary>The name of entry <paramref name="index"/> (for the root's listing, empty).</summary>
    public ReadOnlySpan<char> Name(int index) => names.AsSpan(items[index].NameStart, items[index].NameLength);

    public ref readonly FileStatus Status(int index) => ref statuses[items[index].StatusIndex];

    /// <summary>The full path of entry <paramref name="index"/>, made on each call.</summary>
    public string FullPath(int index) => Depth == 0 ? Path : string.Concat(prefix, Name(index));

    /// <summary>The path relative to the root, made on each call; empty for the root.</summary>
    public string RelativePath(int index) => Depth == 0 ? string.Empty : string.Concat(prefix.AsSpan(RelativeStart), Name(index));

    /// <summary>Do not go into directory entry <paramref name="index"/> (ask before the walk moves on).</summary>
    public void Skip(int index) => skipped[items[index].StatusIndex] = true;

    internal bool IsSkipped(int index) => skipped[items[index].StatusIndex];

    internal void Reset(string path, int depth, int relativeStart)
    {
        Path = path;
        Depth = depth;
        RelativeStart = relativeStart;
        prefix = depth == 0 || path.EndsWith(System.IO.Path.DirectorySeparatorChar) ? path : path + System.IO.Path.DirectorySeparatorChar;
        Count = 0;
        namesUsed = 0;
    }

    internal void Add(ReadOnlySpan<byte> nativeName, in FileStatus status)
    {
        var start = Reserve(nativeName.Length);
        AddItem(start, NativePath.FromBytes(nativeName, names.AsSpan(start)), status);
    }

    internal void Add(ReadOnlySpan<char> name, in FileStatus status)
    {
        var start = Reserve(name.Length);
        name.CopyTo(names.AsSpan(start));
        AddItem(start, name.Length, status);
    }

    /// <summary>Ordinal order of names: what sorting full paths that share the directory gives.</summary>
    internal void Sort() => items.AsSpan(0, Count).Sort(this);

    int IComparer<Item>.Compare(Item x, Item y) =>
        names.AsSpan(x.NameStart, x.NameLength).SequenceCompareTo(names.AsSpan(y.NameStart, y.NameLength));

    private int Reserve(int length)
    {
        if (names.Length - namesUsed < length)
        {
            Array.Resize(ref names, Math.Max(names.Length * 2, namesUsed + length));
        }

        return namesUsed;
    }

    private void AddItem(int start, int length, in FileStatus status)
    {
        if (Count == items.Length)
        {
            Array.Resize(ref items, items.Length * 2);
            Array.Resize(ref statuses, items.Length);
            Array.Resize(ref skipped, items.Length);
        }

        statuses[Count] = status;
        skipped[Count] = false;
        items[Count] = new Item(start, length, Count);
        Count++;
        namesUsed = start + length;
    }

    /// <summary>A name and the index of its status.</summary>
    internal readonly record struct Item(int NameStart, int NameLength, int StatusIndex);
}

/// <summary>
/// Walks a tree depth-first without following links: the root first, then each directory's
/// entries, a directory before its contents. On Linux it reads directories with readdir and
/// statx relative to the open directory (no path lookups); unreadable entries are reported to
/// <see cref="WalkOptions.OnError"/> and skipped.
/// </summary>
internal static class TreeWalker
{
    public static IEnumerable<TreeEntry> Walk(string root, WalkOptions options)
    {
        var rootStatus = PathFacts.Stat(root, followLinks: true) ?? throw new TargetNotFoundException(root);
        return rootStatus.Kind == LinkKind.Directory && OperatingSystem.IsLinux()
            ? WalkOwningRoot(root, options)
            : WalkCore(root, rootStatus, null, options);
    }

    /// <summary>
    /// Walks the tree below an open directory: every directory is opened beneath it without
    /// following a link, so a folder swapped for a link mid-walk is reported, not followed.
    /// </summary>
    public static IEnumerable<TreeEntry> Walk(DirectoryHandle root, WalkOptions options) =>
        WalkCore(root.Path, root.Stat(string.Empty) ?? throw new TargetNotFoundException(root.Path), root, options);

    private static IEnumerable<TreeEntry> WalkOwningRoot(string root, WalkOptions options)
    {
        using var handle = DirectoryHandle.Open(root);
        foreach (var entry in Walk(handle, options))
        {
            yield return entry;
        }
    }

    private static IEnumerable<TreeEntry> WalkCore(string root, FileStatus status, DirectoryHandle? handle, WalkOptions options)
    {
        var rootEntry = new TreeEntry(root, string.Empty, 0, status);
        yield return rootEntry;
        if (status.Kind != LinkKind.Directory || options.Descend?.Invoke(rootEntry) == false)
        {
            yield break;
        }

        var pending = new Stack<TreeEntry>();
        pending.Push(rootEntry);
        var listing = new DirectoryListing();
        var children = new List<TreeEntry>();
        while (pending.Count > 0)
        {
            var directory = pending.Pop();
            // Asked only now, after the caller has seen the directory (it may have chosen to skip it).
            if (directory.Depth > 0 && options.Descend?.Invoke(directory) == false)
            {
                continue;
            }

            // Where the relative path starts in a child's full path: after the root and its '/'.
            var relativeStart = directory.FullPath.Length + (directory.FullPath.EndsWith(Path.DirectorySeparatorChar) ? 0 : 1)
                - (directory.Depth == 0 ? 0 : directory.RelativePath.Length + 1);
            if (!TryRead(handle, directory.FullPath, directory.Depth + 1, relativeStart, options, listing))
            {
                continue;
            }

            children.Clear();
            for (var i = 0; i < listing.Count; i++)
            {
                children.Add(new TreeEntry(listing.FullPath(i), relativeStart, listing.Depth, listing.Status(i), directory));
            }

            for (var i = children.Count - 1; i >= 0; i--)
            {
                var child = children[i];
                if (child.Kind == LinkKind.Directory
                    && (!options.SameFileSystem || child.Status.Identity.Volume == status.Identity.Volume))
                {
                    pending.Push(child);
                }
            }

            foreach (var child in children)
            {
                yield return child;
            }
        }
    }

    /// <summary>
    /// The lean walk: the same entries in the same order as <see cref="Walk(string, WalkOptions)"/>, but one
    /// <see cref="DirectoryListing"/> per directory instead of an object and a path per entry.
    /// First comes a listing of the root alone (depth 0), then each directory's entries. A caller
    /// that needs no path for a file makes none; the walk makes a string only for each directory
    /// it goes into. <see cref="WalkOptions.Descend"/> is not used: call
    /// <see cref="DirectoryListing.Skip"/> on a directory entry before taking the next listing.
    /// </summary>
    /// <remarks>The listing is one object reused throughout: read it before asking for the next.</remarks>
    public static IEnumerable<DirectoryListing> Directories(string root, WalkOptions options)
    {
        var status = PathFacts.Stat(root, followLinks: true) ?? throw new TargetNotFoundException(root);
        return DirectoriesCore(root, status, options);
    }

    private static IEnumerable<DirectoryListing> DirectoriesCore(string root, FileStatus rootStatus, WalkOptions options)
    {
        using var handle = OpenRootHandle(root, rootStatus);
        var listing = new DirectoryListing();
        listing.Reset(root, 0, root.Length);
        listing.Add(ReadOnlySpan<char>.Empty, rootStatus);
        yield return listing;
        if (rootStatus.Kind != LinkKind.Directory || listing.IsSkipped(0))
        {
            yield break;
        }

        var relativeStart = root.Length + (root.EndsWith(Path.DirectorySeparatorChar) ? 0 : 1);
        var pending = new Stack<(string Path, int Depth)>();
        pending.Push((root, 0));
        while (pending.Count > 0)
        {
            var (path, depth) = pending.Pop();
            if (!TryRead(handle, path, depth + 1, relativeStart, options, listing))
            {
                continue;
            }

            yield return listing;
            for (var i = listing.Count - 1; i >= 0; i--)
            {
                ref readonly var child = ref listing.Status(i);
                if (child.Kind == LinkKind.Directory && !listing.IsSkipped(i)
                    && (!options.SameFileSystem || child.Identity.Volume == rootStatus.Identity.Volume))
                {
                    pending.Push((listing.FullPath(i), listing.Depth));
                }
            }
        }
    }

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
        var rootStatus = PathFacts.Stat(root, followLinks: true) ?? throw new TargetNotFoundException(root);
        using var handle = OpenRootHandle(root, rootStatus);
        var first = new DirectoryListing();
        first.Reset(root, 0, root.Length);
        first.Add(ReadOnlySpan<char>.Empty, rootStatus);
        visit(first, 0);
        if (rootStatus.Kind != LinkKind.Directory || first.IsSkipped(0))
        {
            return;
        }

        var errorGate = new Lock();
        var walkErrors = new List<LinksmithException>();
        var workerOptions = options with
        {
            OnError = error =>
            {
                lock (errorGate)
                {
                    walkErrors.Add(error);
                }
            },
        };
        var queue = new DirectoryQueue(root);
        var relativeStart = root.Length + (root.EndsWith(Path.DirectorySeparatorChar) ? 0 : 1);
        ExceptionDispatchInfo? failure = null;

        void Worker(int worker)
        {
            var listing = worker == 0 ? first : new DirectoryListing();
            var found = new List<string>();
            while (queue.TryTake(out var path, out var depth))
            {
                found.Clear();
                try
                {
                    if (Volatile.Read(ref failure) is null && TryRead(handle, path, depth + 1, relativeStart, workerOptions, listing))
                    {
                        visit(listing, worker);
                        for (var i = 0; i < listing.Count; i++)
                        {
                            ref readonly var child = ref listing.Status(i);
                            if (child.Kind == LinkKind.Directory && !listing.IsSkipped(i)
                                && (!options.SameFileSystem || child.Identity.Volume == rootStatus.Identity.Volume))
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

    /// <summary>How many threads a parallel walk uses by default: one per core, at most 8 (beyond that the kernel's locks, not the cores, set the pace).</summary>
    public static int DefaultWalkThreads => Math.Clamp(Environment.ProcessorCount, 1, 8);

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

    /// <summary>Reads one directory into <paramref name="listing"/> (sorted if asked); false, with the error reported, when it cannot be read.</summary>
    private static bool TryRead(DirectoryHandle? root, string path, int depth, int relativeStart, WalkOptions options, DirectoryListing listing)
    {
        listing.Reset(path, depth, relativeStart);
        try
        {
            if (root is UnixDirectoryHandle unixRoot)
            {
                ReadLinuxDirectory(unixRoot, depth == 1 ? string.Empty : path[relativeStart..], path, options, listing);
            }
            else
            {
                ReadPortableDirectory(path, listing);
            }
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

    /// <summary>The handle a walk reads its directories beneath (Linux, a directory root); null otherwise.</summary>
    private static DirectoryHandle? OpenRootHandle(string root, in FileStatus rootStatus) =>
        rootStatus.Kind == LinkKind.Directory && OperatingSystem.IsLinux() ? DirectoryHandle.Open(root) : null;

    private static unsafe void ReadLinuxDirectory(UnixDirectoryHandle root, string relative, string path, WalkOptions options, DirectoryListing listing)
    {
        // Opened beneath the walk's root without following links: the root may be reached through
        // a link (like find -H); below it a folder swapped for a link is reported, not followed.
        var descriptor = root.OpenBeneath(relative, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NONBLOCK);
        var fd = descriptor.Fd;
        // fdopendir takes the descriptor over: closedir closes it.
        descriptor.SetHandleAsInvalid();
        var handle = Libc.fdopendir(fd);
        if (handle == 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            _ = Libc.close(fd);
            throw UnixErrors.ToException(errno, path);
        }

        try
        {
            while (true)
            {
                Marshal.SetLastPInvokeError(0);
                var dirent = (byte*)Libc.readdir(handle);
                if (dirent is null)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno != 0)
                    {
                        throw UnixErrors.ToException(errno, path);
                    }

                    break;
                }

                var nameBytes = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(dirent + Libc.DirentNameOffset);
                if (nameBytes.SequenceEqual("."u8) || nameBytes.SequenceEqual(".."u8))
                {
                    continue;
                }

                var type = dirent[Libc.DirentTypeOffset];
                if (options.StatEverything || type is Libc.DT_UNKNOWN or Libc.DT_DIR or Libc.DT_LNK)
                {
                    Libc.Statx stx;
                    int rc;
                    fixed (byte* n = nameBytes)
                    {
                        // nameBytes is NUL-terminated in the dirent itself.
                        rc = Libc.statx(fd, n, Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, &stx);
                    }

                    if (rc != 0)
                    {
                        options.OnError?.Invoke(UnixErrors.ToException(Marshal.GetLastPInvokeError(), Path.Join(path, NativePath.FromBytes(nameBytes))));
                        continue;
                    }

                    listing.Add(nameBytes, FileStatus.FromStatx(stx));
                }
                else
                {
                    // The listing's type and inode are all a caller that did not ask for more gets.
                    listing.Add(nameBytes, new FileStatus { Kind = type == Libc.DT_REG ? LinkKind.File : LinkKind.Special, Identity = new FileIdentity(0, *(ulong*)dirent) });
                }
            }
        }
        finally
        {
            _ = Libc.closedir(handle);
        }
    }

    private static void ReadPortableDirectory(string directory, DirectoryListing listing)
    {
        List<string> paths;
        try
        {
            paths = [.. Directory.EnumerateFileSystemEntries(directory)];
        }
        catch (UnauthorizedAccessException error)
        {
            throw SystemErrors.Translate(error, directory);
        }
        catch (IOException error) when (error is not LinksmithException)
        {
            throw SystemErrors.Translate(error, directory);
        }

        foreach (var path in paths)
        {
            var status = LinkPlatform.Current.Stat(path);
            if (status.Kind == LinkKind.Missing)
            {
                continue;
            }

            listing.Add(Path.GetFileName(path.AsSpan()), status);
        }
    }
}
