using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Linksmith.Interop;
using Microsoft.Win32.SafeHandles;

namespace Linksmith;

/// <summary>Links on Windows: junctions, symbolic links and hard links through kernel32.</summary>
[SupportedOSPlatform("windows")]
internal sealed class WindowsLinkPlatform : LinkPlatform
{
    // MAX_PATH: the first buffer size for calls that return a path and say when it was too small.
    private const int MaxShortPath = 260;

    // FindFirstFileNameW exists since Vista, but Wine 8 does not export it and Wine 10 exports a
    // stub; either way Link falls back to walking the volume, as it does on Linux.
    private static readonly Lazy<bool> FindFirstFileNameExported = new(() =>
        NativeLibrary.TryLoad(Kernel32.Name, out var kernel32) && NativeLibrary.TryGetExport(kernel32, "FindFirstFileNameW", out _));

    public override bool SupportsJunctions => true;

    public override bool CanEnumerateNames => FindFirstFileNameExported.Value;

    public override FileStatus Stat(string path) => StatCore(path, Kernel32.FILE_FLAG_OPEN_REPARSE_POINT);

    public override FileStatus StatFollowingLinks(string path) => StatCore(path, 0);

    public override unsafe string ReadLinkTarget(string path)
    {
        using var handle = Kernel32.CreateFile(path, 0, Kernel32.FILE_FLAG_OPEN_REPARSE_POINT);
        if (handle.IsInvalid)
        {
            throw WindowsErrors.ToException(Marshal.GetLastPInvokeError(), path);
        }

        var buffer = new byte[ReparseBuffer.MAXIMUM_REPARSE_DATA_BUFFER_SIZE];
        uint returned;
        fixed (byte* b = buffer)
        {
            if (!Kernel32.DeviceIoControl(handle, Kernel32.FSCTL_GET_REPARSE_POINT, null, 0, b, (uint)buffer.Length, out returned, IntPtr.Zero))
            {
                throw WindowsErrors.ToException(Marshal.GetLastPInvokeError(), path);
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

    public override bool IsAbsoluteTargetText(string targetText) => WindowsPath.IsFullyQualified(targetText);

    public override string NormalizeTargetText(string targetText) => WindowsPath.StripPrefix(targetText);

    public override bool SameVolume(FileIdentity directory, FileIdentity file, string directoryPath, string filePath) =>
        directory.Volume == file.Volume;

    public override bool SameVolumeByPath(string directory, string targetPath)
    {
        // GetVolumePathNameW also answers for a missing path, from the mount points of its
        // existing ancestors; the drive or share is the fallback when it fails.
        var directoryRoot = TryGetVolumePathName(directory) ?? Path.GetPathRoot(directory);
        var targetRoot = TryGetVolumePathName(targetPath) ?? Path.GetPathRoot(targetPath);
        return string.Equals(directoryRoot, targetRoot, StringComparison.OrdinalIgnoreCase);
    }

    public override unsafe string CanonicalizeDirectory(string directory)
    {
        using var handle = Kernel32.CreateFile(directory, 0, 0);
        if (handle.IsInvalid)
        {
            return directory;
        }

        var size = MaxShortPath;
        while (true)
        {
            var buffer = new char[size];
            uint length;
            fixed (char* p = buffer)
            {
                length = Kernel32.GetFinalPathNameByHandle(handle, p, (uint)size, Kernel32.FILE_NAME_NORMALIZED | Kernel32.VOLUME_NAME_DOS);
            }

            if (length == 0)
            {
                return directory;
            }

            if (length < size)
            {
                // The answer is always in \\?\ form; Linksmith's paths are not.
                return WindowsPath.StripPrefix(new string(buffer, 0, (int)length));
            }

            size = (int)length;
        }
    }

    public override unsafe bool IsEmptyDirectory(string path)
    {
        Kernel32.WIN32_FIND_DATA data;
        using var handle = Kernel32.FindFirstFileEx(Path.Join(path, "*"), &data);
        if (handle.IsInvalid)
        {
            var error = Marshal.GetLastPInvokeError();

            // A volume root lists no "." and "..", so an empty one finds nothing at all.
            return error == Kernel32.ERROR_FILE_NOT_FOUND ? true : throw WindowsErrors.ToException(error, path);
        }

        do
        {
            var name = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(data.cFileName);
            if (name is not ("." or ".."))
            {
                return false;
            }
        }
        while (Kernel32.FindNextFile(handle, &data));

        var last = Marshal.GetLastPInvokeError();
        return last == Kernel32.ERROR_NO_MORE_FILES ? true : throw WindowsErrors.ToException(last, path);
    }

    public override void CreateSymbolicLink(string linkPath, string targetText, bool targetIsDirectory)
    {
        var flags = Kernel32.SYMBOLIC_LINK_FLAG_ALLOW_UNPRIVILEGED_CREATE | (targetIsDirectory ? Kernel32.SYMBOLIC_LINK_FLAG_DIRECTORY : 0);
        var created = Kernel32.CreateSymbolicLink(linkPath, targetText, flags);
        var error = Marshal.GetLastPInvokeError();
        if (!created && error == Kernel32.ERROR_INVALID_PARAMETER)
        {
            // Windows before 10 1703 does not know SYMBOLIC_LINK_FLAG_ALLOW_UNPRIVILEGED_CREATE and rejects it.
            created = Kernel32.CreateSymbolicLink(linkPath, targetText, flags & ~Kernel32.SYMBOLIC_LINK_FLAG_ALLOW_UNPRIVILEGED_CREATE);
            error = Marshal.GetLastPInvokeError();
        }

        if (!created)
        {
            throw WindowsErrors.ForSymbolicLink(error, linkPath, targetIsDirectory, ExistingKind(error, linkPath));
        }

        // Believe only a link that is there: Wine's CreateSymbolicLinkW (8 and 10) returns
        // success and creates nothing, and dotnet/runtime found early Windows 10 builds that
        // reported success without the privilege.
        if (Stat(linkPath).Kind != LinkKind.SymbolicLink)
        {
            throw new LinksNotSupportedException(linkPath, "symbolic links (the system reported success but created none)");
        }
    }

    public override void CreateHardLink(string linkPath, string existingPath)
    {
        if (!Kernel32.CreateHardLink(linkPath, existingPath))
        {
            var error = Marshal.GetLastPInvokeError();
            var linkCount = error == Kernel32.ERROR_TOO_MANY_LINKS ? Stat(existingPath).LinkCount : 0;
            throw WindowsErrors.ToException(error, linkPath, existingPath, ExistingKind(error, linkPath), linkCount);
        }
    }

    public override void CreateJunction(string linkPath, string targetDirectory)
    {
        if (WindowsPath.ToNtPath(targetDirectory).StartsWith(WindowsPath.UncNtPrefix, StringComparison.OrdinalIgnoreCase))
        {
            // The system follows a mount point only to a local volume.
            throw new LinksNotSupportedException(linkPath, "junctions to network folders (a junction points into a local volume); make a symbolic link instead");
        }

        var reparseData = ReparseBuffer.ForJunction(targetDirectory);
        if (!Kernel32.CreateDirectory(linkPath))
        {
            var error = Marshal.GetLastPInvokeError();
            throw WindowsErrors.ForJunction(error, linkPath, ExistingKind(error, linkPath));
        }

        var setError = SetReparsePoint(linkPath, reparseData);
        if (setError != Kernel32.ERROR_SUCCESS)
        {
            // The directory was made just above and is still empty: take it away again so a
            // failed junction leaves nothing behind (Wine answers ERROR_NOT_SUPPORTED here).
            _ = Kernel32.RemoveDirectory(linkPath);
            throw WindowsErrors.ForJunction(setError, linkPath);
        }
    }

    /// <summary>Renames <paramref name="source"/> to <paramref name="destination"/>, failing (ERROR_ALREADY_EXISTS) when the destination is taken.</summary>
    public void RenameNoReplace(string source, string destination) => Move(source, destination, 0);

    /// <summary>
    /// Renames <paramref name="temporaryPath"/> over <paramref name="linkPath"/> (what
    /// <see cref="PortableDirectoryHandle"/>'s replacing rename does on Windows).
    /// </summary>
    public void RenameReplacing(string temporaryPath, string linkPath)
    {
        var old = Stat(linkPath);
        var incoming = Stat(temporaryPath);
        if (old.Kind == LinkKind.Missing)
        {
            Move(temporaryPath, linkPath, 0);
            return;
        }

        if (old.TargetIsDirectory || incoming.TargetIsDirectory)
        {
            // MOVEFILE_REPLACE_EXISTING "cannot be used if lpNewFileName or lpExistingFileName
            // names a directory" (MoveFileExW docs), and a junction or directory symbolic link
            // is a directory to it. So this is the one replacement that is not atomic: the old
            // name is removed first (as a link, or as a directory Link found empty, which
            // RemoveDirectoryW refuses if it no longer is), and is missing until the rename.
            RemoveLink(linkPath, old);
            Move(temporaryPath, linkPath, 0);
            return;
        }

        // One rename over the old name: it never goes missing.
        if (Kernel32.MoveFileEx(temporaryPath, linkPath, Kernel32.MOVEFILE_REPLACE_EXISTING))
        {
            return;
        }

        var error = Marshal.GetLastPInvokeError();

        // A read-only old name refuses the replacement with ERROR_ACCESS_DENIED. The attribute
        // belongs to the file, not the name, so it is cleared only when this is the file's last
        // name; with other names it would silently change them too.
        if (error == Kernel32.ERROR_ACCESS_DENIED && old.LinkCount <= 1 && TryClearReadOnly(linkPath, out var handle, out var attributes))
        {
            handle.Dispose();
            if (Kernel32.MoveFileEx(temporaryPath, linkPath, Kernel32.MOVEFILE_REPLACE_EXISTING))
            {
                return;
            }

            error = Marshal.GetLastPInvokeError();
            RestoreAttributes(linkPath, attributes);
        }

        throw WindowsErrors.ToException(error, linkPath, existingKind: old.Kind);
    }

    public override void RemoveLink(string path, FileStatus entry)
    {
        // FILE_ATTRIBUTE_DIRECTORY marks directories, directory symbolic links and junctions;
        // RemoveDirectoryW removes the latter two as links and never recurses, and DeleteFileW
        // refuses them. A file symbolic link or a file name goes with DeleteFileW.
        Func<bool> remove = entry.TargetIsDirectory
            ? () => Kernel32.RemoveDirectory(path)
            : () => Kernel32.DeleteFile(path);
        if (remove())
        {
            return;
        }

        var error = Marshal.GetLastPInvokeError();

        // Both calls refuse a read-only name with ERROR_ACCESS_DENIED. The attribute is cleared
        // through a handle that stays open, so it can be put back for the file's other names
        // (attributes belong to the file, not to one name).
        if (error == Kernel32.ERROR_ACCESS_DENIED && TryClearReadOnly(path, out var handle, out var attributes))
        {
            using (handle)
            {
                if (remove())
                {
                    if (entry.LinkCount > 1)
                    {
                        SetAttributes(handle, attributes);
                    }

                    return;
                }

                error = Marshal.GetLastPInvokeError();
                SetAttributes(handle, attributes);
            }
        }

        throw WindowsErrors.ToException(error, path, existingKind: entry.Kind);
    }

    public override unsafe IEnumerable<string> EnumerateNames(string path)
    {
        // The names come back relative to the volume root ("\dir\file").
        var volumeRoot = GetVolumeRoot(path).TrimEnd('\\');
        var names = new List<string>();
        var buffer = new char[MaxShortPath];
        var length = (uint)buffer.Length;
        Kernel32.SafeFindHandle handle;
        while (true)
        {
            try
            {
                fixed (char* p = buffer)
                {
                    handle = Kernel32.FindFirstFileName(path, ref length, p);
                }
            }
            catch (EntryPointNotFoundException)
            {
                throw new LinksNotSupportedException(path, "listing the names of a file (FindFirstFileNameW is missing, as on Wine)");
            }

            if (!handle.IsInvalid)
            {
                break;
            }

            var error = Marshal.GetLastPInvokeError();
            handle.Dispose();
            if (error == Kernel32.ERROR_CALL_NOT_IMPLEMENTED)
            {
                // Wine 10's FindFirstFileNameW is exported but a stub.
                throw new LinksNotSupportedException(path, "listing the names of a file (FindFirstFileNameW is not implemented, as on Wine)");
            }

            if (error != Kernel32.ERROR_MORE_DATA)
            {
                throw WindowsErrors.ToException(error, path);
            }

            buffer = new char[length];
        }

        using (handle)
        {
            while (true)
            {
                fixed (char* p = buffer)
                {
                    names.Add(volumeRoot + new string(p));
                }

                length = (uint)buffer.Length;
                bool found;
                fixed (char* p = buffer)
                {
                    found = Kernel32.FindNextFileName(handle, ref length, p);
                }

                if (found)
                {
                    continue;
                }

                var error = Marshal.GetLastPInvokeError();
                if (error == Kernel32.ERROR_HANDLE_EOF)
                {
                    return names;
                }

                if (error != Kernel32.ERROR_MORE_DATA)
                {
                    throw WindowsErrors.ToException(error, path);
                }

                // Too small for the next name: grow and ask for it again.
                buffer = new char[length];
                fixed (char* p = buffer)
                {
                    if (!Kernel32.FindNextFileName(handle, ref length, p))
                    {
                        throw WindowsErrors.ToException(Marshal.GetLastPInvokeError(), path);
                    }
                }
            }
        }
    }

    public override string GetVolumeRoot(string path) =>
        TryGetVolumePathName(path) ?? throw WindowsErrors.ToException(Marshal.GetLastPInvokeError(), path);

    /// <summary>A FILETIME (100-nanosecond intervals since 1601-01-01 UTC) as seconds and nanoseconds since 1970.</summary>
    private static FileTime ToFileTime(Kernel32.FILETIME time)
    {
        const long UnixEpochAsFileTime = 116_444_736_000_000_000;
        var ticks = (long)(((ulong)time.dwHighDateTime << 32) | time.dwLowDateTime) - UnixEpochAsFileTime;
        var seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out var rest);
        return rest < 0 ? new FileTime(seconds - 1, (uint)((rest + TimeSpan.TicksPerSecond) * 100)) : new FileTime(seconds, (uint)(rest * 100));
    }

    private static unsafe FileStatus StatCore(string path, uint flags)
    {
        using var handle = Kernel32.CreateFile(path, Kernel32.FILE_READ_ATTRIBUTES, flags);
        if (handle.IsInvalid)
        {
            var error = Marshal.GetLastPInvokeError();
            if (WindowsErrors.IsPathUnreachable(error))
            {
                return FileStatus.Missing;
            }

            // "The name of the file cannot be resolved by the system": more than 63 reparse
            // points in a row, which is how a loop of links ends.
            return error == Kernel32.ERROR_CANT_RESOLVE_FILENAME ? FileStatus.Loop : throw WindowsErrors.ToException(error, path);
        }

        if (!Kernel32.GetFileInformationByHandle(handle, out var info))
        {
            throw WindowsErrors.ToException(Marshal.GetLastPInvokeError(), path);
        }

        var attributes = info.dwFileAttributes;
        var followed = (flags & Kernel32.FILE_FLAG_OPEN_REPARSE_POINT) == 0;
        var kind = KindOf(attributes, followed ? 0 : ReparseTag(handle, attributes));
        if (followed && kind == LinkKind.ReparsePoint)
        {
            // The system followed every link; a reparse point left at the end is data in
            // another form (deduplicated, cloud placeholder), a file or directory to the user.
            kind = (attributes & Kernel32.FILE_ATTRIBUTE_DIRECTORY) != 0 ? LinkKind.Directory : LinkKind.File;
        }

        var fileId = TryGetFileId(handle) ?? (((UInt128)info.nFileIndexHigh << 32) | info.nFileIndexLow);
        var size = ((long)info.nFileSizeHigh << 32) | info.nFileSizeLow;
        // The change time as the handle layer reads it (WindowsDirectoryHandle.StatHandle), so a
        // status taken by path and one taken through a handle agree (dedupe's hash cache compares
        // them); the last write stands in only where FileBasicInfo is refused.
        Kernel32.FILE_BASIC_INFO basic;
        var changeTime = Kernel32.GetFileInformationByHandleEx(handle, Kernel32.FileBasicInfo, &basic, (uint)sizeof(Kernel32.FILE_BASIC_INFO))
            ? WindowsFileInformation.FromFileTime(basic.ChangeTime)
            : ToFileTime(info.ftLastWriteTime);
        // The bytes on disk as the handle layer reads them (FileStandardInfo's allocation size: a
        // sparse file's holes and a compressed file's savings left out), so `size` counts what the
        // disk holds; the size stands in only where that class is refused.
        Kernel32.FILE_STANDARD_INFO standard;
        var allocated = Kernel32.GetFileInformationByHandleEx(handle, Kernel32.FileStandardInfo, &standard, (uint)sizeof(Kernel32.FILE_STANDARD_INFO))
            ? standard.AllocationSize
            : size;
        return new FileStatus
        {
            Kind = kind,
            // Windows has no mode bits; what a copy carries over is the read-only attribute of a file.
            Mode = kind == LinkKind.File && (attributes & Kernel32.FILE_ATTRIBUTE_READONLY) != 0 ? 1u : 0u,
            Size = size,
            AllocatedBytes = allocated,
            IsSparse = (attributes & Kernel32.FILE_ATTRIBUTE_SPARSE_FILE) != 0,
            IsCompressed = (attributes & Kernel32.FILE_ATTRIBUTE_COMPRESSED) != 0,
            LinkCount = info.nNumberOfLinks,
            Identity = new FileIdentity(info.dwVolumeSerialNumber, fileId),
            ModifiedTime = ToFileTime(info.ftLastWriteTime),
            AccessTime = ToFileTime(info.ftLastAccessTime),
            ChangeTime = changeTime,
            IsComplete = true,
            TargetIsDirectory = (attributes & Kernel32.FILE_ATTRIBUTE_DIRECTORY) != 0,
        };
    }

    /// <summary>What an entry is, from its attributes and (for a reparse point) its tag.</summary>
    internal static LinkKind KindOf(uint attributes, uint reparseTag)
    {
        if ((attributes & Kernel32.FILE_ATTRIBUTE_REPARSE_POINT) != 0)
        {
            return reparseTag switch
            {
                Kernel32.IO_REPARSE_TAG_SYMLINK => LinkKind.SymbolicLink,
                Kernel32.IO_REPARSE_TAG_MOUNT_POINT => LinkKind.Junction,
                _ => LinkKind.ReparsePoint,
            };
        }

        if ((attributes & Kernel32.FILE_ATTRIBUTE_DIRECTORY) != 0)
        {
            return LinkKind.Directory;
        }

        return (attributes & Kernel32.FILE_ATTRIBUTE_DEVICE) != 0 ? LinkKind.Special : LinkKind.File;
    }

    /// <summary>The reparse tag of an open reparse point; 0 for anything else.</summary>
    internal static unsafe uint ReparseTag(SafeFileHandle handle, uint attributes)
    {
        if ((attributes & Kernel32.FILE_ATTRIBUTE_REPARSE_POINT) == 0)
        {
            return 0;
        }

        Kernel32.FILE_ATTRIBUTE_TAG_INFO info;
        return Kernel32.GetFileInformationByHandleEx(handle, Kernel32.FileAttributeTagInfo, &info, (uint)sizeof(Kernel32.FILE_ATTRIBUTE_TAG_INFO))
            ? info.ReparseTag
            : 0;
    }

    /// <summary>The 128-bit file id of an open entry; null where the file system has only the 64-bit index.</summary>
    internal static unsafe UInt128? TryGetFileId(SafeFileHandle handle)
    {
        // The 128-bit id (Windows 8 and later) is unique on ReFS, where the 64-bit file index
        // of BY_HANDLE_FILE_INFORMATION need not be; FAT and older systems answer only the latter.
        Kernel32.FILE_ID_INFO info;
        if (!Kernel32.GetFileInformationByHandleEx(handle, Kernel32.FileIdInfo, &info, (uint)sizeof(Kernel32.FILE_ID_INFO)))
        {
            return null;
        }

        return BinaryPrimitives.ReadUInt128LittleEndian(new ReadOnlySpan<byte>(info.FileId, 16));
    }

    private static unsafe string? TryGetVolumePathName(string path)
    {
        // The volume path is a prefix of the path (plus a backslash), or a shorter mount point.
        var size = Math.Max(path.Length + 16, MaxShortPath);
        var buffer = new char[size];
        fixed (char* p = buffer)
        {
            if (!Kernel32.GetVolumePathName(path, p, (uint)size))
            {
                return null;
            }

            var root = WindowsPath.StripPrefix(new string(p));

            // "C:\" stays as it is, like Path.GetPathRoot; a folder mount point ("C:\mnt\disk\")
            // loses its trailing backslash, like every other directory path here.
            return root.Length > 3 ? root.TrimEnd('\\') : root;
        }
    }

    private static unsafe int SetReparsePoint(string linkPath, byte[] reparseData)
    {
        using var handle = Kernel32.CreateFile(linkPath, Kernel32.GENERIC_WRITE, Kernel32.FILE_FLAG_OPEN_REPARSE_POINT);
        if (handle.IsInvalid)
        {
            return Marshal.GetLastPInvokeError();
        }

        fixed (byte* b = reparseData)
        {
            return Kernel32.DeviceIoControl(handle, Kernel32.FSCTL_SET_REPARSE_POINT, b, (uint)reparseData.Length, null, 0, out _, IntPtr.Zero)
                ? Kernel32.ERROR_SUCCESS
                : Marshal.GetLastPInvokeError();
        }
    }

    private void Move(string source, string destination, uint flags)
    {
        if (!Kernel32.MoveFileEx(source, destination, flags))
        {
            var error = Marshal.GetLastPInvokeError();
            throw WindowsErrors.ToException(error, destination, existingKind: ExistingKind(error, destination));
        }
    }

    /// <summary>What is at <paramref name="path"/>, asked only when the error says something is.</summary>
    private LinkKind ExistingKind(int error, string path) =>
        error is Kernel32.ERROR_ALREADY_EXISTS or Kernel32.ERROR_FILE_EXISTS ? Stat(path).Kind : LinkKind.File;

    /// <summary>
    /// Opens the name itself (not what it points to) and clears FILE_ATTRIBUTE_READONLY through
    /// the handle; false, with nothing changed, when the name is not read-only or cannot be opened.
    /// </summary>
    private static unsafe bool TryClearReadOnly(string path, out SafeFileHandle handle, out uint attributes)
    {
        attributes = 0;
        handle = Kernel32.CreateFile(path, Kernel32.FILE_READ_ATTRIBUTES | Kernel32.FILE_WRITE_ATTRIBUTES, Kernel32.FILE_FLAG_OPEN_REPARSE_POINT);
        Kernel32.FILE_BASIC_INFO info;
        if (handle.IsInvalid
            || !Kernel32.GetFileInformationByHandleEx(handle, Kernel32.FileBasicInfo, &info, (uint)sizeof(Kernel32.FILE_BASIC_INFO))
            || (info.FileAttributes & Kernel32.FILE_ATTRIBUTE_READONLY) == 0)
        {
            handle.Dispose();
            return false;
        }

        attributes = info.FileAttributes;
        var cleared = attributes & ~Kernel32.FILE_ATTRIBUTE_READONLY;
        if (!SetAttributes(handle, cleared == 0 ? Kernel32.FILE_ATTRIBUTE_NORMAL : cleared))
        {
            handle.Dispose();
            return false;
        }

        return true;
    }

    private static unsafe bool SetAttributes(SafeFileHandle handle, uint attributes)
    {
        // Zero times mean "leave unchanged" (FILE_BASIC_INFO docs): only the attributes change.
        var info = new Kernel32.FILE_BASIC_INFO { FileAttributes = attributes };
        return Kernel32.SetFileInformationByHandle(handle, Kernel32.FileBasicInfo, &info, (uint)sizeof(Kernel32.FILE_BASIC_INFO));
    }

    private static void RestoreAttributes(string path, uint attributes)
    {
        using var handle = Kernel32.CreateFile(path, Kernel32.FILE_WRITE_ATTRIBUTES, Kernel32.FILE_FLAG_OPEN_REPARSE_POINT);
        if (!handle.IsInvalid)
        {
            _ = SetAttributes(handle, attributes);
        }
    }
}
