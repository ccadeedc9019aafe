using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Libc
{
    // Copies inside the kernel (and lets file systems share extents: reflink on Btrfs/XFS, server-side copy on NFS).
    [LibraryImport(Name, EntryPoint = "copy_file_range", SetLastError = true)]
    internal static unsafe partial nint copy_file_range(int fdIn, long* offIn, int fdOut, long* offOut, nint len, uint flags);

    [LibraryImport(Name, EntryPoint = "read", SetLastError = true)]
    internal static unsafe partial nint read(int fd, byte* buf, nint count);

    [LibraryImport(Name, EntryPoint = "write", SetLastError = true)]
    internal static unsafe partial nint write(int fd, byte* buf, nint count);
}
