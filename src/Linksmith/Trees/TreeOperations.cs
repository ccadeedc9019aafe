namespace Linksmith;

/// <summary>
/// Smart Copy, Smart Mirror, Hardlink and Symbolic Clone, and DeLorean backups: link-aware tree
/// operations in the manner of Link Shell Extension, all run by one engine.
/// </summary>
/// <remarks>
/// Symbolic links and junctions whose target lies inside the source (the anchor) are inner and
/// are re-pointed into the result (relative ones stay relative); outer ones follow
/// <see cref="TreeJob.Outer"/>. Files with several names inside the source become one hard-link
/// group in the result. Failures of single entries go to <see cref="TreeJob.OnError"/> and the
/// job goes on; failures of the whole job (missing source, destination inside the source, a
/// clone across volumes) are thrown before anything is changed.
/// </remarks>
public static class TreeOperations
{
    /// <summary>Runs <paramref name="job"/>.</summary>
    /// <returns>Counts of what was done (or would be, in a dry run).</returns>
    public static TreeSummary Run(TreeJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        RequireFolderOnTheWay(job.DestinationPath);
        try
        {
            return TreeEngine.Run(job);
        }
        catch (Exception error) when (error is UnauthorizedAccessException or (IOException and not LinksmithException))
        {
            // What the engine does through System.IO is creating DST (for a backup, REPO and its
            // lock); per-entry failures reach OnError as LinksmithExceptions already.
            throw LinksmithException.FromSystemError(error, job.DestinationPath);
        }
    }

    /// <summary>
    /// DST is created with its missing parent folders; one that exists but is a file (or another
    /// non-directory) is reported by its own name, before anything is created.
    /// </summary>
    private static void RequireFolderOnTheWay(string destinationPath)
    {
        for (var parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(destinationPath)); !string.IsNullOrEmpty(parent); parent = Path.GetDirectoryName(parent))
        {
            var kind = LinkPlatform.Current.StatFollowingLinks(parent).Kind;
            if (kind == LinkKind.Directory)
            {
                return;
            }

            if (kind != LinkKind.Missing)
            {
                throw new NotADirectoryException(parent, kind, $"'{destinationPath}' is created with the folders it needs, but this part of its path is a {kind.Describe()}");
            }
        }
    }

    /// <summary>
    /// Counts the regular files under <paramref name="sourcePath"/> and their bytes, following no
    /// link: what a progress display needs for an estimate of the time left. Unreadable entries are
    /// passed over.
    /// </summary>
    public static (long Files, long Bytes) Measure(string sourcePath, PathFilter? filter = null, CancellationToken cancellation = default)
    {
        long files = 0, bytes = 0;
        var options = new WalkOptions
        {
            Descend = entry => filter is null || !filter.IsExcluded(entry.RelativePath, isDirectory: true),
        };
        foreach (var entry in TreeWalker.Walk(sourcePath, options))
        {
            cancellation.ThrowIfCancellationRequested();
            if (entry.Kind == LinkKind.File && (filter is null || filter.IncludesFile(entry.RelativePath)))
            {
                files++;
                bytes += entry.Status.Size;
            }
        }

        return (files, bytes);
    }
}
