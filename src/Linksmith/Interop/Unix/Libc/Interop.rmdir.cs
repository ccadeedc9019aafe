using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Libc
{
    [LibraryImport(Name, EntryPoint = "rmdir", SetLastError = true)]
    internal static unsafe partial int rmdir(byte* pathname);
}
