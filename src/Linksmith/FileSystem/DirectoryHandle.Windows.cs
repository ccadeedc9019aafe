using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using Linksmith.Interop;
using Microsoft.Win32.SafeHandles;

namespace Linksmith;

/// <summary>
/// <see cref="DirectoryHandle"/> on Windows: a directory HANDLE, and every entry opened with
/// <c>NtCreateFile</c> relative to the HANDLE of its parent directory (OBJECT_ATTRIBUTES.RootDirectory,
/// ObjectName one name, never a path) with <c>FILE_OPEN_REPARSE_POINT</c>, so no link is followed.
/// </summary>
/// <remarks>
/// A relative path is walked one folder at a time, each opened with <c>FILE_DIRECTORY_FILE |
/// FILE_OPEN_REPARSE_POINT</c> relative to the one before and checked not to be a reparse point
/// (junction, symbolic link, mount point) before the walk goes on: a link where a folder was is
/// <see cref="TreeChangedException"/>. Operations are made on the opened entry's handle: stat by
/// GetFileInformationByHandle(Ex), delete by <c>FileDispositionInfoEx</c> (POSIX semantics,
/// read-only ignored; <c>FileDispositionInfo</c> where refused), rename and hard links by
/// <c>NtSetInformationFile</c> with the new parent's HANDLE as RootDirectory
/// (<c>FileRenameInformationEx</c>, <c>FileRenameInformation</c> where refused;
/// <c>FileLinkInformation</c>), links by <c>FSCTL_SET_REPARSE_POINT</c> on the entry just
/// created. Only the root handed to <see cref="OpenRoot"/> may be reached through a link (it is
/// followed once). Unlike the Linux handle, parents are not cached: each operation opens the
/// folders on its path again (depth + 1 opens).
/// </remarks>
[SupportedOSPlatform("windows")]
internal sealed partial class WindowsDirectoryHandle : DirectoryHandle
{
    private const uint ShareAll = Kernel32.FILE_SHARE_READ | Kernel32.FILE_SHARE_WRITE | Kernel32.FILE_SHARE_DELETE;

    private const uint DirectoryAccess = Ntdll.FILE_LIST_DIRECTORY | Ntdll.FILE_TRAVERSE | Kernel32.FILE_READ_ATTRIBUTES | Ntdll.SYNCHRONIZE;

    // FILE_OPEN_FOR_BACKUP_INTENT is what CreateFileW's FILE_FLAG_BACKUP_SEMANTICS becomes.
    private const uint NoFollow = Ntdll.FILE_OPEN_REPARSE_POINT | Ntdll.FILE_SYNCHRONOUS_IO_NONALERT | Ntdll.FILE_OPEN_FOR_BACKUP_INTENT;

    private const int DirectoryBufferSize = 64 * 1024;

    private const int CopyBufferSize = 1024 * 1024;

    // Where Wine (wine-staging's reparse points) keeps links' reparse data; see IsWineBookkeeping.
    private const string WineReparsePointFolder = ".REPARSE_POINT";

    // Running on Wine: its ntdll exports wine_get_version, which Windows' does not.
    private static readonly Lazy<bool> Wine = new(() =>
        NativeLibrary.TryLoad("ntdll.dll", out var ntdll) && NativeLibrary.TryGetExport(ntdll, "wine_get_version", out _));

    private readonly SafeFileHandle root;

    private WindowsDirectoryHandle(string path, SafeFileHandle root)
        : base(path) => this.root = root;

    public override bool IsRaceFree => true;

    /// <summary>Why the last delete fell back from FileDispositionInfoEx to FileDispositionInfo; null while it never did.</summary>
    internal static string? DeleteFallback { get; private set; }

    /// <summary>Why the last rename fell back from FileRenameInformationEx to FileRenameInformation; null while it never did.</summary>
    internal static string? RenameFallback { get; private set; }

    /// <summary>Opens an explicit root argument (a link there is followed once).</summary>
    public static WindowsDirectoryHandle OpenRoot(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        // No FILE_FLAG_OPEN_REPARSE_POINT: the root argument is followed once, as find -H does.
        var handle = Kernel32.CreateFile(full, DirectoryAccess, 0);
        if (handle.IsInvalid)
        {
            var error = Marshal.GetLastPInvokeError();
            handle.Dispose();
            throw WindowsErrors.IsPathUnreachable(error) ? new TargetNotFoundException(path) : WindowsErrors.ToException(error, path);
        }

        try
        {
            var status = StatHandle(handle, path, followed: true);
            if (status.Kind != LinkKind.Directory)
            {
                throw new NotADirectoryException(path, status.Kind, hint: string.Empty);
            }
        }
        catch
        {
            handle.Dispose();
            throw;
        }

        return new WindowsDirectoryHandle(full, handle);
    }

    public override DirectoryHandle OpenDirectory(string relativePath) =>
        new WindowsDirectoryHandle(FullPath(relativePath), OpenDirectoryHandle(relativePath));

    public override FileStatus? Stat(string relativePath)
    {
        if (Components(relativePath).Length == 0)
        {
            return StatHandle(root, Path, followed: true);
        }

        ParentLease parent;
        string leaf;
        try
        {
            parent = Parent(relativePath, out leaf);
        }
        catch (TargetNotFoundException)
        {
            return null;
        }

        using (parent)
        {
            var status = TryOpen(parent.Handle, leaf, Kernel32.FILE_READ_ATTRIBUTES | Ntdll.SYNCHRONIZE, Ntdll.FILE_OPEN, NoFollow, out var handle);
            using (handle)
            {
                if (status is Ntdll.STATUS_OBJECT_NAME_NOT_FOUND or Ntdll.STATUS_OBJECT_PATH_NOT_FOUND)
                {
                    return null;
                }

                return status < 0 ? throw NtError(status, FullPath(relativePath)) : StatHandle(handle, FullPath(relativePath), followed: false);
            }
        }
    }

    public override List<string> ListNames(string relativePath)
    {
        using var directory = OpenDirectoryHandle(relativePath);
        return ReadNames(directory, FullPath(relativePath));
    }

    public override void CreateDirectory(string relativePath)
    {
        using var parent = Parent(relativePath, out var leaf);
        var status = TryOpen(parent.Handle, leaf, Ntdll.FILE_LIST_DIRECTORY | Ntdll.SYNCHRONIZE, Ntdll.FILE_CREATE, Ntdll.FILE_DIRECTORY_FILE | NoFollow, out var handle);
        handle.Dispose();
        if (status >= 0)
        {
            return;
        }

        var existing = status == Ntdll.STATUS_OBJECT_NAME_COLLISION ? Stat(relativePath) : null;
        if (existing is { Kind: LinkKind.Directory })
        {
            return;
        }

        throw NtError(status, FullPath(relativePath), existingKind: existing?.Kind ?? LinkKind.File);
    }

    public override void Symlink(string relativePath, string targetText, bool targetIsDirectory) =>
        CreateReparsePoint(relativePath, ReparseBuffer.ForSymbolicLink(targetText), targetIsDirectory, isJunction: false);

    /// <summary>Creates a junction (mount point) to the full path <paramref name="targetDirectory"/>, as mklink /J does.</summary>
    public void Junction(string relativePath, string targetDirectory)
    {
        if (WindowsPath.ToNtPath(targetDirectory).StartsWith(WindowsPath.UncNtPrefix, StringComparison.OrdinalIgnoreCase))
        {
            // The system follows a mount point only to a local volume.
            throw new LinksNotSupportedException(FullPath(relativePath), "junctions to network folders (a junction points into a local volume); make a symbolic link instead");
        }

        CreateReparsePoint(relativePath, ReparseBuffer.ForJunction(targetDirectory), directory: true, isJunction: true);
    }

    public override void HardLink(string relativePath, DirectoryHandle existingRoot, string existingRelativePath)
    {
        var existing = (WindowsDirectoryHandle)existingRoot;
        var existingPath = existingRoot.FullPath(existingRelativePath);
        var path = FullPath(relativePath);
        // CreateHardLinkW opens the existing file with these rights too.
        using var file = existing.OpenEntry(existingRelativePath, Kernel32.FILE_READ_ATTRIBUTES | Kernel32.FILE_WRITE_ATTRIBUTES | Ntdll.SYNCHRONIZE, Ntdll.FILE_NON_DIRECTORY_FILE);
        using var parent = Parent(relativePath, out var leaf);
        var status = SetInformation(file, WindowsFileInformation.Link(replaceIfExists: false, parent.Handle.DangerousGetHandle(), leaf), Ntdll.FileLinkInformation);
        if (status >= 0)
        {
            return;
        }

        var error = Ntdll.RtlNtStatusToDosError(status);
        var existingKind = status == Ntdll.STATUS_OBJECT_NAME_COLLISION ? Stat(relativePath)?.Kind ?? LinkKind.File : LinkKind.File;
        var linkCount = error == Kernel32.ERROR_TOO_MANY_LINKS ? StatHandle(file, existingPath, followed: false).LinkCount : 0;
        throw WindowsErrors.FromNtStatus(status, error, path, existingPath, existingKind, linkCount);
    }

    public override unsafe string ReadLink(string relativePath)
    {
        var path = FullPath(relativePath);
        using var handle = OpenEntry(relativePath, Kernel32.FILE_READ_ATTRIBUTES | Ntdll.SYNCHRONIZE, 0);
        var buffer = new byte[ReparseBuffer.MAXIMUM_REPARSE_DATA_BUFFER_SIZE];
        uint returned;
        fixed (byte* b = buffer)
        {
            if (!Kernel32.DeviceIoControl(handle, Kernel32.FSCTL_GET_REPARSE_POINT, null, 0, b, (uint)buffer.Length, out returned, IntPtr.Zero))
            {
                var error = Marshal.GetLastPInvokeError();
                throw error == Kernel32.ERROR_NOT_A_REPARSE_POINT
                    ? new TreeChangedException(path, "is no longer a symbolic link or junction")
                    : WindowsErrors.ToException(error, path);
            }
        }

        if (!ReparseBuffer.TryDecode(buffer.AsSpan(0, (int)returned), out var data))
        {
            throw WindowsErrors.ToException(Kernel32.ERROR_INVALID_REPARSE_DATA, path);
        }

        return data.LinkTarget ?? throw new LinkSystemException(
            path,
            $"is a reparse point of another kind (tag 0x{data.Tag:X8}), not a symbolic link or junction",
            Kernel32.ERROR_NOT_A_REPARSE_POINT);
    }

    public override void Rename(string fromRelativePath, string toRelativePath, bool replace) =>
        RenameTo(fromRelativePath, this, toRelativePath, replace);

    public override void RenameTo(string fromRelativePath, DirectoryHandle toRoot, string toRelativePath, bool replace)
    {
        var target = (WindowsDirectoryHandle)toRoot;
        using var source = OpenEntry(fromRelativePath, Kernel32.DELETE | Kernel32.FILE_READ_ATTRIBUTES | Ntdll.SYNCHRONIZE, 0);
        using var toParent = target.Parent(toRelativePath, out var toLeaf);
        var rootDirectory = toParent.Handle.DangerousGetHandle();

        // POSIX semantics: a replaced file that is still open elsewhere loses its name at once.
        // FILE_RENAME_IGNORE_READONLY_ATTRIBUTE (Windows 10 1809) lets a read-only file be replaced, as on Linux.
        var flags = Ntdll.FILE_RENAME_POSIX_SEMANTICS | (replace ? Ntdll.FILE_RENAME_REPLACE_IF_EXISTS | Ntdll.FILE_RENAME_IGNORE_READONLY_ATTRIBUTE : 0);
        var status = SetInformation(source, WindowsFileInformation.Rename(flags, rootDirectory, toLeaf), Ntdll.FileRenameInformationEx);
        if (IsRefused(status))
        {
            // Before Windows 10 1709, on file systems other than NTFS, and on Wine: the plain class,
            // whose first byte is the BOOLEAN ReplaceIfExists.
            RenameFallback = $"FileRenameInformationEx refused with NTSTATUS 0x{status:X8}; FileRenameInformation used";
            status = SetInformation(source, WindowsFileInformation.Rename(replace ? 1u : 0u, rootDirectory, toLeaf), Ntdll.FileRenameInformation);
        }

        if (status == Ntdll.STATUS_ACCESS_DENIED && replace && target.RemoveForDirectoryRename(source, toRelativePath))
        {
            status = SetInformation(source, WindowsFileInformation.Rename(Ntdll.FILE_RENAME_POSIX_SEMANTICS, rootDirectory, toLeaf), Ntdll.FileRenameInformationEx);
            if (IsRefused(status))
            {
                status = SetInformation(source, WindowsFileInformation.Rename(0u, rootDirectory, toLeaf), Ntdll.FileRenameInformation);
            }
        }

        if (status < 0)
        {
            var existingKind = status == Ntdll.STATUS_OBJECT_NAME_COLLISION ? target.Stat(toRelativePath)?.Kind ?? LinkKind.File : LinkKind.File;
            throw NtError(status, target.FullPath(toRelativePath), existingKind: existingKind);
        }
    }

    /// <summary>
    /// After a replacing rename was refused with access denied: where the incoming entry or the
    /// one at the new name is a directory to the system (a junction, a directory symbolic link, an
    /// empty folder), which NTFS will not rename over nor rename a directory onto (as
    /// MoveFileExW's MOVEFILE_REPLACE_EXISTING documents), the old entry is removed first, so the
    /// rename can go ahead without replacing: the one replacement that is not atomic, as with
    /// the by-path layer. A folder with contents is not removed (the removal fails and is
    /// reported). False, removing nothing, when neither is a directory (the refusal stands).
    /// </summary>
    private bool RemoveForDirectoryRename(SafeFileHandle incoming, string relativePath)
    {
        if (!Kernel32.GetFileInformationByHandle(incoming, out var incomingInfo))
        {
            return false;
        }

        var old = Stat(relativePath);
        if (old is not { } existing)
        {
            return false;
        }

        var oldIsDirectory = existing.Kind is LinkKind.Directory or LinkKind.Junction || IsDirectoryLink(relativePath, existing.Kind);
        if (!oldIsDirectory && (incomingInfo.dwFileAttributes & Kernel32.FILE_ATTRIBUTE_DIRECTORY) == 0)
        {
            return false;
        }

        Remove(relativePath, existing.Kind);
        return true;
    }

    /// <summary>Whether the entry, a symbolic link, is a directory symbolic link (FILE_ATTRIBUTE_DIRECTORY on the link itself).</summary>
    private bool IsDirectoryLink(string relativePath, LinkKind kind)
    {
        if (kind != LinkKind.SymbolicLink)
        {
            return false;
        }

        using var handle = OpenEntry(relativePath, Kernel32.FILE_READ_ATTRIBUTES | Ntdll.SYNCHRONIZE, 0);
        return Kernel32.GetFileInformationByHandle(handle, out var info) && (info.dwFileAttributes & Kernel32.FILE_ATTRIBUTE_DIRECTORY) != 0;
    }

    public override void Remove(string relativePath, LinkKind kind)
    {
        var path = FullPath(relativePath);
        using var handle = OpenEntry(
            relativePath,
            Kernel32.DELETE | Kernel32.FILE_READ_ATTRIBUTES | Kernel32.FILE_WRITE_ATTRIBUTES | Ntdll.SYNCHRONIZE,
            kind == LinkKind.Directory ? Ntdll.FILE_DIRECTORY_FILE : 0);
        var status = StatHandle(handle, path, followed: false);
        if (status.Kind != kind)
        {
            // A junction opens as a directory too: the kind, which reads the reparse tag, tells them apart.
            throw new TreeChangedException(path, $"is no longer a {kind.Describe()} (it is a {status.Kind.Describe()})");
        }

        Delete(handle, path, status);
    }

    public override void SetMetadata(string relativePath, in FileStatus status)
    {
        var path = FullPath(relativePath);
        using var handle = OpenEntry(
            relativePath,
            Kernel32.FILE_READ_ATTRIBUTES | Kernel32.FILE_WRITE_ATTRIBUTES | Ntdll.SYNCHRONIZE,
            status.Kind == LinkKind.Directory ? Ntdll.FILE_DIRECTORY_FILE : 0);
        var opened = StatHandle(handle, path, followed: false);
        if (opened.Kind != status.Kind)
        {
            throw new TreeChangedException(path, $"is no longer a {status.Kind.Describe()}");
        }

        ApplyMetadata(handle, status, path);
    }

    public override long CopyFile(string relativePath, DirectoryHandle sourceRoot, string sourceRelativePath, in FileStatus listed, bool replace = false, bool keepChanged = false, ReflinkMode reflink = ReflinkMode.Auto, AttributeCopy? attributes = null, IncrementalHash? contentHash = null)
    {
        var sourcePath = sourceRoot.FullPath(sourceRelativePath);
        using var input = ((WindowsDirectoryHandle)sourceRoot).OpenEntry(
            sourceRelativePath,
            Ntdll.FILE_READ_DATA | Kernel32.FILE_READ_ATTRIBUTES | Ntdll.SYNCHRONIZE | (attributes is null ? 0 : AttributeReadAccess),
            Ntdll.FILE_NON_DIRECTORY_FILE | Ntdll.FILE_SEQUENTIAL_ONLY);
        // Times and the read-only attribute come from the file that was opened, never from the earlier listing.
        var source = StatHandle(input, sourcePath, followed: false);
        CheckSource(source, listed, sourcePath);

        // The same rules as on Linux: written under a temporary name, the source looked at again
        // through its handle afterwards (a change means a second try, then a report), renamed into
        // place (without replace: only if the name is still free). Sparse files stay sparse: a
        // block clone (ReFS, Dev Drive) keeps their holes, the byte copy copies their allocated
        // ranges only (DirectoryHandle.Windows.Sparse.cs).
        var temporary = TemporaryName(relativePath);
        for (var attempt = 1; ; attempt++)
        {
            var keep = attempt > 1 && keepChanged;
            FileStatus after;
            long copied;
            using (var parent = Parent(temporary, out var leaf))
            {
                var status = TryOpen(
                    parent.Handle,
                    leaf,
                    // FILE_READ_DATA: block cloning's FSCTL_SET_INTEGRITY_INFORMATION wants it with the write.
                    Kernel32.GENERIC_WRITE | Ntdll.FILE_READ_DATA | Kernel32.DELETE | Kernel32.FILE_READ_ATTRIBUTES | Ntdll.SYNCHRONIZE | (attributes is null ? 0 : AttributeWriteAccess),
                    Ntdll.FILE_CREATE,
                    Ntdll.FILE_NON_DIRECTORY_FILE | Ntdll.FILE_SEQUENTIAL_ONLY | NoFollow,
                    out var output);
                using (output)
                {
                    if (status < 0)
                    {
                        throw NtError(status, FullPath(relativePath));
                    }

                    try
                    {
                        if (attempt > 1)
                        {
                            contentHash?.GetHashAndReset();
                        }

                        copied = CloneOrCopy(input, output, source, reflink, sourcePath, FullPath(relativePath), contentHash);
                        after = StatHandle(input, sourcePath, followed: false);
                        var changed = HasChanged(source, after);
                        if (changed && !keep)
                        {
                            // Gone when its handle closes.
                            _ = MarkForDeletion(output);
                        }
                        else
                        {
                            if (attributes is not null)
                            {
                                // Streams and descriptor before the times: writing a stream
                                // changes the file's modification time.
                                CarryAttributes(input, sourcePath, output, FullPath(relativePath), attributes.OnNotStored);
                            }

                            // A kept torn copy (a backup) keeps its own modification time, so the
                            // next backup's "same size and time" check copies the file again.
                            ApplyMetadata(output, changed ? after with { ModifiedTime = CopyTime(output, FullPath(temporary), after.ModifiedTime) } : source, FullPath(temporary));
                        }
                    }
                    catch
                    {
                        // Never leave a partial file behind: it goes when its handle closes.
                        _ = MarkForDeletion(output);
                        throw;
                    }
                }
            }

            if (!HasChanged(source, after))
            {
                PlaceCopy(temporary, relativePath, replace);
                return copied;
            }

            var detail = DescribeChange(source, after);
            if (attempt == 1)
            {
                source = after;
                continue;
            }

            if (!keep)
            {
                throw new ChangedWhileCopyingException(sourcePath, detail, kept: false);
            }

            PlaceCopy(temporary, relativePath, replace);
            throw new ChangedWhileCopyingException(sourcePath, detail, kept: true);
        }
    }

    /// <summary>The modification time of the new file open at <paramref name="output"/>, made different from <paramref name="sourceTime"/> (100 ns earlier if equal).</summary>
    private static FileTime CopyTime(SafeFileHandle output, string path, FileTime sourceTime)
    {
        var own = StatHandle(output, path, followed: false).ModifiedTime;
        if (own != sourceTime)
        {
            return own;
        }

        return own.Nanoseconds >= 100 ? own with { Nanoseconds = own.Nanoseconds - 100 } : new FileTime(own.Seconds - 1, 999_999_900);
    }

    /// <summary>Renames a finished copy to its real name (with <paramref name="replace"/> over what is there, else only if the name is still free); the temporary name goes if that fails.</summary>
    private void PlaceCopy(string temporary, string relativePath, bool replace)
    {
        try
        {
            Rename(temporary, relativePath, replace);
        }
        catch
        {
            try
            {
                Remove(temporary, LinkKind.File);
            }
            catch (LinksmithException)
            {
                // Already reported: the rename's failure.
            }

            throw;
        }
    }

    public override IDisposable? TryLock(string name) => TryLock(name, LockOpening.OpenOrCreate);

    /// <remarks>
    /// Each opening is <c>NtCreateFile</c> relative to the parent's HANDLE with
    /// <c>FILE_OPEN_REPARSE_POINT</c>: <see cref="LockOpening.CreateNew"/> is <c>FILE_CREATE</c>,
    /// <see cref="LockOpening.OpenExisting"/> <c>FILE_OPEN</c>, and
    /// <see cref="LockOpening.OpenOrCreate"/> <c>FILE_OPEN</c>, then <c>FILE_CREATE</c> when nothing
    /// is there (<c>FILE_OPEN</c> again if another process made it in between). Not
    /// <c>FILE_OPEN_IF</c>: on Windows it would open a link at the name as itself too, but the Wine
    /// CI runs (wine-staging's reparse points) honours <c>FILE_OPEN_REPARSE_POINT</c> only without
    /// <c>O_CREAT</c> (server/fd.c, open_fd), so <c>FILE_OPEN_IF</c> there follows the link and
    /// creates or locks the file it points to. The lock is the share mode: the file is opened with
    /// no sharing, so another open of it fails with a sharing violation (null) until the handle
    /// closes; the holder cannot delete it either (the move journal deletes it after closing).
    /// </remarks>
    public override IDisposable? TryLock(string name, LockOpening opening)
    {
        var path = FullPath(name);
        var disposition = opening == LockOpening.CreateNew ? Ntdll.FILE_CREATE : Ntdll.FILE_OPEN;
        int status;
        SafeFileHandle handle;
        using (var parent = Parent(name, out var leaf))
        {
            for (var attempt = 0; ; attempt++)
            {
                // FILE_OPEN_REPARSE_POINT: a link at the lock's name is opened as itself and refused
                // below, never followed; FILE_CREATE refuses any entry at the name, a link included.
                status = TryOpen(
                    parent.Handle,
                    leaf,
                    Ntdll.GENERIC_READ | Kernel32.GENERIC_WRITE | Ntdll.SYNCHRONIZE,
                    disposition,
                    Ntdll.FILE_NON_DIRECTORY_FILE | NoFollow,
                    out handle,
                    share: 0);
                if (opening != LockOpening.OpenOrCreate || attempt == 2)
                {
                    break;
                }

                if (disposition == Ntdll.FILE_OPEN && status == Ntdll.STATUS_OBJECT_NAME_NOT_FOUND)
                {
                    disposition = Ntdll.FILE_CREATE;
                }
                else if (disposition == Ntdll.FILE_CREATE && status == Ntdll.STATUS_OBJECT_NAME_COLLISION)
                {
                    disposition = Ntdll.FILE_OPEN;
                }
                else
                {
                    break;
                }

                handle.Dispose();
            }
        }

        if (status < 0)
        {
            handle.Dispose();
            if (status == Ntdll.STATUS_SHARING_VIOLATION)
            {
                return null;
            }

            throw status switch
            {
                // A folder, a junction or a directory symbolic link (FILE_NON_DIRECTORY_FILE refuses them all).
                Ntdll.STATUS_FILE_IS_A_DIRECTORY => NotALockFile(path, Stat(name)?.Kind ?? LinkKind.Directory),
                Ntdll.STATUS_OBJECT_NAME_COLLISION when Stat(name) is { } taken =>
                    taken.Kind == LinkKind.File ? new LinkNameExistsException(path, LinkKind.File) : NotALockFile(path, taken.Kind),
                Ntdll.STATUS_OBJECT_NAME_NOT_FOUND when opening == LockOpening.OpenExisting => new TargetNotFoundException(path),
                _ => NtError(status, path),
            };
        }

        var opened = StatHandle(handle, path, followed: false);
        if (opened.Kind != LinkKind.File)
        {
            handle.Dispose();
            throw NotALockFile(path, opened.Kind);
        }

        return handle;
    }

    /// <remarks>
    /// <c>NtCreateFile(FILE_CREATE)</c> relative to the parent's HANDLE with
    /// <c>FILE_OPEN_REPARSE_POINT</c>: any entry at the name, a symbolic link or junction (dangling
    /// or not) included, is a name collision, and nothing is created where a link points. Windows
    /// has no mode bits; the file inherits the folder's ACL.
    /// </remarks>
    public override void CreateFile(string relativePath)
    {
        var path = FullPath(relativePath);
        int status;
        SafeFileHandle handle;
        using (var parent = Parent(relativePath, out var leaf))
        {
            status = TryOpen(parent.Handle, leaf, Kernel32.GENERIC_WRITE | Ntdll.SYNCHRONIZE, Ntdll.FILE_CREATE, Ntdll.FILE_NON_DIRECTORY_FILE | NoFollow, out handle);
        }

        handle.Dispose();
        if (status < 0)
        {
            throw status == Ntdll.STATUS_OBJECT_NAME_COLLISION
                ? new LinkNameExistsException(path, Stat(relativePath)?.Kind ?? LinkKind.File)
                : NtError(status, path);
        }
    }

    public override DeleteTally DeleteTree(string relativePath, DeleteOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var onError = options.OnError ?? (static error => throw error);
        var tally = default(DeleteTally);
        ParentLease parent;
        string leaf;
        try
        {
            parent = Parent(relativePath, out leaf);
        }
        catch (TargetNotFoundException)
        {
            return tally;
        }
        catch (LinksmithException error)
        {
            onError(error);
            return tally;
        }

        using (parent)
        {
            DeleteEntry(parent.Handle, leaf, FullPath(relativePath), options, onError, ref tally);
        }

        return tally;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            root.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>
    /// Opens the entry at <paramref name="relativePath"/> for reading, relative to its parent's
    /// HANDLE with <c>FILE_OPEN_REPARSE_POINT</c> (a link is opened as itself, never followed);
    /// <paramref name="opened"/> is the status of what was opened, for the caller to check.
    /// </summary>
    internal SafeFileHandle OpenFileForRead(string relativePath, out FileStatus opened)
    {
        var handle = OpenEntry(
            relativePath,
            Ntdll.FILE_READ_DATA | Kernel32.FILE_READ_ATTRIBUTES | Ntdll.SYNCHRONIZE,
            Ntdll.FILE_NON_DIRECTORY_FILE | Ntdll.FILE_SEQUENTIAL_ONLY);
        try
        {
            opened = StatHandle(handle, FullPath(relativePath), followed: false);
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>The status of an open entry (the entry itself when it was opened with FILE_OPEN_REPARSE_POINT).</summary>
    internal static unsafe FileStatus StatHandle(SafeFileHandle handle, string path, bool followed)
    {
        if (!Kernel32.GetFileInformationByHandle(handle, out var info))
        {
            throw WindowsErrors.ToException(Marshal.GetLastPInvokeError(), path);
        }

        var attributes = info.dwFileAttributes;
        var kind = WindowsLinkPlatform.KindOf(attributes, followed ? 0 : WindowsLinkPlatform.ReparseTag(handle, attributes));
        if (followed && kind == LinkKind.ReparsePoint)
        {
            // The system followed every link; a reparse point left at the end is data in another
            // form (deduplicated, cloud placeholder), a file or directory to the user.
            kind = (attributes & Kernel32.FILE_ATTRIBUTE_DIRECTORY) != 0 ? LinkKind.Directory : LinkKind.File;
        }

        var size = ((long)info.nFileSizeHigh << 32) | info.nFileSizeLow;
        Kernel32.FILE_BASIC_INFO basic;
        var changeTime = Kernel32.GetFileInformationByHandleEx(handle, Kernel32.FileBasicInfo, &basic, (uint)sizeof(Kernel32.FILE_BASIC_INFO))
            ? basic.ChangeTime
            : ToLong(info.ftLastWriteTime);
        Kernel32.FILE_STANDARD_INFO standard;
        var allocated = Kernel32.GetFileInformationByHandleEx(handle, Kernel32.FileStandardInfo, &standard, (uint)sizeof(Kernel32.FILE_STANDARD_INFO))
            ? standard.AllocationSize
            : size;
        var fileId = WindowsLinkPlatform.TryGetFileId(handle) ?? (((UInt128)info.nFileIndexHigh << 32) | info.nFileIndexLow);
        return new FileStatus
        {
            Kind = kind,
            Mode = kind == LinkKind.File && (attributes & Kernel32.FILE_ATTRIBUTE_READONLY) != 0 ? 1u : 0u,
            Size = size,
            AllocatedBytes = allocated,
            IsSparse = (attributes & Kernel32.FILE_ATTRIBUTE_SPARSE_FILE) != 0,
            IsCompressed = (attributes & Kernel32.FILE_ATTRIBUTE_COMPRESSED) != 0,
            LinkCount = info.nNumberOfLinks,
            Identity = new FileIdentity(info.dwVolumeSerialNumber, fileId),
            ModifiedTime = WindowsFileInformation.FromFileTime(ToLong(info.ftLastWriteTime)),
            AccessTime = WindowsFileInformation.FromFileTime(ToLong(info.ftLastAccessTime)),
            ChangeTime = WindowsFileInformation.FromFileTime(changeTime),
            IsComplete = true,
        };
    }

    private static ReplaceRefusedException NotALockFile(string path, LinkKind kind) =>
        new(path, $"is a {kind.Describe()} where a lock file belongs; remove it");

    private static long ToLong(Kernel32.FILETIME time) => ((long)time.dwHighDateTime << 32) | time.dwLowDateTime;

    /// <summary>
    /// Whether <paramref name="name"/> is Wine's own entry rather than the user's: Wine (wine-staging's
    /// reparse points) keeps each link's reparse data on the Linux side in a folder named
    /// <c>.REPARSE_POINT</c> beside the link and lists it. Its innermost entries cannot even be
    /// opened (error 87) and NTFS has no such entry, so no walk, copy or delete may see it. On
    /// Windows a folder of that name is the user's like any other.
    /// </summary>
    internal static bool IsWineBookkeeping(string name) => name == WineReparsePointFolder && Wine.Value;

    /// <summary>The names in an open directory, read with NtQueryDirectoryFile from its start.</summary>
    private static unsafe List<string> ReadNames(SafeFileHandle directory, string path)
    {
        var buffer = new byte[DirectoryBufferSize];
        var names = new List<string>();
        var restart = true;
        while (true)
        {
            int status;
            Ntdll.IO_STATUS_BLOCK io;
            fixed (byte* b = buffer)
            {
                status = Ntdll.NtQueryDirectoryFile(directory, 0, 0, 0, &io, b, (uint)buffer.Length, Ntdll.FileFullDirectoryInformation, 0, null, restart ? (byte)1 : (byte)0);
            }

            restart = false;
            // STATUS_NO_SUCH_FILE: a first call that found nothing at all (a volume root lists no . and ..).
            if (status is Ntdll.STATUS_NO_MORE_FILES or Ntdll.STATUS_NO_SUCH_FILE)
            {
                return names;
            }

            if (status < 0)
            {
                throw NtError(status, path);
            }

            if (io.Information == 0)
            {
                return names;
            }

            if (!WindowsFileInformation.TryReadDirectoryNames(buffer.AsSpan(0, (int)Math.Min(io.Information, (nuint)buffer.Length)), names))
            {
                throw new LinkSystemException(path, "the system returned a malformed directory listing", Kernel32.ERROR_INVALID_PARAMETER);
            }

            names.RemoveAll(IsWineBookkeeping);
        }
    }

    /// <summary>Sets times and (for a file) the read-only attribute through an open handle; a zero field is left as it is.</summary>
    private static unsafe void ApplyMetadata(SafeFileHandle handle, in FileStatus status, string path)
    {
        Kernel32.FILE_BASIC_INFO current;
        if (!Kernel32.GetFileInformationByHandleEx(handle, Kernel32.FileBasicInfo, &current, (uint)sizeof(Kernel32.FILE_BASIC_INFO)))
        {
            throw WindowsErrors.ToException(Marshal.GetLastPInvokeError(), path);
        }

        var attributes = 0u;
        if (status.Kind == LinkKind.File)
        {
            attributes = status.Mode == 1 ? current.FileAttributes | Kernel32.FILE_ATTRIBUTE_READONLY : current.FileAttributes & ~Kernel32.FILE_ATTRIBUTE_READONLY;
            // Zero would mean "unchanged"; a file with no attribute at all is FILE_ATTRIBUTE_NORMAL.
            attributes = attributes == 0 ? Kernel32.FILE_ATTRIBUTE_NORMAL : attributes;
        }

        var info = new Kernel32.FILE_BASIC_INFO
        {
            LastWriteTime = WindowsFileInformation.ToFileTime(status.ModifiedTime),
            LastAccessTime = WindowsFileInformation.ToFileTime(status.AccessTime),
            FileAttributes = attributes,
        };
        if (!Kernel32.SetFileInformationByHandle(handle, Kernel32.FileBasicInfo, &info, (uint)sizeof(Kernel32.FILE_BASIC_INFO)))
        {
            var error = Marshal.GetLastPInvokeError();
            // Wine (wine-staging's reparse points) opens a link itself as a Unix O_PATH descriptor,
            // whose times it cannot set (ERROR_INVALID_HANDLE); a link's times are the one thing a
            // copy of it then lacks. Windows sets them, and any other failure is an error.
            if (error == Kernel32.ERROR_INVALID_HANDLE && status.Kind is LinkKind.SymbolicLink or LinkKind.Junction && Wine.Value)
            {
                return;
            }

            throw WindowsErrors.ToException(error, path);
        }
    }

    /// <summary>
    /// Copies up to <paramref name="size"/> bytes from the start of <paramref name="input"/> to the
    /// empty <paramref name="output"/> and returns the bytes copied; with <paramref name="faultPoint"/>
    /// (a file's contents, not its named streams) reaches <see cref="FaultPoints.CopyData"/> after
    /// each chunk written. The size is the one the source had when it was opened, as on Linux: a
    /// file another program keeps appending to would otherwise be read for as long as it grows, and
    /// the bytes past that size taken as unchanged; a file that grew or shrank meanwhile is caught
    /// by the look at the source after the copy. <see cref="long.MaxValue"/>: to the end (a named stream).
    /// Without <paramref name="output"/> the bytes are only read (into <paramref name="contentHash"/>).
    /// </summary>
    private static long CopyContents(SafeFileHandle input, SafeFileHandle? output, long size, string sourcePath, string destination, IncrementalHash? contentHash, bool faultPoint) =>
        CopyRange(input, output, new byte[(int)Math.Clamp(size, 1, CopyBufferSize)], 0, size, sourcePath, destination, contentHash, faultPoint);

    /// <summary>
    /// Copies up to <paramref name="length"/> bytes from <paramref name="start"/> in
    /// <paramref name="input"/> to the same offset in <paramref name="output"/> through
    /// <paramref name="buffer"/>, and returns the bytes copied (fewer where the source ends
    /// first); as <see cref="CopyContents"/> otherwise.
    /// </summary>
    private static long CopyRange(SafeFileHandle input, SafeFileHandle? output, byte[] buffer, long start, long length, string sourcePath, string destination, IncrementalHash? contentHash, bool faultPoint)
    {
        long copied = 0;
        while (true)
        {
            int read;
            try
            {
                read = copied >= length ? 0 : RandomAccess.Read(input, buffer.AsSpan(0, (int)Math.Min(buffer.Length, length - copied)), start + copied);
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException && error is not LinksmithException)
            {
                throw SystemErrors.Translate(error, sourcePath);
            }

            if (read == 0)
            {
                return copied;
            }

            try
            {
                if (output is not null)
                {
                    RandomAccess.Write(output, buffer.AsSpan(0, read), start + copied);
                }
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException && error is not LinksmithException)
            {
                throw SystemErrors.Translate(error, destination);
            }

            contentHash?.AppendData(buffer, 0, read);
            copied += read;
            if (faultPoint)
            {
                FaultPoints.Hit(FaultPoints.CopyData, sourcePath, destination);
            }
        }
    }

    /// <summary>
    /// Deletes the open entry (a file, a link as a link, an empty directory): FileDispositionInfoEx
    /// with POSIX semantics (the name goes at once even if the file is open elsewhere) and the
    /// read-only attribute ignored; where that class is refused, the read-only attribute is
    /// cleared and FileDispositionInfo asked, and the attribute is put back for the file's other
    /// names (attributes belong to the file, not to one name).
    /// </summary>
    private static unsafe void Delete(SafeFileHandle handle, string path, in FileStatus status)
    {
        var ex = WindowsFileInformation.DispositionEx(
            Kernel32.FILE_DISPOSITION_FLAG_DELETE | Kernel32.FILE_DISPOSITION_FLAG_POSIX_SEMANTICS | Kernel32.FILE_DISPOSITION_FLAG_IGNORE_READONLY_ATTRIBUTE);
        fixed (byte* e = ex)
        {
            if (Kernel32.SetFileInformationByHandle(handle, Kernel32.FileDispositionInfoEx, e, (uint)ex.Length))
            {
                return;
            }
        }

        var error = Marshal.GetLastPInvokeError();
        if (!IsRefused(error))
        {
            throw WindowsErrors.ToException(error, path, existingKind: status.Kind);
        }

        DeleteFallback = $"FileDispositionInfoEx refused with error {error}; FileDispositionInfo used";
        Kernel32.FILE_BASIC_INFO basic;
        var readOnly = Kernel32.GetFileInformationByHandleEx(handle, Kernel32.FileBasicInfo, &basic, (uint)sizeof(Kernel32.FILE_BASIC_INFO))
            && (basic.FileAttributes & Kernel32.FILE_ATTRIBUTE_READONLY) != 0;
        if (readOnly)
        {
            var cleared = basic.FileAttributes & ~Kernel32.FILE_ATTRIBUTE_READONLY;
            _ = SetAttributes(handle, cleared == 0 ? Kernel32.FILE_ATTRIBUTE_NORMAL : cleared);
        }

        var deleted = MarkForDeletion(handle);
        error = deleted ? Kernel32.ERROR_SUCCESS : Marshal.GetLastPInvokeError();
        if (readOnly && (!deleted || status.LinkCount > 1))
        {
            _ = SetAttributes(handle, basic.FileAttributes);
        }

        if (!deleted)
        {
            throw WindowsErrors.ToException(error, path, existingKind: status.Kind);
        }
    }

    /// <summary>FileDispositionInfo: the entry goes when its last handle closes.</summary>
    private static unsafe bool MarkForDeletion(SafeFileHandle handle)
    {
        var disposition = WindowsFileInformation.Disposition(deleteFile: true);
        fixed (byte* d = disposition)
        {
            return Kernel32.SetFileInformationByHandle(handle, Kernel32.FileDispositionInfo, d, (uint)disposition.Length);
        }
    }

    private static unsafe bool SetAttributes(SafeFileHandle handle, uint attributes)
    {
        // Zero times mean "leave unchanged" (FILE_BASIC_INFO docs): only the attributes change.
        var info = new Kernel32.FILE_BASIC_INFO { FileAttributes = attributes };
        return Kernel32.SetFileInformationByHandle(handle, Kernel32.FileBasicInfo, &info, (uint)sizeof(Kernel32.FILE_BASIC_INFO));
    }

    private static unsafe int SetInformation(SafeFileHandle handle, byte[] information, int informationClass)
    {
        Ntdll.IO_STATUS_BLOCK io;
        fixed (byte* i = information)
        {
            return Ntdll.NtSetInformationFile(handle, &io, i, (uint)information.Length, informationClass);
        }
    }

    /// <summary>
    /// The answers of a system or file system that does not know an information class or one of
    /// its flags (as Rust's std, which also falls back from FileDispositionInfoEx, accepts them):
    /// Win32 errors from SetFileInformationByHandle, NTSTATUS from NtSetInformationFile.
    /// </summary>
    private static bool IsRefused(int errorOrStatus) => errorOrStatus is
        Kernel32.ERROR_INVALID_PARAMETER or Kernel32.ERROR_NOT_SUPPORTED or Kernel32.ERROR_INVALID_FUNCTION or Kernel32.ERROR_CALL_NOT_IMPLEMENTED or
        Ntdll.STATUS_INVALID_INFO_CLASS or Ntdll.STATUS_INVALID_PARAMETER or Ntdll.STATUS_NOT_SUPPORTED or Ntdll.STATUS_NOT_IMPLEMENTED or Ntdll.STATUS_INVALID_DEVICE_REQUEST;

    private static LinksmithException NtError(int status, string path, string? otherPath = null, LinkKind existingKind = LinkKind.File) =>
        WindowsErrors.FromNtStatus(status, Ntdll.RtlNtStatusToDosError(status), path, otherPath, existingKind);

    /// <summary>NtCreateFile of the single name <paramref name="name"/> relative to the open directory <paramref name="parent"/>; the NTSTATUS.</summary>
    private static unsafe int TryOpen(SafeFileHandle parent, string name, uint access, uint disposition, uint options, out SafeFileHandle handle, uint share = ShareAll)
    {
        fixed (char* n = name)
        {
            var objectName = WindowsFileInformation.UnicodeString((nint)n, name.Length * sizeof(char));
            var objectAttributes = WindowsFileInformation.ObjectAttributes(parent.DangerousGetHandle(), (nint)(&objectName));
            Ntdll.IO_STATUS_BLOCK io;
            return Ntdll.NtCreateFile(out handle, access, &objectAttributes, &io, null, 0, share, disposition, options, null, 0);
        }
    }

    /// <summary>The names of a relative path, '/' or '\' between them; "." and ".." are refused.</summary>
    private static string[] Components(string relativePath)
    {
        var components = relativePath.Split(['/', '\\'], StringSplitOptions.RemoveEmptyEntries);
        foreach (var component in components)
        {
            if (component is "." or ".." || component.Contains(':', StringComparison.Ordinal))
            {
                throw new ArgumentException($"'{relativePath}' is not a path below the directory", nameof(relativePath));
            }
        }

        return components;
    }

    /// <summary>The open directory at <paramref name="relativePath"/> (empty: this one, opened again), reached without following a link.</summary>
    private SafeFileHandle OpenDirectoryHandle(string relativePath)
    {
        var components = Components(relativePath);
        return components.Length == 0 ? Reopen(root, Path) : OpenDirectories(components, components.Length, relativePath);
    }

    /// <summary>A new handle to the directory <paramref name="directory"/> (an empty name relative to it), with its own listing position.</summary>
    private static SafeFileHandle Reopen(SafeFileHandle directory, string path)
    {
        var status = TryOpen(directory, string.Empty, DirectoryAccess, Ntdll.FILE_OPEN, Ntdll.FILE_DIRECTORY_FILE | Ntdll.FILE_SYNCHRONOUS_IO_NONALERT | Ntdll.FILE_OPEN_FOR_BACKUP_INTENT, out var handle);
        if (status < 0)
        {
            handle.Dispose();
            throw NtError(status, path);
        }

        return handle;
    }

    /// <summary>
    /// Opens the folders <paramref name="components"/>[0..<paramref name="count"/>) one at a time,
    /// each relative to the one before and checked not to be a reparse point before the next is
    /// looked up in it.
    /// </summary>
    private unsafe SafeFileHandle OpenDirectories(string[] components, int count, string relativePath)
    {
        SafeFileHandle? current = null;
        try
        {
            for (var i = 0; i < count; i++)
            {
                var reached = i == count - 1 ? FullPath(relativePath) : FullPath(string.Join('\\', components, 0, i + 1));
                var status = TryOpen(current ?? root, components[i], DirectoryAccess, Ntdll.FILE_OPEN, Ntdll.FILE_DIRECTORY_FILE | NoFollow, out var next);
                current?.Dispose();
                current = next;
                if (status < 0)
                {
                    throw NtError(status, reached);
                }

                Kernel32.FILE_BASIC_INFO basic;
                if (!Kernel32.GetFileInformationByHandleEx(current, Kernel32.FileBasicInfo, &basic, (uint)sizeof(Kernel32.FILE_BASIC_INFO)))
                {
                    throw WindowsErrors.ToException(Marshal.GetLastPInvokeError(), reached);
                }

                if ((basic.FileAttributes & Kernel32.FILE_ATTRIBUTE_REPARSE_POINT) != 0)
                {
                    throw new TreeChangedException(reached, "a junction or symbolic link now stands where the walk saw a folder");
                }
            }

            var result = current!;
            current = null;
            return result;
        }
        finally
        {
            current?.Dispose();
        }
    }

    /// <summary>The open parent directory of <paramref name="relativePath"/> and the entry's own name.</summary>
    private ParentLease Parent(string relativePath, out string leaf)
    {
        var components = Components(relativePath);
        if (components.Length == 0)
        {
            throw new ArgumentException("an entry below the directory is needed, not the directory itself", nameof(relativePath));
        }

        leaf = components[^1];
        return components.Length == 1
            ? new ParentLease(root, owned: false)
            : new ParentLease(OpenDirectories(components, components.Length - 1, string.Join('\\', components, 0, components.Length - 1)), owned: true);
    }

    public override SafeFileHandle OpenForReading(string relativePath) =>
        OpenEntry(relativePath, Ntdll.FILE_READ_DATA | Kernel32.FILE_READ_ATTRIBUTES | Ntdll.SYNCHRONIZE, Ntdll.FILE_NON_DIRECTORY_FILE | Ntdll.FILE_SEQUENTIAL_ONLY);

    /// <summary>Opens the entry at <paramref name="relativePath"/> itself (a link as a link) with <paramref name="access"/>.</summary>
    private SafeFileHandle OpenEntry(string relativePath, uint access, uint options)
    {
        if (Components(relativePath).Length == 0)
        {
            return Reopen(root, Path);
        }

        using var parent = Parent(relativePath, out var leaf);
        var status = TryOpen(parent.Handle, leaf, access, Ntdll.FILE_OPEN, options | NoFollow, out var handle);
        if (status < 0)
        {
            handle.Dispose();
            throw NtError(status, FullPath(relativePath));
        }

        return handle;
    }

    private void CreateReparsePoint(string relativePath, byte[] reparseData, bool directory, bool isJunction)
    {
        var path = FullPath(relativePath);
        using var parent = Parent(relativePath, out var leaf);
        var status = TryOpen(
            parent.Handle,
            leaf,
            Kernel32.GENERIC_WRITE | Kernel32.DELETE | Kernel32.FILE_READ_ATTRIBUTES | Ntdll.SYNCHRONIZE,
            Ntdll.FILE_CREATE,
            (directory ? Ntdll.FILE_DIRECTORY_FILE : Ntdll.FILE_NON_DIRECTORY_FILE) | NoFollow,
            out var handle);
        using (handle)
        {
            if (status < 0)
            {
                throw NtError(status, path, existingKind: status == Ntdll.STATUS_OBJECT_NAME_COLLISION ? Stat(relativePath)?.Kind ?? LinkKind.File : LinkKind.File);
            }

            var error = SetReparsePoint(handle, reparseData);
            if (error != Kernel32.ERROR_SUCCESS)
            {
                // The entry was made just above: it goes when its handle closes, so a failed link leaves nothing behind.
                _ = MarkForDeletion(handle);
                throw isJunction ? WindowsErrors.ForJunction(error, path) : WindowsErrors.ForSymbolicLink(error, path, directory);
            }
        }
    }

    private static unsafe int SetReparsePoint(SafeFileHandle handle, byte[] reparseData)
    {
        fixed (byte* b = reparseData)
        {
            return Kernel32.DeviceIoControl(handle, Kernel32.FSCTL_SET_REPARSE_POINT, b, (uint)reparseData.Length, null, 0, out _, IntPtr.Zero)
                ? Kernel32.ERROR_SUCCESS
                : Marshal.GetLastPInvokeError();
        }
    }

    /// <summary>
    /// Deletes the entry <paramref name="name"/> of the open directory <paramref name="parent"/>
    /// and, for a real directory, everything in it first, each child named relative to the
    /// directory's own handle. A link (symbolic link, junction, mount point) is deleted as a link
    /// and never entered.
    /// </summary>
    private static void DeleteEntry(SafeFileHandle parent, string name, string path, DeleteOptions options, Action<LinksmithException> onError, ref DeleteTally tally)
    {
        options.Cancellation.ThrowIfCancellationRequested();
        var status = TryOpen(parent, name, Kernel32.DELETE | Kernel32.FILE_READ_ATTRIBUTES | Kernel32.FILE_WRITE_ATTRIBUTES | Ntdll.SYNCHRONIZE, Ntdll.FILE_OPEN, NoFollow, out var handle);
        using (handle)
        {
            if (status is Ntdll.STATUS_OBJECT_NAME_NOT_FOUND)
            {
                return;
            }

            try
            {
                if (status < 0)
                {
                    throw NtError(status, path);
                }

                var entry = StatHandle(handle, path, followed: false);
                if (entry.Kind == LinkKind.Directory)
                {
                    using var directory = OpenListing(parent, name, path, entry.Identity);
                    foreach (var child in ReadNames(directory, path))
                    {
                        DeleteEntry(directory, child, System.IO.Path.Join(path, child), options, onError, ref tally);
                    }
                }

                if (!options.DryRun)
                {
                    Delete(handle, path, entry);
                }

                tally.Entries++;
                tally.Bytes += entry.Kind == LinkKind.File && entry.LinkCount <= 1 ? entry.Size : 0;
                options.OnDeleted?.Invoke(path, entry.Kind);
            }
            catch (LinksmithException error)
            {
                onError(error);
            }
        }
    }

    /// <summary>A listing handle of the directory <paramref name="name"/>, which must still be the real directory <paramref name="identity"/>.</summary>
    private static SafeFileHandle OpenListing(SafeFileHandle parent, string name, string path, FileIdentity identity)
    {
        var status = TryOpen(parent, name, DirectoryAccess, Ntdll.FILE_OPEN, Ntdll.FILE_DIRECTORY_FILE | NoFollow, out var directory);
        try
        {
            if (status < 0)
            {
                throw NtError(status, path);
            }

            var opened = StatHandle(directory, path, followed: false);
            if (opened.Kind != LinkKind.Directory || opened.Identity != identity)
            {
                throw new TreeChangedException(path, "is not the folder that was opened (it was replaced)");
            }
        }
        catch
        {
            directory.Dispose();
            throw;
        }

        return directory;
    }

    /// <summary>A parent directory handle, closed at the end of its use only if it was opened for it.</summary>
    private readonly struct ParentLease(SafeFileHandle handle, bool owned) : IDisposable
    {
        public SafeFileHandle Handle { get; } = handle;

        public void Dispose()
        {
            if (owned)
            {
                Handle.Dispose();
            }
        }
    }
}
