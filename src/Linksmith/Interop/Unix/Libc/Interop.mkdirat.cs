using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Libc
{
    [LibraryImport(Name, EntryPoint = "mkdirat", SetLastError = true)]
    internal static unsafe partial int mkdirat(int dirfd, byte* pathname, uint mode);
}
