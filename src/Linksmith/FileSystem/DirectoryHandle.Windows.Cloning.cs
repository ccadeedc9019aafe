using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Linksmith.Interop;
using Microsoft.Win32.SafeHandles;

namespace Linksmith;

/// <summary>
/// Copies that share their source's clusters (block cloning: ReFS and Dev Drive) for
/// <c>--reflink auto</c> and <c>always</c>: the new file takes the source's integrity-stream setting
/// (cloning needs both alike) and sparse flag, then its length, then
/// <c>FSCTL_DUPLICATE_EXTENTS_TO_FILE</c> for each cluster-aligned range of
/// <see cref="BlockCloning.Ranges"/>. Written from Microsoft's documentation and checked only on
/// paper: Wine's volumes report no block cloning, so there (as on NTFS) the flag says no and the
/// bytes are copied. <c>dedupe --reflink</c> shares duplicates' clusters with the same calls (see
/// <see cref="WindowsSharingPair"/>).
/// </summary>
internal sealed partial class WindowsDirectoryHandle
{
    // Once this tree's volume is known to have no block cloning, stop asking.
    private volatile bool cloningUnsupported;

    public override void CheckReflink(DirectoryHandle sourceRoot, string sourceRelativePath)
    {
        using var input = ((WindowsDirectoryHandle)sourceRoot).OpenEntry(
            sourceRelativePath,
            Ntdll.FILE_READ_DATA | Kernel32.FILE_READ_ATTRIBUTES | Ntdll.SYNCHRONIZE,
            Ntdll.FILE_NON_DIRECTORY_FILE);
        if (VolumeOf(input) is not { } from || VolumeOf(root) is not { } to || !from.Clones || !to.Clones || from.Serial != to.Serial)
        {
            throw NoBlockCloning();
        }
    }

    /// <summary>Where a copy cannot share its source's clusters: another volume, or one without block cloning.</summary>
    private ReflinksNotSupportedException NoBlockCloning() => new(
        Path,
        "this volume cannot share data blocks with the source (block cloning needs ReFS or a Dev Drive, with the source on the same volume)",
        "Use --reflink auto (the default) or --reflink never, or a destination on the source's ReFS volume or Dev Drive");

    /// <summary>
    /// The bytes of <paramref name="input"/> into the new, empty <paramref name="output"/>: cloned
    /// where <paramref name="reflink"/> allows and the volume can, else copied, a sparse file's
    /// allocated ranges only (<see cref="ReflinkMode.Always"/>: <see cref="ReflinksNotSupportedException"/> instead).
    /// <paramref name="source"/> is the source as it was when opened: its size, and its allocated
    /// bytes, which tell whether it may have holes.
    /// </summary>
    private long CloneOrCopy(SafeFileHandle input, SafeFileHandle output, in FileStatus source, ReflinkMode reflink, string sourcePath, string destination, IncrementalHash? contentHash)
    {
        var size = source.Size;
        if (reflink != ReflinkMode.Never && TryCloneBlocks(input, output, size))
        {
            FaultPoints.Hit(FaultPoints.CopyData, sourcePath, destination);
            if (contentHash is not null)
            {
                // Nothing passed through this process: the source is read once (the size it had when opened) to hash it.
                CopyContents(input, output: null, size, sourcePath, destination, contentHash, faultPoint: false);
            }

            return size;
        }

        if (reflink == ReflinkMode.Always)
        {
            throw NoBlockCloning();
        }

        // Fewer clusters than bytes: the file may have holes (or is compressed, which costs one
        // query for nothing), as on Linux. A file without holes takes the usual path: no extra call for it.
        return (source.AllocatedBytes < size ? TryCopySparse(input, output, size, sourcePath, destination, contentHash) : null)
            ?? CopyContents(input, output, size, sourcePath, destination, contentHash, faultPoint: true);
    }

    /// <summary>
    /// Clones all of <paramref name="input"/>'s clusters into <paramref name="output"/> (new and
    /// empty); false where this volume or this pair of files cannot, the new file then empty again.
    /// </summary>
    private unsafe bool TryCloneBlocks(SafeFileHandle input, SafeFileHandle output, long size)
    {
        if (cloningUnsupported)
        {
            return false;
        }

        if (VolumeOf(output) is not { Clones: true })
        {
            cloningUnsupported = true;
            return false;
        }

        // The cluster size and integrity setting come from the source; a source on a volume
        // without integrity streams (NTFS, FAT) cannot be cloned from.
        if (IntegrityOf(input) is not { } integrity || ClusterSizeOf(integrity) is not { } clusterSize)
        {
            return false;
        }

        var setting = new Kernel32.FSCTL_SET_INTEGRITY_INFORMATION_BUFFER { ChecksumAlgorithm = integrity.ChecksumAlgorithm, Flags = integrity.Flags };
        if (!Kernel32.DeviceIoControl(output, Kernel32.FSCTL_SET_INTEGRITY_INFORMATION, &setting, (uint)sizeof(Kernel32.FSCTL_SET_INTEGRITY_INFORMATION_BUFFER), null, 0, out _, IntPtr.Zero)
            || (IsSparse(input) && !Kernel32.DeviceIoControl(output, Kernel32.FSCTL_SET_SPARSE, null, 0, null, 0, out _, IntPtr.Zero))
            || !SetLength(output, size))
        {
            SetLength(output, 0);
            return false;
        }

        foreach (var (offset, count) in BlockCloning.Ranges(size, clusterSize))
        {
            if (DuplicateExtents(input, output, offset, count) != Kernel32.ERROR_SUCCESS)
            {
                // Another volume (ERROR_NOT_SAME_DEVICE), a file with too many clones, a
                // refusal of any kind: what was cloned goes, the bytes are copied instead.
                SetLength(output, 0);
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// <c>FSCTL_DUPLICATE_EXTENTS_TO_FILE</c>: <paramref name="count"/> bytes of
    /// <paramref name="target"/> from <paramref name="offset"/> share the clusters of the same
    /// bytes of <paramref name="source"/> (offset and count on cluster boundaries, see
    /// <see cref="BlockCloning.Ranges"/>). The Win32 error, or ERROR_SUCCESS.
    /// </summary>
    internal static unsafe int DuplicateExtents(SafeFileHandle source, SafeFileHandle target, long offset, long count)
    {
        var added = false;
        source.DangerousAddRef(ref added);
        try
        {
            var data = new Kernel32.DUPLICATE_EXTENTS_DATA
            {
                FileHandle = source.DangerousGetHandle(),
                SourceFileOffset = offset,
                TargetFileOffset = offset,
                ByteCount = count,
            };
            return Kernel32.DeviceIoControl(target, Kernel32.FSCTL_DUPLICATE_EXTENTS_TO_FILE, &data, (uint)sizeof(Kernel32.DUPLICATE_EXTENTS_DATA), null, 0, out _, IntPtr.Zero)
                ? Kernel32.ERROR_SUCCESS
                : Marshal.GetLastPInvokeError();
        }
        finally
        {
            if (added)
            {
                source.DangerousRelease();
            }
        }
    }

    /// <summary>The open file's integrity-stream setting and its volume's cluster size (ReFS); null where the volume has no integrity streams (NTFS, FAT).</summary>
    internal static unsafe Kernel32.FSCTL_GET_INTEGRITY_INFORMATION_BUFFER? IntegrityOf(SafeFileHandle file)
    {
        Kernel32.FSCTL_GET_INTEGRITY_INFORMATION_BUFFER integrity;
        return Kernel32.DeviceIoControl(file, Kernel32.FSCTL_GET_INTEGRITY_INFORMATION, null, 0, &integrity, (uint)sizeof(Kernel32.FSCTL_GET_INTEGRITY_INFORMATION_BUFFER), out _, IntPtr.Zero)
            ? integrity
            : null;
    }

    /// <summary>The cluster size an integrity answer gives, where it is one block cloning can work with (a power of two up to 64 KiB).</summary>
    internal static long? ClusterSizeOf(in Kernel32.FSCTL_GET_INTEGRITY_INFORMATION_BUFFER integrity)
    {
        var clusterSize = (long)integrity.ClusterSizeInBytes;
        return clusterSize <= 0 || clusterSize > (64 << 10) || (clusterSize & (clusterSize - 1)) != 0 ? null : clusterSize;
    }

    private static unsafe bool SetLength(SafeFileHandle file, long length)
    {
        var endOfFile = length;
        return Kernel32.SetFileInformationByHandle(file, Kernel32.FileEndOfFileInfo, &endOfFile, sizeof(long));
    }

    internal static unsafe bool IsSparse(SafeFileHandle file)
    {
        Kernel32.FILE_BASIC_INFO basic;
        return Kernel32.GetFileInformationByHandleEx(file, Kernel32.FileBasicInfo, &basic, (uint)sizeof(Kernel32.FILE_BASIC_INFO))
            && (basic.FileAttributes & Kernel32.FILE_ATTRIBUTE_SPARSE_FILE) != 0;
    }

    /// <summary>The volume of the open file: its serial number and whether it can clone blocks; null where Windows does not say.</summary>
    internal static unsafe (uint Serial, bool Clones)? VolumeOf(SafeFileHandle file)
    {
        uint serial, flags;
        return Kernel32.GetVolumeInformationByHandle(file, null, 0, &serial, null, &flags, null, 0)
            ? (serial, (flags & Kernel32.FILE_SUPPORTS_BLOCK_REFCOUNTING) != 0)
            : null;
    }
}
