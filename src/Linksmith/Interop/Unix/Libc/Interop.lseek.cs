using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Libc
{
    internal const int SEEK_SET = 0;

    // Linux 3.1+: the next offset at or after the given one that holds data / lies in a hole
    // (a file system without hole tracking answers "all data, one hole at the end").
    internal const int SEEK_DATA = 3;
    internal const int SEEK_HOLE = 4;

    // off_t is 64-bit on every 64-bit Linux ABI .NET runs on.
    [LibraryImport(Name, EntryPoint = "lseek", SetLastError = true)]
    internal static partial long lseek(int fd, long offset, int whence);
}
