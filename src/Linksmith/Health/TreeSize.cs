using System.Runtime.InteropServices;

namespace Linksmith;

/// <summary>The true size of one tree (or of several together, for the total).</summary>
public sealed record SizeFigures
{
    /// <summary>The full path of the directory; null for a total.</summary>
    public string? Path { get; init; }

    /// <summary>Names that are neither directories nor links: regular files, devices, FIFOs, sockets.</summary>
    public long Files { get; init; }

    /// <summary>Directories, the measured one included.</summary>
    public long Dirs { get; init; }

    /// <summary>Symbolic links and junctions (never followed).</summary>
    public long Links { get; init; }

    /// <summary>The sizes of every file name added up, as a naive file manager shows them.</summary>
    public long NamedBytes { get; init; }

    /// <summary>The size of each distinct file once (hard links counted once).</summary>
    public long ApparentBytes { get; init; }

    /// <summary>The blocks of every distinct file, directory and link once: what <c>du -sB1</c> reports.</summary>
    public long AllocatedBytes { get; init; }

    /// <summary>The blocks deleting the tree would free: of those files whose every name lies inside it.</summary>
    public long ReclaimableBytes { get; init; }

    /// <summary>
    /// With <see cref="SizeOptions.Depth"/>: the subdirectories one level down, each judged alone
    /// (its <see cref="ReclaimableBytes"/> is what deleting that subdirectory would free), largest
    /// allocation first; empty otherwise and below the last level.
    /// </summary>
    public IReadOnlyList<SizeFigures> Children { get; init; } = Array.Empty<SizeFigures>();

    /// <summary>
    /// With <see cref="SizeOptions.Shared"/>: bytes of the files' extents that the file system
    /// shares (reflinks, snapshots), each physical extent counted once however many files of the
    /// tree use it, whoever else does. Null when not asked for.
    /// </summary>
    public long? SharedBytes { get; init; }

    /// <summary>With <see cref="SizeOptions.Shared"/>: bytes of extents no other file uses, plus directories and links. Null when not asked for.</summary>
    public long? ExclusiveBytes { get; init; }

    /// <summary>
    /// With <see cref="SizeOptions.Shared"/>: allocated bytes of files whose file system has no
    /// extent map (tmpfs, ext4 has one), so whether they share is not known. Null when not asked for.
    /// </summary>
    public long? SharedUnknownBytes { get; init; }
}

/// <summary>What <see cref="TreeSize.Measure(IReadOnlyList{string}, SizeOptions)"/> measures besides the figures of each tree.</summary>
public sealed record SizeOptions
{
    /// <summary>
    /// How many levels of subdirectories below each tree get figures of their own
    /// (<see cref="SizeFigures.Children"/>): 0 none, 1 its children, 2 their children too.
    /// </summary>
    public int Depth { get; init; }

    /// <summary>
    /// Also split the allocation into <see cref="SizeFigures.SharedBytes"/> and
    /// <see cref="SizeFigures.ExclusiveBytes"/> from each file's extent map (Linux FIEMAP): every
    /// file is opened, so it costs a walk's time again.
    /// </summary>
    public bool Shared { get; init; }
}

/// <summary>What <see cref="TreeSize.Measure(IReadOnlyList{string}, SizeOptions)"/> found.</summary>
/// <param name="Trees">One entry per directory, in the order given, each judged alone.</param>
/// <param name="Total">All directories together: a file shared between them counts once, and a directory inside another given one is not counted twice.</param>
/// <param name="Errors">Paths that could not be read; the figures leave them out.</param>
public sealed record SizeReport(IReadOnlyList<SizeFigures> Trees, SizeFigures Total, IReadOnlyList<LinksmithException> Errors);

/// <summary>
/// Measures trees in one pass each without following links, like <c>du</c> but telling apart
/// what the names add up to, what the files really take, and what deleting the tree would free.
/// Only hard-linked files (more than one name) are remembered, so memory grows with those, not
/// with the number of files.
/// </summary>
public static partial class TreeSize
{
    /// <summary>Measures each of <paramref name="directories"/>.</summary>
    /// <exception cref="TargetNotFoundException">A directory does not exist (checked before any is measured).</exception>
    /// <exception cref="NotADirectoryException">A path is not a directory.</exception>
    public static SizeReport Measure(IReadOnlyList<string> directories) => MeasureOnThreads(directories, TreeWalker.DefaultWalkThreads, new SizeOptions());

    /// <summary>Measures each of <paramref name="directories"/>, with the breakdown <paramref name="options"/> asks for.</summary>
    /// <exception cref="TargetNotFoundException">A directory does not exist (checked before any is measured).</exception>
    /// <exception cref="NotADirectoryException">A path is not a directory.</exception>
    /// <exception cref="ReflinksNotSupportedException"><see cref="SizeOptions.Shared"/> on Windows (not supported there yet).</exception>
    public static SizeReport Measure(IReadOnlyList<string> directories, SizeOptions options) => MeasureOnThreads(directories, TreeWalker.DefaultWalkThreads, options);

    /// <summary>Measures each of <paramref name="directories"/>, reading directories on <paramref name="threads"/> threads.</summary>
    internal static SizeReport MeasureOnThreads(IReadOnlyList<string> directories, int threads, SizeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(directories);
        options ??= new SizeOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(options.Depth);
        var roots = directories.Select(HealthWalk.RequireDirectory).ToList();
        if (options.Shared && !OperatingSystem.IsLinux())
        {
            throw new ReflinksNotSupportedException(
                roots.FirstOrDefault() ?? string.Empty,
                "size --shared is not supported on this system yet (it reads Linux's FIEMAP extent maps)",
                "Leave out --shared; the other figures work here");
        }

        var errors = new List<LinksmithException>();
        var trees = new List<SizeFigures>();
        var total = new Tally(options.Shared);
        var canonical = roots.Select(LinkPlatform.Current.CanonicalizeDirectory).ToList();
        for (var i = 0; i < roots.Count; i++)
        {
            // One set of tallies per worker, added up at the end: the walk's threads share nothing.
            using var extentRoot = options.Shared ? UnixDirectoryHandle.OpenRoot(roots[i]) : null;
            var workers = Enumerable.Range(0, threads).Select(_ => new RowTallies(options.Depth, options.Shared, extentRoot is null ? null : new ExtentReader(extentRoot))).ToArray();
            // The lean walk: a statx per entry into a reused listing, no path or object per file.
            TreeWalker.VisitInParallel(roots[i], new WalkOptions { OnError = errors.Add }, threads, (listing, worker) => workers[worker].Add(listing));

            var readErrors = workers.SelectMany(worker => worker.Extents?.Errors ?? []).OrderBy(error => error.Path, StringComparer.Ordinal);
            errors.AddRange(readErrors);
            var rows = new RowTallies(options.Depth, options.Shared, null);
            foreach (var tallies in workers)
            {
                rows.AddUp(tallies);
            }

            var tree = rows.Tree;
            trees.Add(rows.ToFigures(roots[i]));
            if (!IsCoveredByAnother(canonical, i))
            {
                total.AddUp(tree);
            }
        }

        return new SizeReport(trees, total.ToFigures(null), errors);
    }

    /// <summary>Whether tree <paramref name="index"/> lies inside (or is) another tree that the total already counts.</summary>
    private static bool IsCoveredByAnother(List<string> roots, int index)
    {
        for (var other = 0; other < roots.Count; other++)
        {
            if (other == index || !LinkTargets.IsInside(roots[index], roots[other]))
            {
                continue;
            }

            // The same tree twice: only the first counts.
            if (roots[index].Length != roots[other].Length || other < index)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// One worker's tallies: the whole tree's, and with a depth one per subdirectory down to it,
    /// keyed by its path relative to the tree. An entry counts in the tree and in every row it
    /// lies in (a subdirectory counts in its own row too), so each row is judged alone.
    /// </summary>
    private sealed class RowTallies(int depth, bool shared, ExtentReader? extents)
    {
        private readonly Dictionary<string, Tally> rows = new(StringComparer.Ordinal);
        private readonly List<Tally> containing = [];

        public Tally Tree { get; } = new(shared);

        /// <summary>This worker's reader of extent maps, with <see cref="SizeOptions.Shared"/>.</summary>
        public ExtentReader? Extents => extents;

        public void Add(DirectoryListing listing)
        {
            FindRowsContaining(listing);
            var ownRows = listing.Depth <= depth;
            for (var j = 0; j < listing.Count; j++)
            {
                ref readonly var status = ref listing.Status(j);
                var map = extents is not null && listing.Depth > 0 ? extents.Read(listing, j) : null;
                Tree.Add(status, map);
                foreach (var row in containing)
                {
                    row.Add(status, map);
                }

                // Depth 0 is the tree itself, not a row.
                if (ownRows && listing.Depth > 0 && status.Kind == LinkKind.Directory)
                {
                    Row(listing.RelativePath(j)).Add(status, null);
                }
            }
        }

        public void AddUp(RowTallies other)
        {
            Tree.AddUp(other.Tree);
            foreach (var (relative, theirs) in other.rows)
            {
                Row(relative).AddUp(theirs);
            }
        }

        /// <summary>The tree's figures, with each level of rows as the children of the one above, largest first.</summary>
        public SizeFigures ToFigures(string root)
        {
            var children = new Dictionary<string, List<SizeFigures>>(StringComparer.Ordinal);
            // Deepest first, so a row's children are complete when it is made.
            foreach (var (relative, tally) in rows.OrderByDescending(row => row.Key.Count(c => c == Path.DirectorySeparatorChar)))
            {
                var figures = tally.ToFigures(Path.Join(root, relative)) with { Children = Sorted(children.GetValueOrDefault(relative)) };
                var cut = relative.LastIndexOf(Path.DirectorySeparatorChar);
                var parent = cut < 0 ? string.Empty : relative[..cut];
                if (!children.TryGetValue(parent, out var siblings))
                {
                    children[parent] = siblings = [];
                }

                siblings.Add(figures);
            }

            return Tree.ToFigures(root) with { Children = Sorted(children.GetValueOrDefault(string.Empty)) };
        }

        private static SizeFigures[] Sorted(List<SizeFigures>? rows) =>
            rows is null ? [] : [.. rows.OrderByDescending(row => row.AllocatedBytes).ThenBy(row => row.Path, StringComparer.Ordinal)];

        private Tally Row(string relative)
        {
            if (!rows.TryGetValue(relative, out var tally))
            {
                rows[relative] = tally = new Tally(shared);
            }

            return tally;
        }

        /// <summary>Fills <see cref="containing"/> with the rows the listing's directory lies in: its ancestors (itself included) at depths 1 to the last level.</summary>
        private void FindRowsContaining(DirectoryListing listing)
        {
            containing.Clear();
            // Depth 1 lists the tree's own entries; deeper listings lie in the rows of their directory's path.
            if (depth == 0 || listing.Depth < 2)
            {
                return;
            }

            var directory = listing.Path.AsSpan(listing.RelativeStart);
            var lookup = rows.GetAlternateLookup<ReadOnlySpan<char>>();
            var start = 0;
            for (var level = 1; level <= depth; level++)
            {
                var next = directory[start..].IndexOf(Path.DirectorySeparatorChar);
                var end = next < 0 ? directory.Length : start + next;
                var prefix = directory[..end];
                if (!lookup.TryGetValue(prefix, out var tally))
                {
                    tally = new Tally(shared);
                    lookup[prefix] = tally;
                }

                containing.Add(tally);
                if (next < 0)
                {
                    break;
                }

                start = end + 1;
            }
        }
    }

    /// <summary>A file with more than one name; a struct in the map, so none costs an object.</summary>
    private struct HardLinkedFile
    {
        public long LinkCount;
        public long Size;
        public long AllocatedBytes;
        public long NamesSeen;

        /// <summary>With extents: bytes the extent map has no place for (inline, not yet allocated), exclusive to the file.</summary>
        public long UnplacedBytes;

        /// <summary>With extents: the allocation, when the file system has no extent map.</summary>
        public long UnknownBytes;
    }

    /// <summary>
    /// Figures of part of a walk. Files with one name are summed at once; files with several are
    /// kept by identity until the end, when it is known how many of their names were seen.
    /// </summary>
    private sealed class Tally(bool shared)
    {
        private readonly Dictionary<FileIdentity, HardLinkedFile> hardLinked = [];
        private long files;
        private long dirs;
        private long links;
        private long namedBytes;
        private long singleNameApparentBytes;
        private long singleNameBytes;
        private readonly SharedExtents? extents = shared ? new SharedExtents() : null;

        public void Add(in FileStatus status, FileExtentMap? map)
        {
            if (map is not null)
            {
                extents!.Add(map);
            }
            else
            {
                // Directories, links, devices: no extents of their own that a reflink can share.
                extents?.AddOther(status.AllocatedBytes);
            }

            switch (status.Kind)
            {
                case LinkKind.Directory:
                    dirs++;
                    break;
                case LinkKind.SymbolicLink or LinkKind.Junction:
                    links++;
                    break;
                default:
                    files++;
                    namedBytes += status.Size;
                    break;
            }

            // Directories have several links (".." of each subdirectory) but one name each.
            if (status.Kind == LinkKind.Directory || status.LinkCount <= 1)
            {
                singleNameBytes += status.AllocatedBytes;
                singleNameApparentBytes += IsFile(status) ? status.Size : 0;
                if (map is not null)
                {
                    extents!.AddUnplaced(map.UnplacedBytes, map.UnknownBytes);
                }

                return;
            }

            ref var file = ref CollectionsMarshal.GetValueRefOrAddDefault(hardLinked, status.Identity, out _);
            file.LinkCount = status.LinkCount;
            file.Size = IsFile(status) ? status.Size : 0;
            file.AllocatedBytes = status.AllocatedBytes;
            file.NamesSeen++;
            if (map is not null)
            {
                // Once per file, however many of its names are seen.
                file.UnplacedBytes = map.UnplacedBytes;
                file.UnknownBytes = map.UnknownBytes;
            }
        }

        /// <summary>Adds another tally's figures; a file both have seen counts once, with the names of both.</summary>
        public void AddUp(Tally other)
        {
            files += other.files;
            dirs += other.dirs;
            links += other.links;
            namedBytes += other.namedBytes;
            singleNameApparentBytes += other.singleNameApparentBytes;
            singleNameBytes += other.singleNameBytes;
            if (other.extents is not null)
            {
                extents!.AddUp(other.extents);
            }

            foreach (var (identity, theirs) in other.hardLinked)
            {
                ref var file = ref CollectionsMarshal.GetValueRefOrAddDefault(hardLinked, identity, out var seen);
                var names = seen ? file.NamesSeen : 0;
                file = theirs;
                file.NamesSeen += names;
            }
        }

        public SizeFigures ToFigures(string? path)
        {
            long apparent = singleNameApparentBytes, allocated = singleNameBytes, reclaimable = singleNameBytes;
            long hardLinkedUnplaced = 0, hardLinkedUnknown = 0;
            foreach (var file in hardLinked.Values)
            {
                hardLinkedUnplaced += file.UnplacedBytes;
                hardLinkedUnknown += file.UnknownBytes;
                apparent += file.Size;
                allocated += file.AllocatedBytes;
                if (file.NamesSeen >= file.LinkCount)
                {
                    reclaimable += file.AllocatedBytes;
                }
            }

            return new SizeFigures
            {
                Path = path,
                Files = files,
                Dirs = dirs,
                Links = links,
                NamedBytes = namedBytes,
                ApparentBytes = apparent,
                AllocatedBytes = allocated,
                ReclaimableBytes = reclaimable,
                SharedBytes = extents?.SharedBytes,
                ExclusiveBytes = extents?.ExclusiveBytes + hardLinkedUnplaced,
                SharedUnknownBytes = extents?.UnknownBytes + hardLinkedUnknown,
            };
        }

        private static bool IsFile(in FileStatus status) => status.Kind is not (LinkKind.Directory or LinkKind.SymbolicLink or LinkKind.Junction);
    }
}
