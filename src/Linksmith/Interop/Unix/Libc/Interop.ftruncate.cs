using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Libc
{
    [LibraryImport(Name, EntryPoint = "ftruncate", SetLastError = true)]
    internal static partial int ftruncate(int fd, long length);
}
