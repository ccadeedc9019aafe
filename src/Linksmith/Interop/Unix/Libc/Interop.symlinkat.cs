using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Libc
{
    [LibraryImport(Name, EntryPoint = "symlinkat", SetLastError = true)]
    internal static unsafe partial int symlinkat(byte* target, int newdirfd, byte* linkpath);
}
