using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Libc
{
    // Linux (x86-64 and arm64 share these values; asm-generic/fcntl.h).
    internal const int O_RDONLY = 0x0000;
    internal const int O_WRONLY = 0x0001;
    internal const int O_CREAT = 0x0040;
    internal const int O_EXCL = 0x0080;
    internal const int O_NOCTTY = 0x0100;
    internal const int O_TRUNC = 0x0200;
    internal const int O_NONBLOCK = 0x0800;
    internal const int O_DIRECTORY = 0x10000;
    internal const int O_NOFOLLOW = 0x20000;
    internal const int O_CLOEXEC = 0x80000;
    internal const int O_PATH = 0x200000;
    internal const int O_RDWR = 0x0002;

    // __O_TMPFILE | O_DIRECTORY: an unnamed file in the directory opened (Linux 3.11+; not every file system).
    internal const int O_TMPFILE = 0x410000;

    [LibraryImport(Name, EntryPoint = "open", SetLastError = true)]
    internal static unsafe partial int open(byte* pathname, int flags, uint mode);

    [LibraryImport(Name, EntryPoint = "openat", SetLastError = true)]
    internal static unsafe partial int openat(int dirfd, byte* pathname, int flags, uint mode);

    [LibraryImport(Name, EntryPoint = "close", SetLastError = true)]
    internal static partial int close(int fd);
}
