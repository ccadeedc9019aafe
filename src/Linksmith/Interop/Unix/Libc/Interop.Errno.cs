namespace Linksmith.Interop;

internal static partial class Libc
{
    // Linux errno values (asm-generic/errno-base.h, errno.h).
    internal const int EPERM = 1;
    internal const int ENOENT = 2;
    internal const int EINTR = 4;
    internal const int EIO = 5;
    internal const int ENXIO = 6;
    internal const int E2BIG = 7;
    internal const int EBADF = 9;
    internal const int EAGAIN = 11;
    internal const int EACCES = 13;
    internal const int EFAULT = 14;
    internal const int EBUSY = 16;
    internal const int EEXIST = 17;
    internal const int EXDEV = 18;
    internal const int ENOTDIR = 20;
    internal const int EISDIR = 21;
    internal const int EINVAL = 22;
    internal const int EMFILE = 24;
    internal const int ENOSPC = 28;
    internal const int EROFS = 30;
    internal const int EMLINK = 31;
    internal const int ERANGE = 34;
    internal const int ENAMETOOLONG = 36;
    internal const int ENOSYS = 38;
    internal const int ENOTEMPTY = 39;
    internal const int ELOOP = 40;
    internal const int ENODATA = 61;
    internal const int EOPNOTSUPP = 95;
    internal const int EDQUOT = 122;

    [System.Runtime.InteropServices.LibraryImport(Name, EntryPoint = "strerror")]
    private static partial nint strerror(int errnum);

    internal static string StrError(int errno) =>
        System.Runtime.InteropServices.Marshal.PtrToStringUTF8(strerror(errno)) ?? $"errno {errno}";
}
