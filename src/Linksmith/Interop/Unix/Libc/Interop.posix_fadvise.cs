using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Libc
{
    // posix_fadvise(2): the range will be read soon; Linux starts reading it into the page cache
    // and returns without waiting for it.
    internal const int POSIX_FADV_WILLNEED = 3;

    // Returns the error number itself (0 on success) and leaves errno alone. off_t is 64-bit on
    // every 64-bit Linux ABI .NET runs on.
    [LibraryImport(Name, EntryPoint = "posix_fadvise")]
    internal static partial int posix_fadvise(int fd, long offset, long len, int advice);
}
