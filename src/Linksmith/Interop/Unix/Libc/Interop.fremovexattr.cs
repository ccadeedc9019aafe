using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Libc
{
    [LibraryImport(Name, EntryPoint = "fremovexattr", SetLastError = true)]
    internal static unsafe partial int fremovexattr(int fd, byte* name);
}
