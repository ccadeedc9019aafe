namespace Linksmith;

/// <summary>
/// Reads one directory's entries, each with its status, into a <see cref="DirectoryListing"/>:
/// the walk's one contact with the OS. <see cref="TreeWalker"/> decides the order, the filters,
/// the threads and where errors go; a reader only reads.
/// </summary>
/// <remarks>
/// One per OS: <see cref="UnixDirectoryReader"/> (Linux: getdents64, and statx relative to the
/// directory's descriptor, which is opened beneath the walk's root) and
/// <see cref="PortableDirectoryReader"/> (System.IO by full path). A reader keeps a buffer: one
/// per thread.
/// </remarks>
internal interface IDirectoryReader
{
    /// <summary>The reader for a walk below <paramref name="root"/> (null: a walk by path, without a handle).</summary>
    static IDirectoryReader Create(DirectoryHandle? root) =>
        root is UnixDirectoryHandle unix ? new UnixDirectoryReader(unix) : new PortableDirectoryReader();

    /// <summary>
    /// Reads the directory at <paramref name="relativePath"/> below the walk's root (empty: the
    /// root itself), whose full path is <see cref="DirectoryListing.Path"/>, into
    /// <paramref name="listing"/> (already reset for it). An entry whose status cannot be read is
    /// reported and left out.
    /// </summary>
    /// <param name="relativePath">The directory, below the walk's root.</param>
    /// <param name="listing">Where the entries go.</param>
    /// <param name="options">Which statuses to read (<see cref="WalkOptions.StatEverything"/>, <see cref="WalkOptions.StatLinks"/>) and where an entry that cannot be read is reported (<see cref="WalkOptions.OnError"/>).</param>
    /// <exception cref="LinksmithException">The directory itself cannot be read.</exception>
    void Read(string relativePath, DirectoryListing listing, WalkOptions options);
}
