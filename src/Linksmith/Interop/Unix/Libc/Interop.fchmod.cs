using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Libc
{
    [LibraryImport(Name, EntryPoint = "fchmod", SetLastError = true)]
    internal static partial int fchmod(int fd, uint mode);

    [LibraryImport(Name, EntryPoint = "chmod", SetLastError = true)]
    internal static unsafe partial int chmod(byte* pathname, uint mode);
}
