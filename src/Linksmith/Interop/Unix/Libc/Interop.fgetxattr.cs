using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Libc
{
    [LibraryImport(Name, EntryPoint = "fgetxattr", SetLastError = true)]
    internal static unsafe partial nint fgetxattr(int fd, byte* name, byte* value, nint size);
}
