using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Libc
{
    // openat2(2), Linux 5.6+. glibc has no wrapper before 2.38 (Debian 12 has 2.36), so it is
    // called through syscall(2); the number is the same on x86-64 and arm64 (it was added after
    // the syscall tables were unified).
    internal const long SYS_openat2 = 437;

    internal const ulong RESOLVE_NO_XDEV = 0x01;
    internal const ulong RESOLVE_NO_MAGICLINKS = 0x02;
    internal const ulong RESOLVE_NO_SYMLINKS = 0x04;
    internal const ulong RESOLVE_BENEATH = 0x08;

    /// <summary>struct open_how from linux/openat2.h.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct OpenHow
    {
        public ulong flags;
        public ulong mode;
        public ulong resolve;
    }

    [LibraryImport(Name, EntryPoint = "syscall", SetLastError = true)]
    private static unsafe partial long syscall_openat2(long number, int dirfd, byte* pathname, OpenHow* how, nuint size);

    internal static unsafe int openat2(int dirfd, byte* pathname, OpenHow* how) =>
        (int)syscall_openat2(SYS_openat2, dirfd, pathname, how, (nuint)sizeof(OpenHow));
}
