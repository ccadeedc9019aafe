namespace Linksmith;

/// <summary>
/// Finds identical files and (with <see cref="DedupeOptions.Apply"/>) replaces duplicates by hard
/// links to one survivor, never merging files whose contents differ.
/// </summary>
/// <remarks>
/// <para>The steps: walk every root once; group regular files by volume and size (and owner, group
/// and mode unless <see cref="DedupeOptions.IgnoreMetadata"/>), counting names of one file once;
/// for files above <see cref="ContentReader.SampleThreshold"/> compare a sample (first and last
/// block) to drop most non-matches cheaply; then hash whole contents with SHA-256, which alone
/// decides. Each candidate is read at most once in full, sequentially, files spread over a few
/// threads in inode order. Groups are read a batch at a time (see <see cref="DedupeRun"/>), so
/// only one batch's hashes are held at once, and the hash cache is read one range of sizes per
/// batch.</para>
/// <para>The survivor is the file with the most links, then the oldest mtime, then the first in
/// argument order. Every name of a duplicate file is re-linked, so existing hard-link groups are
/// never split; a duplicate that also has names outside the roots is left alone. Right before
/// each replacement both files are leased (Linux) and checked to be unchanged since they were
/// read; a file open for writing elsewhere is skipped, and a writer that opens one meanwhile
/// waits and keeps its write (see <c>DedupeRun.Replace</c>).</para>
/// <para>With <see cref="DedupeOptions.Reflink"/> no name changes: each duplicate's data blocks
/// are shared with the survivor's, both files held against writers meanwhile (Linux:
/// <c>FIDEDUPERANGE</c> under read leases; Windows, on ReFS and Dev Drives:
/// <c>FSCTL_DUPLICATE_EXTENTS_TO_FILE</c> after a byte comparison, both files open sharing
/// reading only).</para>
/// </remarks>
public static class Deduplicator
{
    /// <summary>Runs a dedupe. Per-file problems are collected in the result, not thrown.</summary>
    /// <exception cref="TargetNotFoundException">A root does not exist.</exception>
    /// <exception cref="ReflinksNotSupportedException">With <see cref="DedupeOptions.Reflink"/>: neither Linux nor Windows, or a file system without reflinks (Windows: a volume without block cloning); nothing was changed.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; files already replaced stay replaced, each one whole.</exception>
    public static DedupeResult Run(DedupeOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Roots.Count == 0)
        {
            throw new ArgumentException("at least one directory is needed", nameof(options));
        }

        if (options.Reflink && !OperatingSystem.IsLinux() && !OperatingSystem.IsWindows())
        {
            throw new ReflinksNotSupportedException(
                options.Roots[0],
                "dedupe --reflink is implemented on Linux and Windows only",
                "Leave out --reflink to hard-link the duplicates instead");
        }

        var run = new DedupeRun(options, cancellationToken);
        return run.Execute();
    }
}
