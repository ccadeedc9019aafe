using System.Runtime.InteropServices;
using Linksmith.Interop;

namespace Linksmith;

/// <summary>Thin, throwing wrappers over the libc calls, taking .NET strings as native byte paths.</summary>
internal static class UnixFile
{
    private const uint StatxMask = Libc.STATX_BASIC_STATS | Libc.STATX_MNT_ID;

    /// <summary>statx; on failure returns false with errno left for <see cref="Marshal.GetLastPInvokeError"/>.</summary>
    public static unsafe bool TryStatx(string path, int flags, out Libc.Statx result)
    {
        var native = NativePath.ToNullTerminatedBytes(path);
        Libc.Statx buffer;
        int rc;
        fixed (byte* p = native)
        {
            rc = Libc.statx(Libc.AT_FDCWD, p, flags | Libc.AT_STATX_SYNC_AS_STAT, StatxMask, &buffer);
        }

        result = buffer;
        return rc == 0;
    }

    public static unsafe string ReadLink(string path)
    {
        var native = NativePath.ToNullTerminatedBytes(path);
        var size = 256;
        while (true)
        {
            var buffer = new byte[size];
            nint length;
            fixed (byte* p = native, b = buffer)
            {
                length = Libc.readlink(p, b, size);
            }

            if (length < 0)
            {
                throw UnixErrors.ToException(Marshal.GetLastPInvokeError(), path);
            }

            // readlink does not say whether it truncated: a full buffer means try a larger one.
            if (length < size)
            {
                return NativePath.FromBytes(buffer.AsSpan(0, (int)length));
            }

            size *= 4;
        }
    }

    public static unsafe void Unlink(string path)
    {
        var native = NativePath.ToNullTerminatedBytes(path);
        fixed (byte* p = native)
        {
            if (Libc.unlink(p) != 0)
            {
                throw UnixErrors.ToException(Marshal.GetLastPInvokeError(), path);
            }
        }
    }
}
