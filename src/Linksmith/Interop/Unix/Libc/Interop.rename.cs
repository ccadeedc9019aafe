using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Libc
{
    // rename(2) replaces newpath atomically: there is no moment where newpath is missing.
    [LibraryImport(Name, EntryPoint = "rename", SetLastError = true)]
    internal static unsafe partial int rename(byte* oldpath, byte* newpath);
}
