using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Libc
{
    [LibraryImport(Name, EntryPoint = "mkdir", SetLastError = true)]
    internal static unsafe partial int mkdir(byte* pathname, uint mode);
}
