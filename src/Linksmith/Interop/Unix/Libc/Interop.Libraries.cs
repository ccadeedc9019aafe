namespace Linksmith.Interop;

internal static partial class Libc
{
    // glibc and musl both export these under the plain "libc" name the runtime resolves.
    internal const string Name = "libc";

    internal const int AT_FDCWD = -100;
    internal const int AT_SYMLINK_NOFOLLOW = 0x100;
    internal const int AT_STATX_SYNC_AS_STAT = 0x0000;
}
