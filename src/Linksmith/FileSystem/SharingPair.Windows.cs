using System.Buffers;
using System.Runtime.Versioning;
using Linksmith.Interop;
using Microsoft.Win32.SafeHandles;

namespace Linksmith;

/// <summary>
/// A file held on Windows for <c>dedupe --reflink</c>: opened below its parent's HANDLE sharing
/// reading only (<see cref="WindowsDirectoryHandle.OpenForSharing"/>), so no other process can
/// write to it, delete or rename it while it is held.
/// </summary>
[SupportedOSPlatform("windows")]
internal sealed class WindowsHeldFile : HeldFile
{
    private WindowsHeldFile(SafeFileHandle handle, string path)
        : base(path) => Handle = handle;

    /// <summary>The file's handle, for a call made while it is held.</summary>
    public SafeFileHandle Handle { get; }

    public override bool RestoresChangeTime => true;

    /// <summary>Holds the file at <paramref name="relativePath"/>; null, with <see cref="LeaseRefusal.InUse"/>, where another handle keeps it from being held.</summary>
    public static WindowsHeldFile? TryHold(WindowsDirectoryHandle root, string relativePath, bool forWriting, out LeaseRefusal refusal) =>
        root.OpenForSharing(relativePath, forWriting, out refusal) is { } handle ? new WindowsHeldFile(handle, root.FullPath(relativePath)) : null;

    public override FileStatus Status() => WindowsDirectoryHandle.StatHandle(Handle, Path, followed: false);

    public override void RestoreTimes(in FileStatus before) => WindowsDirectoryHandle.SetTimes(Handle, before, Path);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Handle.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>
/// <see cref="SharingPair"/> on Windows (ReFS, Dev Drive block cloning): the duplicate's clusters
/// are made the survivor's with <c>FSCTL_DUPLICATE_EXTENTS_TO_FILE</c>, one cluster-aligned range
/// of <see cref="BlockCloning.Ranges"/> at a time, each after Linksmith compared its bytes in both
/// files. Unlike Linux's <c>FIDEDUPERANGE</c>, the call compares nothing: the comparison is sound
/// because both files are held (<see cref="WindowsHeldFile"/>) so that no other process can write
/// to either between it and the clone. Shared clusters are found with
/// <c>FSCTL_GET_RETRIEVAL_POINTERS</c>: the same virtual cluster of each file at the same logical
/// cluster of the volume (<see cref="RetrievalPointers"/>, <see cref="SharedExtents"/>).
/// </summary>
/// <remarks>
/// Written from Microsoft's documentation of block cloning and checked on paper only: no ReFS or
/// Dev Drive was at hand, and Wine's volumes report no block cloning, so there only
/// <see cref="Probe"/>'s refusal runs. The call wants the source and the target to have the same
/// integrity-stream setting and, from a sparse source, a sparse target; changing either would
/// change the duplicate's attributes, so such a pair is left alone (<see cref="Obstacle"/>). The
/// last range runs past the end of both files to the next cluster boundary, as the copies' clone
/// does: the target is as long as the source.
/// </remarks>
[SupportedOSPlatform("windows")]
internal sealed class WindowsSharingPair : SharingPair
{
    private const int CompareBufferSize = 1 << 20;

    private readonly SafeFileHandle keeper;
    private readonly SafeFileHandle duplicate;
    private readonly bool ownsHandles;

    /// <summary>The held files as a pair; they stay open when the pair is disposed.</summary>
    public WindowsSharingPair(WindowsHeldFile keeper, WindowsHeldFile duplicate)
        : base(keeper.Path, duplicate.Path)
    {
        this.keeper = keeper.Handle;
        this.duplicate = duplicate.Handle;
    }

    private WindowsSharingPair(SafeFileHandle keeper, string keeperPath, SafeFileHandle duplicate, string duplicatePath)
        : base(keeperPath, duplicatePath)
    {
        this.keeper = keeper;
        this.duplicate = duplicate;
        ownsHandles = true;
    }

    /// <summary>Opens both for reading below their roots (<see cref="WindowsDirectoryHandle.OpenFileForRead"/>), the survivor first, each checked to be a regular file.</summary>
    public static WindowsSharingPair Open(WindowsDirectoryHandle keeperRoot, string keeperRelativePath, WindowsDirectoryHandle duplicateRoot, string duplicateRelativePath)
    {
        var keeper = OpenFile(keeperRoot, keeperRelativePath);
        try
        {
            return new WindowsSharingPair(keeper, keeperRoot.FullPath(keeperRelativePath), OpenFile(duplicateRoot, duplicateRelativePath), duplicateRoot.FullPath(duplicateRelativePath));
        }
        catch
        {
            keeper.Dispose();
            throw;
        }
    }

    /// <summary>Refused unless both files' volume says it can clone blocks (FILE_SUPPORTS_BLOCK_REFCOUNTING) and they are on one volume.</summary>
    public override void Probe()
    {
        if (WindowsDirectoryHandle.VolumeOf(keeper) is not { Clones: true } from
            || WindowsDirectoryHandle.VolumeOf(duplicate) is not { Clones: true } to
            || from.Serial != to.Serial)
        {
            throw NoBlockCloning(DuplicatePath);
        }
    }

    public override string? Obstacle()
    {
        if (WindowsDirectoryHandle.IntegrityOf(keeper) is not { } source || WindowsDirectoryHandle.IntegrityOf(duplicate) is not { } target)
        {
            return "its volume does not tell the integrity-stream setting that block cloning needs";
        }

        if (source.ChecksumAlgorithm != target.ChecksumAlgorithm || source.Flags != target.Flags)
        {
            return $"its integrity-stream setting is not that of {KeeperPath} (block cloning needs them alike, and changing it would change the file)";
        }

        return WindowsDirectoryHandle.IsSparse(keeper) && !WindowsDirectoryHandle.IsSparse(duplicate)
            ? $"{KeeperPath} is a sparse file and it is not (block cloning from a sparse file needs a sparse one)"
            : null;
    }

    public override long NotSharedBytes(long size)
    {
        if (ClusterSize() is not { } clusterSize
            || WindowsDirectoryHandle.QueryRetrievalPointers(duplicate) is not { } mine
            || WindowsDirectoryHandle.QueryRetrievalPointers(keeper) is not { } theirs)
        {
            return size;
        }

        return SharedExtents.NotSharedBytes(RetrievalPointers.Placed(mine, clusterSize, size), RetrievalPointers.Placed(theirs, clusterSize, size));
    }

    public override ShareResult Share(long size)
    {
        var clusterSize = ClusterSize() ?? throw NoBlockCloning(DuplicatePath);
        var pool = ArrayPool<byte>.Shared;
        var mine = pool.Rent(CompareBufferSize);
        var theirs = pool.Rent(CompareBufferSize);
        try
        {
            foreach (var (offset, count) in BlockCloning.Ranges(size, clusterSize))
            {
                if (!SameBytes(offset, BlockCloning.FileBytesIn(offset, count, size), mine, theirs))
                {
                    return ShareResult.Differs;
                }

                var error = WindowsDirectoryHandle.DuplicateExtents(keeper, duplicate, offset, count);
                if (error != Kernel32.ERROR_SUCCESS)
                {
                    throw Refusal(error);
                }
            }

            return ShareResult.Shared;
        }
        finally
        {
            pool.Return(mine);
            pool.Return(theirs);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && ownsHandles)
        {
            duplicate.Dispose();
            keeper.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Where this volume cannot share blocks between files.</summary>
    private static ReflinksNotSupportedException NoBlockCloning(string path) => new(
        path,
        "this volume cannot share data blocks between files (block cloning needs ReFS or a Dev Drive)",
        "dedupe --reflink needs the files on a ReFS volume or a Dev Drive; leave out --reflink to hard-link the duplicates instead");

    private static SafeFileHandle OpenFile(WindowsDirectoryHandle root, string relativePath)
    {
        var handle = root.OpenFileForRead(relativePath, out var opened);
        if (opened.Kind != LinkKind.File)
        {
            handle.Dispose();
            throw new TreeChangedException(root.FullPath(relativePath), "is no longer a regular file");
        }

        return handle;
    }

    /// <summary>The volume's cluster size, as the survivor's integrity information gives it; null where it does not.</summary>
    private long? ClusterSize() =>
        WindowsDirectoryHandle.IntegrityOf(keeper) is { } integrity ? WindowsDirectoryHandle.ClusterSizeOf(integrity) : null;

    /// <summary>Whether <paramref name="length"/> bytes from <paramref name="offset"/> are the same in both files (both read to the end of the range).</summary>
    private bool SameBytes(long offset, long length, byte[] mine, byte[] theirs)
    {
        for (long done = 0; done < length;)
        {
            var chunk = (int)Math.Min(CompareBufferSize, length - done);
            var read = ReadFully(duplicate, mine.AsSpan(0, chunk), offset + done, DuplicatePath);
            if (read != chunk || ReadFully(keeper, theirs.AsSpan(0, chunk), offset + done, KeeperPath) != chunk
                || !mine.AsSpan(0, chunk).SequenceEqual(theirs.AsSpan(0, chunk)))
            {
                return false;
            }

            done += chunk;
        }

        return true;
    }

    /// <summary>Reads into all of <paramref name="buffer"/> from <paramref name="offset"/>; fewer bytes only where the file ends first.</summary>
    private static int ReadFully(SafeFileHandle file, Span<byte> buffer, long offset, string path)
    {
        var total = 0;
        try
        {
            while (total < buffer.Length)
            {
                var read = RandomAccess.Read(file, buffer[total..], offset + total);
                if (read == 0)
                {
                    break;
                }

                total += read;
            }
        }
        catch (IOException error)
        {
            throw SystemErrors.Translate(error, path);
        }

        return total;
    }

    /// <summary>
    /// The refusal of a clone: ERROR_INVALID_FUNCTION and ERROR_NOT_SUPPORTED where the volume
    /// cannot clone, ERROR_NOT_SAME_DEVICE across volumes (never shared); anything else (a block
    /// with too many clones, an access refused) is a failure with the duplicate.
    /// </summary>
    private LinksmithException Refusal(int error) => error switch
    {
        Kernel32.ERROR_INVALID_FUNCTION or Kernel32.ERROR_NOT_SUPPORTED or Kernel32.ERROR_NOT_SAME_DEVICE => NoBlockCloning(DuplicatePath),
        _ => WindowsErrors.ToException(error, DuplicatePath),
    };
}
