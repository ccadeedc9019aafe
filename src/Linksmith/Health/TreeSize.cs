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
}

/// <summary>What <see cref="TreeSize.Measure"/> found.</summary>
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
public static class TreeSize
{
    /// <summary>Measures each of <paramref name="directories"/>.</summary>
    /// <exception cref="TargetNotFoundException">A directory does not exist (checked before any is measured).</exception>
    /// <exception cref="NotADirectoryException">A path is not a directory.</exception>
    public static SizeReport Measure(IReadOnlyList<string> directories) => MeasureOnThreads(directories, TreeWalker.DefaultWalkThreads);

    /// <summary>Measures each of <paramref name="directories"/>, reading directories on <paramref name="threads"/> threads.</summary>
    internal static SizeReport MeasureOnThreads(IReadOnlyList<string> directories, int threads)
    {
        ArgumentNullException.ThrowIfNull(directories);
        var roots = directories.Select(HealthWalk.RequireDirectory).ToList();
        var errors = new List<LinksmithException>();
        var trees = new List<SizeFigures>();
        var total = new Tally();
        var canonical = roots.Select(LinkPlatform.Current.CanonicalizeDirectory).ToList();
        for (var i = 0; i < roots.Count; i++)
        {
            // One tally per worker, added up at the end: the walk's threads share nothing.
            var tallies = Enumerable.Range(0, threads).Select(_ => new Tally()).ToArray();
            // The lean walk: a statx per entry into a reused listing, no path or object per file.
            TreeWalker.VisitInParallel(roots[i], new WalkOptions { OnError = errors.Add }, threads, (listing, worker) =>
            {
                var tally = tallies[worker];
                for (var j = 0; j < listing.Count; j++)
                {
                    tally.Add(listing.Status(j));
                }
            });

            var tree = new Tally();
            foreach (var tally in tallies)
            {
                tree.AddUp(tally);
            }

            trees.Add(tree.ToFigures(roots[i]));
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

    /// <summary>A file with more than one name; a struct in the map, so none costs an object.</summary>
    private struct HardLinkedFile
    {
        public long LinkCount;
        public long Size;
        public long AllocatedBytes;
        public long NamesSeen;
    }

    /// <summary>
    /// Figures of part of a walk. Files with one name are summed at once; files with several are
    /// kept by identity until the end, when it is known how many of their names were seen.
    /// </summary>
    private sealed class Tally
    {
        private readonly Dictionary<FileIdentity, HardLinkedFile> hardLinked = [];
        private long files;
        private long dirs;
        private long links;
        private long namedBytes;
        private long singleNameApparentBytes;
        private long singleNameBytes;

        public void Add(in FileStatus status)
        {
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
                return;
            }

            ref var file = ref CollectionsMarshal.GetValueRefOrAddDefault(hardLinked, status.Identity, out _);
            file.LinkCount = status.LinkCount;
            file.Size = IsFile(status) ? status.Size : 0;
            file.AllocatedBytes = status.AllocatedBytes;
            file.NamesSeen++;
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
            foreach (var file in hardLinked.Values)
            {
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
            };
        }

        private static bool IsFile(in FileStatus status) => status.Kind is not (LinkKind.Directory or LinkKind.SymbolicLink or LinkKind.Junction);
    }
}
