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
}
