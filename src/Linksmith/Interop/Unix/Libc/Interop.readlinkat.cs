using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Libc
{
    [LibraryImport(Name, EntryPoint = "readlinkat", SetLastError = true)]
    internal static unsafe partial nint readlinkat(int dirfd, byte* pathname, byte* buf, nint bufsiz);
}
