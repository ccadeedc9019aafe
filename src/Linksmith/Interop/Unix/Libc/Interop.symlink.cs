using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Libc
{
    [LibraryImport(Name, EntryPoint = "symlink", SetLastError = true)]
    internal static unsafe partial int symlink(byte* target, byte* linkpath);
}
