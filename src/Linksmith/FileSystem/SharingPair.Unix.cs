namespace Linksmith;

/// <summary>
/// <see cref="SharingPair"/> on Linux: the two files' descriptors, for <c>FIDEDUPERANGE</c>, which
/// compares the bytes itself under its own locks, and FIEMAP (<see cref="FileSharing"/>).
/// </summary>
internal sealed class UnixSharingPair : SharingPair
{
    // Set only when the pair opened the files itself (Open); leases stay their holder's.
    private readonly FileDescriptor? ownedKeeper;
    private readonly FileDescriptor? ownedDuplicate;
    private readonly int keeperFd;
    private readonly int duplicateFd;

    /// <summary>The leased files as a pair; they stay open when the pair is disposed.</summary>
    public UnixSharingPair(ReadLease keeper, ReadLease duplicate)
        : base(keeper.Path, duplicate.Path)
    {
        keeperFd = keeper.Fd;
        duplicateFd = duplicate.Fd;
    }

    private UnixSharingPair(FileDescriptor keeper, string keeperPath, FileDescriptor duplicate, string duplicatePath)
        : base(keeperPath, duplicatePath)
    {
        (ownedKeeper, ownedDuplicate) = (keeper, duplicate);
        (keeperFd, duplicateFd) = (keeper.Fd, duplicate.Fd);
    }

    /// <summary>Opens both read-only below their roots (<see cref="UnixDirectoryHandle.OpenFileForRead"/>), the survivor first.</summary>
    public static UnixSharingPair Open(UnixDirectoryHandle keeperRoot, string keeperRelativePath, UnixDirectoryHandle duplicateRoot, string duplicateRelativePath)
    {
        var keeper = keeperRoot.OpenFileForRead(keeperRelativePath);
        try
        {
            var duplicate = duplicateRoot.OpenFileForRead(duplicateRelativePath);
            return new UnixSharingPair(keeper, keeperRoot.FullPath(keeperRelativePath), duplicate, duplicateRoot.FullPath(duplicateRelativePath));
        }
        catch
        {
            keeper.Dispose();
            throw;
        }
    }

    public override void Probe() => FileSharing.Probe(keeperFd, duplicateFd, DuplicatePath);

    public override long NotSharedBytes(long size) => FileSharing.BytesNotSharedWith(duplicateFd, DuplicatePath, keeperFd, KeeperPath, size);

    public override ShareResult Share(long size) => FileSharing.Share(keeperFd, duplicateFd, size, DuplicatePath);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            ownedDuplicate?.Dispose();
            ownedKeeper?.Dispose();
        }

        base.Dispose(disposing);
    }
}
