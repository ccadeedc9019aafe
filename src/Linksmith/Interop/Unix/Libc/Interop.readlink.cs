using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Libc
{
    [LibraryImport(Name, EntryPoint = "readlink", SetLastError = true)]
    internal static unsafe partial nint readlink(byte* pathname, byte* buf, nint bufsiz);
}
