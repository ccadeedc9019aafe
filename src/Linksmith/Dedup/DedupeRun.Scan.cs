namespace Linksmith;

// The scan: every root walked once, each regular file kept as a ScannedFile, and the walk order that breaks ties.
internal sealed partial class DedupeRun
{
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
        var references = options.ReferenceDirectories.Select(FullRoot).ToList();
        for (var rootIndex = 0; rootIndex < roots.Count; rootIndex++)
        {
            var (root, given) = roots[rootIndex];
            if (PathFacts.Stat(root, followLinks: true) is not { } rootStatus)
            {
                // Said with the path as the user typed it; the other roots are still searched.
                errors.Add(new TargetNotFoundException(given));
                continue;
            }

            var walkedRoot = walkedRoots.Count;
            walkedRoots.Add(OpenRoot(root, rootStatus));
            directories.AddRoot(walkedRoots[walkedRoot].Path);
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
                    var directoryPath = listing.Depth == 0 ? Path.GetDirectoryName(root)! : listing.Path;
                    var directory = directories.Add(walkedRoot, directoryPath);
                    directoryIsReference.Add(references.Count > 0 && IsInside(directoryPath, references));
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

        Array.Sort(byWalk, directories.CompareInWalkOrder);
        directoryRank = new int[directories.Count];
        for (var i = 0; i < byWalk.Length; i++)
        {
            directoryRank[byWalk[i]] = i;
        }
    }

    /// <summary>
    /// Opens a root for the rest of the run (a link there is followed once, as for any explicit
    /// root); a root that is a file is named below its parent directory.
    /// </summary>
    private static DirectoryHandle OpenRoot(string root, in FileStatus status) =>
        status.Kind == LinkKind.Directory ? DirectoryHandle.Open(root) : DirectoryHandle.OpenParent(root).Parent;

    /// <summary>
    /// The order a sequential walk would have met two scanned names in: by directory, then by
    /// name (a directory's names were added together, in name order).
    /// </summary>
    private int WalkOrder(int x, int y)
    {
        var c = directoryRank[files[x].Directory].CompareTo(directoryRank[files[y].Directory]);
        return c != 0 ? c : x.CompareTo(y);
    }

    private static string FullRoot(string given) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(given));

    private static StringComparison PathComparison => OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    /// <summary>Whether the directory <paramref name="path"/> is one of <paramref name="roots"/> or lies below one (lexically).</summary>
    private static bool IsInside(string path, List<string> roots)
    {
        foreach (var root in roots)
        {
            if (path.Equals(root, PathComparison) || path.StartsWith(Path.EndsInDirectorySeparator(root) ? root : root + Path.DirectorySeparatorChar, PathComparison))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The roots, then the reference directories, as full paths (with the text the user gave),
    /// leaving out one that lies inside an earlier or enclosing one: its files would otherwise be
    /// seen twice.
    /// </summary>
    private List<(string Full, string Given)> DistinctRoots()
    {
        var given = options.Roots.Concat(options.ReferenceDirectories).ToList();
        var full = given.Select(FullRoot).ToList();
        var comparison = PathComparison;
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
                result.Add((root, given[i]));
            }
        }

        return result;
    }
}
