using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Libc
{
    // syncfs(2): writes out everything cached for the file system that holds fd, and waits for it.
    [LibraryImport(Name, EntryPoint = "syncfs", SetLastError = true)]
    internal static partial int syncfs(int fd);
}
