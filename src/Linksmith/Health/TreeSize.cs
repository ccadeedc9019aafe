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
    public static SizeReport Measure(IReadOnlyList<string> directories)
    {
        ArgumentNullException.ThrowIfNull(directories);
        var roots = directories.Select(HealthWalk.RequireDirectory).ToList();
        var errors = new List<LinksmithException>();
        var trees = new List<SizeFigures>();
        var total = new Tally();
        // For the total: every hard-linked file met in any counted tree, with the names seen in all of them.
        var shared = new Dictionary<FileIdentity, HardLinkedFile>();
        var canonical = roots.Select(LinkPlatform.Current.CanonicalizeDirectory).ToList();
        for (var i = 0; i < roots.Count; i++)
        {
            var countsInTotal = !IsCoveredByAnother(canonical, i);
            var tally = new Tally();
            var local = new Dictionary<FileIdentity, HardLinkedFile>();
            // The lean walk: a statx per entry into a reused listing, no path or object per file.
            foreach (var listing in TreeWalker.Directories(roots[i], new WalkOptions { OnError = errors.Add }))
            {
                for (var j = 0; j < listing.Count; j++)
                {
                    ref readonly var status = ref listing.Status(j);
                    tally.Add(status, local);
                    if (countsInTotal)
                    {
                        total.Add(status, shared);
                    }
                }
            }

            trees.Add(tally.ToFigures(roots[i], local));
        }

        return new SizeReport(trees, total.ToFigures(null, shared), errors);
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
        public long AllocatedBytes;
        public long NamesSeen;
    }

    private sealed class Tally
    {
        private long files;
        private long dirs;
        private long links;
        private long namedBytes;
        private long apparentBytes;
        private long allocatedBytes;
        private long singleNameBytes;

        public void Add(in FileStatus status, Dictionary<FileIdentity, HardLinkedFile> hardLinked)
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
                allocatedBytes += status.AllocatedBytes;
                singleNameBytes += status.AllocatedBytes;
                apparentBytes += IsFile(status) ? status.Size : 0;
                return;
            }

            ref var file = ref CollectionsMarshal.GetValueRefOrAddDefault(hardLinked, status.Identity, out var seen);
            if (!seen)
            {
                file.LinkCount = status.LinkCount;
                file.AllocatedBytes = status.AllocatedBytes;
                allocatedBytes += status.AllocatedBytes;
                apparentBytes += IsFile(status) ? status.Size : 0;
            }

            file.NamesSeen++;
        }

        public SizeFigures ToFigures(string? path, Dictionary<FileIdentity, HardLinkedFile> hardLinked)
        {
            var reclaimable = singleNameBytes;
            foreach (var file in hardLinked.Values)
            {
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
                ApparentBytes = apparentBytes,
                AllocatedBytes = allocatedBytes,
                ReclaimableBytes = reclaimable,
            };
        }

        private static bool IsFile(in FileStatus status) => status.Kind is not (LinkKind.Directory or LinkKind.SymbolicLink or LinkKind.Junction);
    }
}
