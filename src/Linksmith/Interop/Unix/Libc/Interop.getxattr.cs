using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Libc
{
    [LibraryImport(Name, EntryPoint = "getxattr", SetLastError = true)]
    internal static unsafe partial nint getxattr(byte* path, byte* name, byte* value, nint size);
}
