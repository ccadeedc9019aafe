using System.Runtime.InteropServices;
using Linksmith.Interop;

namespace Linksmith;

/// <summary>
/// A Unix file descriptor that closes itself: a leak or a double close cannot happen, and a
/// descriptor lent to another thread (<see cref="SafeHandle.DangerousAddRef"/>) stays open until
/// that thread is done with it, however the owner disposes it.
/// </summary>
internal sealed class FileDescriptor : SafeHandle
{
    public FileDescriptor(int fd)
        : base(invalidHandleValue: -1, ownsHandle: true) => SetHandle(fd);

    public override bool IsInvalid => handle == -1;

    /// <summary>The descriptor number, for a system call made while this object is alive.</summary>
    public int Fd => (int)handle;

    protected override bool ReleaseHandle() => Libc.close((int)handle) == 0;
}

/// <summary>A reference to a <see cref="FileDescriptor"/> that keeps it open until disposed.</summary>
internal readonly struct DescriptorLease : IDisposable
{
    private readonly FileDescriptor descriptor;

    public DescriptorLease(FileDescriptor descriptor)
    {
        var added = false;
        descriptor.DangerousAddRef(ref added);
        this.descriptor = descriptor;
    }

    public int Fd => descriptor.Fd;

    /// <summary>The descriptor lent, for keying facts about it (not for closing).</summary>
    public FileDescriptor Descriptor => descriptor;

    public void Dispose() => descriptor.DangerousRelease();
}
