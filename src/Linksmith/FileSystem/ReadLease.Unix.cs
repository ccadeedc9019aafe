using System.Runtime.InteropServices;
using Linksmith.Interop;

namespace Linksmith;

/// <summary>Why <see cref="ReadLease.TryTake"/> could not take a lease.</summary>
internal enum LeaseRefusal
{
    /// <summary>The lease was taken.</summary>
    None,

    /// <summary>EAGAIN: the file is open for writing, by any process (this one included).</summary>
    OpenForWriting,

    /// <summary>EACCES: the caller neither owns the file nor has <c>CAP_LEASE</c>.</summary>
    NotOwner,

    /// <summary>EINVAL on a regular file: its file system has no leases (NFS, FUSE, …) or <c>fs.leases-enable</c> is 0.</summary>
    Unsupported,

    /// <summary>What is at the name now is not a regular file (leases exist only on those).</summary>
    NotAFile,

    /// <summary>
    /// Windows, which has no leases (<see cref="HeldFile.TryHold"/>): another handle may write to the
    /// file or shuts others out (STATUS_SHARING_VIOLATION to an open that shares reading only).
    /// </summary>
    InUse,
}

/// <summary>
/// A file opened read-only beneath an open directory, holding a read lease
/// (<c>fcntl(F_SETLEASE, F_RDLCK)</c>) until disposed: while it is held, another process's open of
/// the file for writing (or a truncate) waits in the kernel, and the lease could only be taken
/// while nobody had the file open for writing.
/// </summary>
/// <remarks>
/// <para>A writer's open waits until the lease is released (the descriptor closed) or
/// <c>/proc/sys/fs/lease-break-time</c> (45 s by default) passes; the kernel then lets it go on.
/// It waits after it has looked up the name, so it goes on with the file it found then:
/// <see cref="WriterArrived"/> tells the holder that such a writer is waiting (or that one got
/// the file open meanwhile), so the holder can put things back before it lets go.</para>
/// <para>The kernel tells the holder of a lease that a writer waits with a signal, SIGIO unless
/// <c>F_SETSIG</c> names another; SIGIO's default action ends the process and .NET installs no
/// handler for it, so a writer would kill linksmith. The lease is set to signal SIGURG instead,
/// whose default action is to ignore it and which no .NET runtime (CoreCLR, NativeAOT) handles;
/// the holder asks with <see cref="WriterArrived"/> instead of listening. Leases exist only on
/// Linux.</para>
/// </remarks>
internal sealed class ReadLease : HeldFile
{
    // Null once handed over (HandOver).
    private FileDescriptor? descriptor;

    private ReadLease(FileDescriptor descriptor, string path)
        : base(path) => this.descriptor = descriptor;

    /// <summary>
    /// Opens the file at <paramref name="relativePath"/> below <paramref name="root"/>
    /// (<c>O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC</c>, following no link on
    /// the way) and takes a read lease on it. Null, with the reason, when the lease is refused.
    /// </summary>
    /// <exception cref="TargetNotFoundException">Nothing is at the name any more.</exception>
    /// <exception cref="TreeChangedException">A link stands at the name or in a folder on the way.</exception>
    public static ReadLease? TryTake(UnixDirectoryHandle root, string relativePath, out LeaseRefusal refusal)
    {
        var path = root.FullPath(relativePath);
        var descriptor = root.OpenFileForRead(relativePath);
        // F_SETSIG before F_SETLEASE: a writer arriving in between must not send SIGIO.
        if (Libc.fcntl(descriptor.Fd, Libc.F_SETSIG, Libc.SIGURG) == 0 && Libc.fcntl(descriptor.Fd, Libc.F_SETLEASE, Libc.F_RDLCK) == 0)
        {
            refusal = LeaseRefusal.None;
            return new ReadLease(descriptor, path);
        }

        var errno = Marshal.GetLastPInvokeError();
        try
        {
            refusal = errno switch
            {
                Libc.EAGAIN => LeaseRefusal.OpenForWriting,
                Libc.EACCES => LeaseRefusal.NotOwner,
                // Leases are refused with EINVAL on anything but a regular file, too.
                Libc.EINVAL => UnixDirectoryHandle.StatDescriptor(descriptor.Fd, path).Kind == LinkKind.File ? LeaseRefusal.Unsupported : LeaseRefusal.NotAFile,
                _ => throw UnixErrors.ToException(errno, path),
            };
            return null;
        }
        finally
        {
            descriptor.Dispose();
        }
    }

    /// <summary>The leased file's descriptor (read-only), for a call made while this lease is held.</summary>
    public int Fd => Descriptor.Fd;

    public override bool RestoresChangeTime => false;

    /// <summary>The leased file as it is now (fstat of the open descriptor).</summary>
    public override FileStatus Status() => UnixDirectoryHandle.StatDescriptor(Descriptor.Fd, Path);

    /// <summary>Sets the access and modification times back (futimens); the kernel sets ctime to now.</summary>
    public override void RestoreTimes(in FileStatus before) => FileSharing.RestoreTimes(Descriptor.Fd, before, Path);

    /// <summary>
    /// Whether some process has opened the file for writing since the lease was taken (its open
    /// is waiting for the lease, or got through): asking for the read lease again is refused with
    /// EAGAIN exactly while the file is open for writing anywhere.
    /// </summary>
    public bool WriterArrived()
    {
        if (Libc.fcntl(Descriptor.Fd, Libc.F_SETLEASE, Libc.F_RDLCK) == 0)
        {
            return false;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno == Libc.EAGAIN ? true : throw UnixErrors.ToException(errno, Path);
    }

    /// <summary>
    /// Releases the lease (a waiting writer goes on) and keeps the file open: its blocks are freed
    /// only when it is closed, if its last name went meanwhile (see <see cref="DeferredCloser"/>).
    /// Should the kernel refuse, the lease lasts until the file is closed, which releases it too.
    /// </summary>
    public void Release() => _ = Libc.fcntl(Descriptor.Fd, Libc.F_SETLEASE, Libc.F_UNLCK);

    /// <summary>The open file's descriptor, for the caller to close (e.g. by a <see cref="DeferredCloser"/>); this lease then holds nothing, and disposing it does nothing.</summary>
    public FileDescriptor HandOver()
    {
        var file = Descriptor;
        descriptor = null;
        return file;
    }

    private FileDescriptor Descriptor => descriptor ?? throw new ObjectDisposedException(Path);

    /// <summary>Releases the lease (closing the descriptor does: a waiting writer goes on) and closes the file.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            descriptor?.Dispose();
        }

        base.Dispose(disposing);
    }
}
