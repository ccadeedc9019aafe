using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Libc
{
    // realpath(path, NULL) returns a malloc'd buffer (POSIX.1-2008) that the caller frees.
    [LibraryImport(Name, EntryPoint = "realpath", SetLastError = true)]
    internal static unsafe partial byte* realpath(byte* path, byte* resolvedPath);

    [LibraryImport(Name, EntryPoint = "free")]
    internal static unsafe partial void free(void* ptr);
}
