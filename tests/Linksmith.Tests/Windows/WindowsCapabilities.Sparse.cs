using System.Runtime.InteropServices;

namespace Linksmith.Tests.Windows;

/// <summary>
/// Whether this system answers the two calls Linksmith's Windows copy keeps holes with:
/// FSCTL_SET_SPARSE, and FSCTL_QUERY_ALLOCATED_RANGES telling a sparse file's data from its holes;
/// probed with its own P/Invoke (not Linksmith's). Whether the volume really leaves the holes
/// unallocated the tests see for themselves (their sources are made sparse, or they skip).
/// </summary>
internal static partial class WindowsCapabilities
{
    private const uint FSCTL_SET_SPARSE = 0x000900C4;
    private const uint FSCTL_QUERY_ALLOCATED_RANGES = 0x000940CF;
    private const int ProbeSize = 16 << 20;

    private static readonly Lazy<string?> SparseFiles = new(() => InScratchFolder(ProbeSparseFiles));

    /// <summary>
    /// Null if a file can be marked sparse and FSCTL_QUERY_ALLOCATED_RANGES tells its data from
    /// its holes; else why not, naming the call.
    /// </summary>
    public static string? SparseFilesMissing => SparseFiles.Value;

    /// <summary>Marks the file open in <paramref name="stream"/> sparse, before it is extended: an NTFS file not so marked gets clusters for its whole length.</summary>
    public static unsafe void MarkSparse(FileStream stream)
    {
        if (!DeviceIoControl(stream.SafeFileHandle, FSCTL_SET_SPARSE, null, 0, null, 0, out _, 0))
        {
            throw new IOException(SparseFailed("FSCTL_SET_SPARSE", Marshal.GetLastPInvokeError()));
        }
    }

    private static unsafe string? ProbeSparseFiles(string folder)
    {
        using var stream = new FileStream(Path.Join(folder, "sparse.bin"), FileMode.CreateNew, FileAccess.ReadWrite);
        if (!DeviceIoControl(stream.SafeFileHandle, FSCTL_SET_SPARSE, null, 0, null, 0, out _, 0))
        {
            return SparseFailed("FSCTL_SET_SPARSE", Marshal.GetLastPInvokeError());
        }

        stream.SetLength(ProbeSize);
        stream.Write(Enumerable.Repeat((byte)1, 4096).ToArray());
        stream.Flush();
        var query = stackalloc long[] { 0, ProbeSize };
        var answer = stackalloc long[2 * 16];
        if (!DeviceIoControl(stream.SafeFileHandle, FSCTL_QUERY_ALLOCATED_RANGES, (byte*)query, 16, (byte*)answer, 2 * 16 * sizeof(long), out var returned, 0))
        {
            return SparseFailed("FSCTL_QUERY_ALLOCATED_RANGES", Marshal.GetLastPInvokeError());
        }

        return returned == 16 && answer[0] == 0 && answer[1] >= ProbeSize
            ? "DeviceIoControl(FSCTL_QUERY_ALLOCATED_RANGES) reports a 16 MiB sparse file with 4 KiB of data as allocated throughout"
            : null;
    }

    private static string SparseFailed(string code, int error) => error switch
    {
        // Measured under Wine 10 for FSCTL_QUERY_ALLOCATED_RANGES (it takes FSCTL_SET_SPARSE, and keeps no mark).
        ERROR_NOT_SUPPORTED => $"DeviceIoControl({code}) fails with error 50 (ERROR_NOT_SUPPORTED: no such call here, as in Wine 10)",
        _ => $"DeviceIoControl({code}) fails with error {error}",
    };
}
