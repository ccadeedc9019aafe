using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Libc
{
    [LibraryImport(Name, EntryPoint = "fchown", SetLastError = true)]
    internal static partial int fchown(int fd, uint owner, uint group);

    // lchown: owner of a symlink itself, never its target.
    [LibraryImport(Name, EntryPoint = "lchown", SetLastError = true)]
    internal static unsafe partial int lchown(byte* pathname, uint owner, uint group);
}
