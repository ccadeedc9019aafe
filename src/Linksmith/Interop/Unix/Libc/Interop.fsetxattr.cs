using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Libc
{
    [LibraryImport(Name, EntryPoint = "fsetxattr", SetLastError = true)]
    internal static unsafe partial int fsetxattr(int fd, byte* name, byte* value, nint size, int flags);
}
