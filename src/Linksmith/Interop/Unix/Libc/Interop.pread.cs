using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Libc
{
    // At an offset, leaving the file position alone: the data ranges of a sparse file are copied this way.
    [LibraryImport(Name, EntryPoint = "pread", SetLastError = true)]
    internal static unsafe partial nint pread(int fd, byte* buf, nint count, long offset);

    [LibraryImport(Name, EntryPoint = "pwrite", SetLastError = true)]
    internal static unsafe partial nint pwrite(int fd, byte* buf, nint count, long offset);
}
