using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Libc
{
    internal const byte DT_UNKNOWN = 0;
    internal const byte DT_DIR = 4;
    internal const byte DT_REG = 8;
    internal const byte DT_LNK = 10;

    // struct dirent of glibc and musl on 64-bit Linux: d_ino, d_off, d_reclen, d_type, d_name.
    // Only read on Linux; other Unixes walk with System.IO instead.
    internal const int DirentTypeOffset = 18;
    internal const int DirentNameOffset = 19;

    [LibraryImport(Name, EntryPoint = "opendir", SetLastError = true)]
    internal static unsafe partial nint opendir(byte* name);

    [LibraryImport(Name, EntryPoint = "readdir", SetLastError = true)]
    internal static partial nint readdir(nint dirp);

    [LibraryImport(Name, EntryPoint = "closedir", SetLastError = true)]
    internal static partial int closedir(nint dirp);
}
