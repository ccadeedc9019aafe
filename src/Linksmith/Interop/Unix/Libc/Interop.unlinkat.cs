using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Libc
{
    internal const int AT_REMOVEDIR = 0x200;

    // unlinkat never follows a link: it removes the name itself (with AT_REMOVEDIR, an empty directory).
    [LibraryImport(Name, EntryPoint = "unlinkat", SetLastError = true)]
    internal static unsafe partial int unlinkat(int dirfd, byte* pathname, int flags);
}
