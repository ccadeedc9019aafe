using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Libc
{
    // link(2) on Linux does not dereference a symlink given as oldpath (POSIX leaves it open),
    // which is GNU ln's default (-P) too.
    [LibraryImport(Name, EntryPoint = "link", SetLastError = true)]
    internal static unsafe partial int link(byte* oldpath, byte* newpath);
}
