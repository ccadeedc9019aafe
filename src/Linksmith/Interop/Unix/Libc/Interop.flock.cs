using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Libc
{
    internal const int LOCK_EX = 2;
    internal const int LOCK_NB = 4;
    internal const int LOCK_UN = 8;
    internal const int EWOULDBLOCK = EAGAIN;

    [LibraryImport(Name, EntryPoint = "flock", SetLastError = true)]
    internal static partial int flock(int fd, int operation);
}
