using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Libc
{
    // renameat2(2): with RENAME_NOREPLACE the rename fails with EEXIST instead of replacing, atomically
    // (plain rename(2) silently replaces an empty directory). Linux 3.15+, glibc 2.28+.
    internal const uint RENAME_NOREPLACE = 1;

    // RENAME_EXCHANGE swaps two names atomically; both must exist. Linux 3.15+; a file system that
    // cannot (some FUSE ones, NFS) answers EINVAL.
    internal const uint RENAME_EXCHANGE = 2;

    [LibraryImport(Name, EntryPoint = "renameat2", SetLastError = true)]
    internal static unsafe partial int renameat2(int olddirfd, byte* oldpath, int newdirfd, byte* newpath, uint flags);
}
