using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Libc
{
    // Takes ownership of fd: closedir closes it.
    [LibraryImport(Name, EntryPoint = "fdopendir", SetLastError = true)]
    internal static partial nint fdopendir(int fd);
}
