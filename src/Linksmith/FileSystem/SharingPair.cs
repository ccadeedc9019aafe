namespace Linksmith;

/// <summary>What <see cref="SharingPair.Share"/> did.</summary>
internal enum ShareResult
{
    /// <summary>Every range now shares the source's blocks.</summary>
    Shared,

    /// <summary>
    /// Bytes differ (Linux: the kernel compared them, FILE_DEDUPE_RANGE_DIFFERS; Windows: Linksmith
    /// did, with writers shut out) and no more was shared from there.
    /// </summary>
    Differs,
}

/// <summary>
/// A regular file held open while its blocks are shared (<c>dedupe --reflink</c>), so that no other
/// process writes to it meanwhile. Linux: a read lease (<see cref="ReadLease"/>): a writer's open
/// waits until it is released. Windows: a handle that shares reading only: it cannot be had while
/// another handle may write to the file, and while it lasts any open for writing fails.
/// </summary>
internal abstract class HeldFile : IDisposable
{
    protected HeldFile(string path) => Path = path;

    /// <summary>The file's full path, for messages.</summary>
    public string Path { get; }

    /// <summary>Whether <see cref="RestoreTimes"/> sets the change time back too (Windows; Linux's ctime cannot be set).</summary>
    public abstract bool RestoresChangeTime { get; }

    /// <summary>
    /// Holds the regular file at <paramref name="relativePath"/> below <paramref name="root"/>,
    /// following no link on the way; <paramref name="forWriting"/>: it is to receive another file's
    /// blocks (Windows opens it for writing; Linux's FIDEDUPERANGE needs no more than reading from
    /// the file's owner or root). Null, with the reason, when it cannot be held now.
    /// </summary>
    /// <exception cref="TargetNotFoundException">Nothing is at the name any more.</exception>
    /// <exception cref="TreeChangedException">A link stands in a folder on the way (Linux: at the name too).</exception>
    public static HeldFile? TryHold(DirectoryHandle root, string relativePath, bool forWriting, out LeaseRefusal refusal)
    {
        if (root is UnixDirectoryHandle unixRoot)
        {
            return ReadLease.TryTake(unixRoot, relativePath, out refusal);
        }

        if (OperatingSystem.IsWindows() && root is WindowsDirectoryHandle windowsRoot)
        {
            return WindowsHeldFile.TryHold(windowsRoot, relativePath, forWriting, out refusal);
        }

        refusal = LeaseRefusal.Unsupported;
        return null;
    }

    /// <summary>The held file as it is now.</summary>
    public abstract FileStatus Status();

    /// <summary>Sets the file's access and modification times (and, where <see cref="RestoresChangeTime"/>, its change time) back to those in <paramref name="before"/>.</summary>
    public abstract void RestoreTimes(in FileStatus before);

    /// <summary>Lets the file go (Linux: a waiting writer goes on).</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}

/// <summary>
/// A survivor and one of its duplicates, both open, for <c>dedupe --reflink</c>: whether their
/// volume can share blocks, how many of the duplicate's bytes do not share the survivor's yet, and
/// the sharing itself. Linux: <c>FIDEDUPERANGE</c> and FIEMAP (<see cref="FileSharing"/>); Windows:
/// <c>FSCTL_DUPLICATE_EXTENTS_TO_FILE</c> after a byte comparison, and
/// <c>FSCTL_GET_RETRIEVAL_POINTERS</c> (<see cref="WindowsSharingPair"/>).
/// </summary>
internal abstract class SharingPair : IDisposable
{
    protected SharingPair(string keeperPath, string duplicatePath)
    {
        KeeperPath = keeperPath;
        DuplicatePath = duplicatePath;
    }

    /// <summary>The survivor's full path, for messages.</summary>
    public string KeeperPath { get; }

    /// <summary>The duplicate's full path, for messages.</summary>
    public string DuplicatePath { get; }

    /// <summary>
    /// Opens the survivor and the duplicate for reading below their roots, following no link on
    /// the way; nothing holds them against writers (for <see cref="Probe"/>, and for
    /// <see cref="NotSharedBytes"/> without <c>--apply</c>).
    /// </summary>
    /// <exception cref="ReflinksNotSupportedException">Neither Linux nor Windows.</exception>
    public static SharingPair Open(DirectoryHandle keeperRoot, string keeperRelativePath, DirectoryHandle duplicateRoot, string duplicateRelativePath)
    {
        if (keeperRoot is UnixDirectoryHandle unixKeeper && duplicateRoot is UnixDirectoryHandle unixDuplicate)
        {
            return UnixSharingPair.Open(unixKeeper, keeperRelativePath, unixDuplicate, duplicateRelativePath);
        }

        if (OperatingSystem.IsWindows() && keeperRoot is WindowsDirectoryHandle windowsKeeper && duplicateRoot is WindowsDirectoryHandle windowsDuplicate)
        {
            return WindowsSharingPair.Open(windowsKeeper, keeperRelativePath, windowsDuplicate, duplicateRelativePath);
        }

        throw Unsupported(duplicateRoot.FullPath(duplicateRelativePath));
    }

    /// <summary>The two held files as a pair; disposing the pair leaves them open.</summary>
    /// <exception cref="ReflinksNotSupportedException">Neither Linux nor Windows.</exception>
    public static SharingPair Of(HeldFile keeper, HeldFile duplicate)
    {
        if (keeper is ReadLease keeperLease && duplicate is ReadLease duplicateLease)
        {
            return new UnixSharingPair(keeperLease, duplicateLease);
        }

        if (OperatingSystem.IsWindows() && keeper is WindowsHeldFile windowsKeeper && duplicate is WindowsHeldFile windowsDuplicate)
        {
            return new WindowsSharingPair(windowsKeeper, windowsDuplicate);
        }

        throw Unsupported(duplicate.Path);
    }

    /// <summary>
    /// Checks, changing nothing, that the pair's volume can share blocks between them. Throws
    /// <see cref="ReflinksNotSupportedException"/> (naming the duplicate) where it cannot.
    /// </summary>
    public abstract void Probe();

    /// <summary>
    /// Why these two files cannot share blocks as they are, where the file system says so
    /// beforehand (Windows: integrity streams on one only, a sparse survivor and a duplicate that is
    /// not), for the user; null where nothing stands in the way.
    /// </summary>
    public virtual string? Obstacle() => null;

    /// <summary>
    /// Bytes of the duplicate within its first <paramref name="size"/> bytes whose blocks are not
    /// the survivor's at the same offsets (what sharing them would free); <paramref name="size"/>
    /// where the file system does not tell.
    /// </summary>
    public abstract long NotSharedBytes(long size);

    /// <summary>
    /// Shares the survivor's first <paramref name="size"/> bytes with the duplicate's, range by
    /// range from offset 0, each only where its bytes are equal in both; stops at the first range
    /// that differs.
    /// </summary>
    /// <exception cref="ReflinksNotSupportedException">The file system refused to share these files' blocks.</exception>
    /// <exception cref="LinksmithException">Any other failure, with the duplicate's path.</exception>
    public abstract ShareResult Share(long size);

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }

    private static ReflinksNotSupportedException Unsupported(string path) => new(
        path,
        "sharing the data blocks of existing files is implemented on Linux and Windows only",
        "Leave out --reflink to hard-link the duplicates instead");
}
