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
        return TreeEngine.Run(job);
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
