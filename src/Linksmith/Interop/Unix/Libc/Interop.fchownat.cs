using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Libc
{
    // With AT_SYMLINK_NOFOLLOW: the owner of a symlink itself, never its target.
    [LibraryImport(Name, EntryPoint = "fchownat", SetLastError = true)]
    internal static unsafe partial int fchownat(int dirfd, byte* pathname, uint owner, uint group, int flags);
}
