using System.Runtime.InteropServices;
using Linksmith.Interop;

namespace Linksmith.Tests;

/// <summary>
/// An attacker for race tests: a thread that swaps two names with <c>renameat2(RENAME_EXCHANGE)</c>
/// in a loop (a real directory and a symlink to a folder outside the tree), as an unprivileged user
/// racing a root job would, until disposed.
/// </summary>
public sealed class Swapper : IDisposable
{
    private const uint RenameExchange = 2;
    private readonly Thread thread;
    private volatile bool stop;

    public Swapper(string a, string b)
    {
        var first = NativePath.ToNullTerminatedBytes(a);
        var second = NativePath.ToNullTerminatedBytes(b);
        thread = new Thread(() =>
        {
            while (!stop)
            {
                if (Exchange(first, second) == 0)
                {
                    Interlocked.Increment(ref swaps);
                }
            }

            // Left as it was found when the count is even.
            if (Volatile.Read(ref swaps) % 2 == 1)
            {
                _ = Exchange(first, second);
            }
        })
        { IsBackground = true };
        thread.Start();
    }

    private long swaps;

    /// <summary>How many swaps were made.</summary>
    public long Swaps => Volatile.Read(ref swaps);

    public void Dispose()
    {
        stop = true;
        thread.Join();
    }

    private static unsafe int Exchange(byte[] a, byte[] b)
    {
        fixed (byte* pa = a, pb = b)
        {
            var result = Libc.renameat2(Libc.AT_FDCWD, pa, Libc.AT_FDCWD, pb, RenameExchange);
            return result == 0 ? 0 : Marshal.GetLastPInvokeError();
        }
    }
}
