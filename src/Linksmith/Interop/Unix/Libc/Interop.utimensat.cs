using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Libc
{
    internal const long UTIME_OMIT = (1L << 30) - 2;

    /// <summary>struct timespec on 64-bit Linux.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Timespec
    {
        public long tv_sec;
        public long tv_nsec;
    }

    [LibraryImport(Name, EntryPoint = "futimens", SetLastError = true)]
    internal static unsafe partial int futimens(int fd, Timespec* times);

    // With AT_SYMLINK_NOFOLLOW sets the times of a symlink itself.
    [LibraryImport(Name, EntryPoint = "utimensat", SetLastError = true)]
    internal static unsafe partial int utimensat(int dirfd, byte* pathname, Timespec* times, int flags);
}
