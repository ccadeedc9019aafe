using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Libc
{
    [LibraryImport(Name, EntryPoint = "unlink", SetLastError = true)]
    internal static unsafe partial int unlink(byte* pathname);
}
