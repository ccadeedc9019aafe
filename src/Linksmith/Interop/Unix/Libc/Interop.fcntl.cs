using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Libc
{
    // fcntl(2) commands and values for file leases (Linux; asm-generic/fcntl.h, same on x86-64 and arm64).
    internal const int F_SETSIG = 10;
    internal const int F_SETLEASE = 1024;
    internal const int F_RDLCK = 0;
    internal const int F_UNLCK = 2;

    // signal(7): SIGURG's default action is to ignore it (x86-64 and arm64 number it 23).
    internal const int SIGURG = 23;

    // fcntl is variadic; every command used here takes one int, which the Linux x86-64 and arm64
    // calling conventions pass as they pass a fixed int argument.
    [LibraryImport(Name, EntryPoint = "fcntl", SetLastError = true)]
    internal static partial int fcntl(int fd, int cmd, int arg);
}
