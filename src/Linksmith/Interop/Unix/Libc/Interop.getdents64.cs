using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Libc
{
    internal const byte DT_UNKNOWN = 0;
    internal const byte DT_DIR = 4;
    internal const byte DT_REG = 8;
    internal const byte DT_LNK = 10;

    // struct linux_dirent64, the kernel's own record (one layout on every architecture, unlike
    // libc's struct dirent): d_ino (u64), d_off (s64), d_reclen (u16), d_type (u8), d_name
    // (NUL-terminated, the record padded to 8 bytes).
    internal const int DirentInodeOffset = 0;
    internal const int DirentRecordLengthOffset = 16;
    internal const int DirentTypeOffset = 18;
    internal const int DirentNameOffset = 19;

    // getdents64(2). glibc has a wrapper only from 2.30 (RHEL 8 has 2.28), so it is called
    // through syscall(2), as openat2 is, with the architecture's own number (-1, for one not
    // listed, fails with ENOSYS).
    private static long SYS_getdents64 => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 or Architecture.Arm or Architecture.Armv6 => 217,
        Architecture.X86 or Architecture.S390x => 220,
        Architecture.Ppc64le => 202,
        // The generic table (asm-generic/unistd.h).
        Architecture.Arm64 or Architecture.RiscV64 or Architecture.LoongArch64 => 61,
        _ => -1,
    };

    [LibraryImport(Name, EntryPoint = "syscall", SetLastError = true)]
    private static unsafe partial nint syscall_getdents64(long number, int fd, byte* dirp, nuint count);

    /// <summary>Fills <paramref name="dirp"/> with whole records of the open directory <paramref name="fd"/>; 0 at its end, -1 with errno on failure.</summary>
    internal static unsafe nint getdents64(int fd, byte* dirp, nuint count) =>
        syscall_getdents64(SYS_getdents64, fd, dirp, count);
}
