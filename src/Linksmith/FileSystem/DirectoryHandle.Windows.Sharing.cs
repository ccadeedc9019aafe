using System.Runtime.InteropServices;
using Linksmith.Interop;
using Microsoft.Win32.SafeHandles;

namespace Linksmith;

/// <summary>
/// What <c>dedupe --reflink</c> needs of the layer on Windows (see <see cref="WindowsSharingPair"/>):
/// a file held so that no other process can write to it, where its clusters lie
/// (<c>FSCTL_GET_RETRIEVAL_POINTERS</c>), and its times put back. Written from Microsoft's
/// documentation; Wine's volumes have no block cloning, so only the refusal runs there.
/// </summary>
internal sealed partial class WindowsDirectoryHandle
{
    // 256 runs a call (4 KiB): a file in more pieces asks again from the last one's end.
    private const int RunsPerQuery = 256;

    /// <summary>
    /// Opens the regular file at <paramref name="relativePath"/> (below its parent's HANDLE,
    /// following no link) sharing reading only (<c>FILE_SHARE_READ</c>): the open fails while
    /// another handle may write to the file or delete it, and while this one lasts any such open
    /// fails. It may read the data and set the times; with <paramref name="forWriting"/> also
    /// write the data (<c>FSCTL_DUPLICATE_EXTENTS_TO_FILE</c> needs that of its target). Null, with
    /// <see cref="LeaseRefusal.InUse"/>, when another handle keeps it from being opened so
    /// (STATUS_SHARING_VIOLATION).
    /// </summary>
    /// <exception cref="TargetNotFoundException">Nothing is at the name any more.</exception>
    /// <exception cref="TreeChangedException">A junction or symbolic link stands in a folder on the way.</exception>
    internal SafeFileHandle? OpenForSharing(string relativePath, bool forWriting, out LeaseRefusal refusal)
    {
        var path = FullPath(relativePath);
        var access = Ntdll.FILE_READ_DATA | Kernel32.FILE_READ_ATTRIBUTES | Kernel32.FILE_WRITE_ATTRIBUTES | Ntdll.SYNCHRONIZE | (forWriting ? Ntdll.FILE_WRITE_DATA : 0);
        using var parent = Parent(relativePath, out var leaf);
        var status = TryOpen(parent.Handle, leaf, access, Ntdll.FILE_OPEN, Ntdll.FILE_NON_DIRECTORY_FILE | NoFollow, out var handle, Kernel32.FILE_SHARE_READ);
        if (status == Ntdll.STATUS_ACCESS_DENIED && forWriting)
        {
            handle.Dispose();
            status = OpenReadOnlyForWriting(parent.Handle, leaf, access, path, out handle);
        }

        refusal = LeaseRefusal.None;
        if (status >= 0)
        {
            return handle;
        }

        handle.Dispose();
        if (status == Ntdll.STATUS_SHARING_VIOLATION)
        {
            refusal = LeaseRefusal.InUse;
            return null;
        }

        throw NtError(status, path);
    }

    /// <summary>
    /// Sets the access, modification and change times of the open file to those in
    /// <paramref name="status"/> (FILE_BASIC_INFO; creation time and attributes left as they are).
    /// </summary>
    internal static unsafe void SetTimes(SafeFileHandle handle, in FileStatus status, string path)
    {
        var info = new Kernel32.FILE_BASIC_INFO
        {
            LastAccessTime = WindowsFileInformation.ToFileTime(status.AccessTime),
            LastWriteTime = WindowsFileInformation.ToFileTime(status.ModifiedTime),
            ChangeTime = WindowsFileInformation.ToFileTime(status.ChangeTime),
        };
        if (!Kernel32.SetFileInformationByHandle(handle, Kernel32.FileBasicInfo, &info, (uint)sizeof(Kernel32.FILE_BASIC_INFO)))
        {
            throw WindowsErrors.ToException(Marshal.GetLastPInvokeError(), path);
        }
    }

    /// <summary>
    /// Where the open file's clusters lie: its runs in order, from virtual cluster 0; none for a
    /// file without clusters (ERROR_HANDLE_EOF: empty, or small enough to live in its record);
    /// null where the volume does not tell, or tells something that cannot be right (Wine 10
    /// answers every file with a stub that <see cref="RetrievalPointers.TryRead"/> refuses).
    /// </summary>
    internal static unsafe List<ClusterRun>? QueryRetrievalPointers(SafeFileHandle file)
    {
        var found = new List<ClusterRun>();
        var output = new byte[RetrievalPointers.HeaderSize + (RunsPerQuery * RetrievalPointers.RecordSize)];
        var query = new Kernel32.STARTING_VCN_INPUT_BUFFER { StartingVcn = 0 };
        while (true)
        {
            bool answered;
            uint returned;
            fixed (byte* o = output)
            {
                answered = Kernel32.DeviceIoControl(file, Kernel32.FSCTL_GET_RETRIEVAL_POINTERS, &query, (uint)sizeof(Kernel32.STARTING_VCN_INPUT_BUFFER), o, (uint)output.Length, out returned, IntPtr.Zero);
            }

            var error = answered ? Kernel32.ERROR_SUCCESS : Marshal.GetLastPInvokeError();
            if (error == Kernel32.ERROR_HANDLE_EOF)
            {
                return found;
            }

            if (!answered && error != Kernel32.ERROR_MORE_DATA)
            {
                return null;
            }

            if (!RetrievalPointers.TryRead(output.AsSpan(0, (int)Math.Min(returned, (uint)output.Length)), query.StartingVcn, found))
            {
                return null;
            }

            if (answered)
            {
                return found;
            }

            // ERROR_MORE_DATA: the output was full; ask again from where the last run ends.
            if (RetrievalPointers.NextQuery(found, query.StartingVcn) is not { } next)
            {
                return null;
            }

            query.StartingVcn = next;
        }
    }

    /// <summary>
    /// A file marked read-only cannot be opened to write its data, whoever asks
    /// (STATUS_ACCESS_DENIED). Its attribute is taken off through a handle that opens its
    /// attributes only (which takes no part in sharing, so it keeps no one out), the file is opened
    /// with <paramref name="access"/>, and its attributes and times are put back at once through
    /// the first handle: the attribute is checked when a file is opened, not when it is written.
    /// A file that is not read-only was refused for another reason (its ACL): STATUS_ACCESS_DENIED
    /// as before.
    /// </summary>
    private static unsafe int OpenReadOnlyForWriting(SafeFileHandle parent, string leaf, uint access, string path, out SafeFileHandle handle)
    {
        var status = TryOpen(parent, leaf, Kernel32.FILE_READ_ATTRIBUTES | Kernel32.FILE_WRITE_ATTRIBUTES | Ntdll.SYNCHRONIZE, Ntdll.FILE_OPEN, Ntdll.FILE_NON_DIRECTORY_FILE | NoFollow, out var attributes);
        using (attributes)
        {
            Kernel32.FILE_BASIC_INFO before;
            if (status < 0
                || !Kernel32.GetFileInformationByHandleEx(attributes, Kernel32.FileBasicInfo, &before, (uint)sizeof(Kernel32.FILE_BASIC_INFO))
                || (before.FileAttributes & Kernel32.FILE_ATTRIBUTE_READONLY) == 0)
            {
                handle = new SafeFileHandle();
                return Ntdll.STATUS_ACCESS_DENIED;
            }

            // Zero would mean "unchanged"; a file with no attribute left is FILE_ATTRIBUTE_NORMAL.
            var writable = before.FileAttributes & ~Kernel32.FILE_ATTRIBUTE_READONLY;
            if (!SetAttributes(attributes, writable == 0 ? Kernel32.FILE_ATTRIBUTE_NORMAL : writable))
            {
                handle = new SafeFileHandle();
                return Ntdll.STATUS_ACCESS_DENIED;
            }

            status = TryOpen(parent, leaf, access, Ntdll.FILE_OPEN, Ntdll.FILE_NON_DIRECTORY_FILE | NoFollow, out handle, Kernel32.FILE_SHARE_READ);

            // Read-only again, with the times it had (taking the attribute off moved its change time).
            if (!Kernel32.SetFileInformationByHandle(attributes, Kernel32.FileBasicInfo, &before, (uint)sizeof(Kernel32.FILE_BASIC_INFO)))
            {
                var error = Marshal.GetLastPInvokeError();
                handle.Dispose();
                throw WindowsErrors.ToException(error, path);
            }

            return status;
        }
    }
}
