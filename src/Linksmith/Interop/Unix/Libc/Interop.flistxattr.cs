using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Libc
{
    [LibraryImport(Name, EntryPoint = "flistxattr", SetLastError = true)]
    internal static unsafe partial nint flistxattr(int fd, byte* list, nint size);
}
