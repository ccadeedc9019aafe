using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Libc
{
    // Without AT_SYMLINK_FOLLOW, linkat links the name itself (a symlink is not followed).
    [LibraryImport(Name, EntryPoint = "linkat", SetLastError = true)]
    internal static unsafe partial int linkat(int olddirfd, byte* oldpath, int newdirfd, byte* newpath, int flags);
}
