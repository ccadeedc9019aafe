using System.Runtime.InteropServices;
using Linksmith.Interop;
using Microsoft.Win32.SafeHandles;

namespace Linksmith;

/// <summary>
/// <c>--xattrs</c> on Windows: the named alternate data streams and the security descriptor (see
/// <see cref="WindowsAttributes"/> for what is carried), read and written through the handles a
/// copy already holds. Streams are listed with <c>NtQueryInformationFile(FileStreamInformation)</c>
/// and each is opened with <c>NtCreateFile</c> relative to its file's HANDLE (RootDirectory the
/// file, ObjectName <c>:name:$DATA</c>), never by a path; the descriptor is read with
/// <c>NtQuerySecurityObject</c> and written with <c>NtSetSecurityObject</c>, which stores it as
/// given (advapi32's SetSecurityInfo would also rewrite a folder's children).
/// </summary>
internal sealed partial class WindowsDirectoryHandle
{
    private const string SecurityAttributeName = "security descriptor (ACL)";

    /// <summary>The rights on a source to read what is carried (the SACL needs ACCESS_SYSTEM_SECURITY).</summary>
    private static uint AttributeReadAccess =>
        Ntdll.READ_CONTROL | (WindowsPrivileges.CanCopySacl ? Ntdll.ACCESS_SYSTEM_SECURITY : 0);

    /// <summary>The rights on a destination to write what is carried.</summary>
    private static uint AttributeWriteAccess =>
        Ntdll.READ_CONTROL | Ntdll.WRITE_DAC
        | (WindowsPrivileges.CanSetOwner ? Ntdll.WRITE_OWNER : 0)
        | (WindowsPrivileges.CanCopySacl ? Ntdll.ACCESS_SYSTEM_SECURITY : 0);

    public override void CopyAttributes(string relativePath, DirectoryHandle sourceRoot, string sourceRelativePath, LinkKind kind, AttributeCopy attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        if (kind is not (LinkKind.File or LinkKind.Directory))
        {
            // A link's own streams and descriptor are not carried (Linux gives a symlink no user.* either).
            return;
        }

        var sourcePath = sourceRoot.FullPath(sourceRelativePath);
        var path = FullPath(relativePath);
        var options = kind == LinkKind.Directory ? Ntdll.FILE_DIRECTORY_FILE : Ntdll.FILE_NON_DIRECTORY_FILE;
        using var input = ((WindowsDirectoryHandle)sourceRoot).OpenAttributed(sourceRelativePath, Kernel32.FILE_READ_ATTRIBUTES | Ntdll.SYNCHRONIZE | AttributeReadAccess, options);
        RequireKind(input, sourcePath, kind);
        using var output = OpenAttributed(relativePath, Kernel32.FILE_READ_ATTRIBUTES | Kernel32.FILE_WRITE_ATTRIBUTES | Ntdll.SYNCHRONIZE | AttributeWriteAccess, options);
        RequireKind(output, path, kind);
        CarryAttributes(input, sourcePath, output, path, attributes.OnNotStored);
    }

    public override bool SameAttributes(string relativePath, DirectoryHandle otherRoot, string otherRelativePath)
    {
        var path = FullPath(relativePath);
        var otherPath = otherRoot.FullPath(otherRelativePath);
        using var mine = OpenAttributed(relativePath, Kernel32.FILE_READ_ATTRIBUTES | Ntdll.SYNCHRONIZE | AttributeReadAccess, 0);
        using var other = ((WindowsDirectoryHandle)otherRoot).OpenAttributed(otherRelativePath, Kernel32.FILE_READ_ATTRIBUTES | Ntdll.SYNCHRONIZE | AttributeReadAccess, 0);
        return SameStreams(mine, path, other, otherPath) && SameSecurity(mine, path, other, otherPath);
    }

    /// <summary>
    /// Makes the named streams and security descriptor of the open <paramref name="output"/> those
    /// of the open <paramref name="input"/>. What the destination cannot store (no streams on
    /// FAT and exFAT, no ACLs there; a share that refuses them) goes to <paramref name="onNotStored"/>.
    /// </summary>
    private static void CarryAttributes(SafeFileHandle input, string inputPath, SafeFileHandle output, string outputPath, Action<AttributeWarning>? onNotStored)
    {
        CarryStreams(input, inputPath, output, outputPath, onNotStored);
        // The descriptor last: a DACL that denies this process writing takes effect on the next
        // open, and the handle in hand keeps the rights it was opened with.
        CarrySecurity(input, inputPath, output, outputPath, onNotStored);
    }

    private static void CarryStreams(SafeFileHandle input, string inputPath, SafeFileHandle output, string outputPath, Action<AttributeWarning>? onNotStored)
    {
        var wanted = ListStreams(input, inputPath);
        if (ListStreams(output, outputPath) is { } present)
        {
            foreach (var (name, _) in present)
            {
                // Stream names are matched as NTFS matches them: without regard to case.
                if (wanted?.Exists(stream => string.Equals(stream.Name, name, StringComparison.OrdinalIgnoreCase)) != true)
                {
                    RemoveStream(output, name, outputPath);
                }
            }
        }

        foreach (var (name, _) in wanted ?? [])
        {
            var streamPath = inputPath + ":" + name;
            var status = TryOpen(input, WindowsAttributes.StreamObjectName(name), Ntdll.FILE_READ_DATA | Ntdll.SYNCHRONIZE, Ntdll.FILE_OPEN, StreamOptions, out var from);
            using (from)
            {
                if (status is Ntdll.STATUS_OBJECT_NAME_NOT_FOUND)
                {
                    // Removed since it was listed: it is not there to carry.
                    continue;
                }

                if (status < 0)
                {
                    throw NtError(status, streamPath);
                }

                status = TryOpen(output, WindowsAttributes.StreamObjectName(name), Kernel32.GENERIC_WRITE | Ntdll.SYNCHRONIZE, Ntdll.FILE_OVERWRITE_IF, StreamOptions, out var to);
                using (to)
                {
                    if (status < 0)
                    {
                        if (CannotStoreStream(status) is { } reason)
                        {
                            onNotStored?.Invoke(new AttributeWarning(outputPath, WindowsAttributes.StreamObjectName(name), reason));
                            continue;
                        }

                        throw NtError(status, outputPath + ":" + name);
                    }

                    _ = CopyContents(from, to, long.MaxValue, streamPath, outputPath + ":" + name, contentHash: null, faultPoint: false);
                }
            }
        }
    }

    /// <summary>A stream opens synchronously; FILE_OPEN_FOR_BACKUP_INTENT as for its file, so a privileged copy is not stopped by the file's ACL.</summary>
    private const uint StreamOptions = Ntdll.FILE_NON_DIRECTORY_FILE | Ntdll.FILE_SYNCHRONOUS_IO_NONALERT | Ntdll.FILE_SEQUENTIAL_ONLY | Ntdll.FILE_OPEN_FOR_BACKUP_INTENT;

    /// <summary>Why the destination cannot take a named stream, for the statuses that mean it cannot; null for others.</summary>
    private static string? CannotStoreStream(int status) => status switch
    {
        // FAT, exFAT and ReFS before 1.2 reject the ":name" syntax itself; a share of one answers the same.
        Ntdll.STATUS_OBJECT_NAME_INVALID or Ntdll.STATUS_INVALID_PARAMETER or Ntdll.STATUS_NOT_SUPPORTED or Ntdll.STATUS_INVALID_DEVICE_REQUEST =>
            "the file system does not support alternate data streams",
        Ntdll.STATUS_DISK_FULL => "no room for it on the file system",
        _ => null,
    };

    /// <summary>Why the destination cannot take the descriptor, for the statuses that mean it cannot; null for others.</summary>
    private static string? CannotStoreSecurity(int status) => status switch
    {
        // FAT and exFAT have no descriptors; a share may not pass them on.
        Ntdll.STATUS_NOT_SUPPORTED or Ntdll.STATUS_INVALID_DEVICE_REQUEST or Ntdll.STATUS_INVALID_PARAMETER =>
            "the file system does not support ACLs",
        // A share whose server does not know the owner's account (another domain, a local SID).
        Ntdll.STATUS_INVALID_OWNER => "the destination does not accept this owner",
        _ => null,
    };

    /// <summary>The carried (named, $DATA) streams of the open file or folder; null where the file system has no streams.</summary>
    private static unsafe List<(string Name, long Size)>? ListStreams(SafeFileHandle handle, string path)
    {
        var size = 4096;
        while (true)
        {
            var buffer = new byte[size];
            int status;
            Ntdll.IO_STATUS_BLOCK io;
            fixed (byte* b = buffer)
            {
                status = Ntdll.NtQueryInformationFile(handle, &io, b, (uint)buffer.Length, Ntdll.FileStreamInformation);
            }

            if (status is Ntdll.STATUS_BUFFER_OVERFLOW or Ntdll.STATUS_BUFFER_TOO_SMALL or Ntdll.STATUS_INFO_LENGTH_MISMATCH && size < 64 * 1024 * 1024)
            {
                size *= 4;
                continue;
            }

            if (IsRefused(status))
            {
                // FAT and exFAT (STATUS_INVALID_PARAMETER), and Wine, which lacks the class: nothing to carry.
                return null;
            }

            if (status < 0)
            {
                throw NtError(status, path);
            }

            var listed = new List<(string Name, long Size)>();
            if (!WindowsAttributes.TryReadStreams(buffer.AsSpan(0, (int)Math.Min(io.Information, (nuint)buffer.Length)), listed))
            {
                throw new LinkSystemException(path, "the system returned a malformed list of its streams", Kernel32.ERROR_INVALID_PARAMETER);
            }

            var carried = new List<(string Name, long Size)>();
            foreach (var (fullName, streamSize) in listed)
            {
                if (WindowsAttributes.CarriedStreamName(fullName) is { } name)
                {
                    carried.Add((name, streamSize));
                }
            }

            carried.Sort(static (left, right) => StringComparer.OrdinalIgnoreCase.Compare(left.Name, right.Name));
            return carried;
        }
    }

    private static void RemoveStream(SafeFileHandle file, string name, string path)
    {
        var status = TryOpen(file, WindowsAttributes.StreamObjectName(name), Kernel32.DELETE | Ntdll.SYNCHRONIZE, Ntdll.FILE_OPEN, StreamOptions, out var stream);
        using (stream)
        {
            if (status == Ntdll.STATUS_OBJECT_NAME_NOT_FOUND)
            {
                return;
            }

            if (status < 0 || !MarkForDeletion(stream))
            {
                throw status < 0 ? NtError(status, path + ":" + name) : WindowsErrors.ToException(Marshal.GetLastPInvokeError(), path + ":" + name);
            }
        }
    }

    private static void CarrySecurity(SafeFileHandle input, string inputPath, SafeFileHandle output, string outputPath, Action<AttributeWarning>? onNotStored)
    {
        var withOwner = WindowsPrivileges.CanSetOwner;
        var withSacl = WindowsPrivileges.CanCopySacl;
        if (QuerySecurity(input, inputPath, withSacl) is not { } descriptor)
        {
            // A source on FAT or exFAT has no descriptor of its own: the copy keeps the one it inherited.
            return;
        }

        var parts = WindowsAttributes.TryParse(descriptor) ?? throw new LinkSystemException(inputPath, "the system returned a malformed security descriptor", Kernel32.ERROR_INVALID_PARAMETER);
        int status;
        unsafe
        {
            fixed (byte* d = descriptor)
            {
                status = Ntdll.NtSetSecurityObject(output, WindowsAttributes.SetInformation(parts.Control, withOwner, withSacl), d);
            }
        }

        if (status < 0)
        {
            if (CannotStoreSecurity(status) is { } reason)
            {
                onNotStored?.Invoke(new AttributeWarning(outputPath, SecurityAttributeName, reason));
                return;
            }

            throw NtError(status, outputPath);
        }
    }

    /// <summary>The self-relative security descriptor of the open entry; null where the file system keeps none.</summary>
    private static unsafe byte[]? QuerySecurity(SafeFileHandle handle, string path, bool withSacl)
    {
        var information = WindowsAttributes.QueryInformation(withSacl);
        var size = 1024u;
        while (true)
        {
            var buffer = new byte[size];
            uint needed;
            int status;
            fixed (byte* b = buffer)
            {
                status = Ntdll.NtQuerySecurityObject(handle, information, b, size, &needed);
            }

            if (status == Ntdll.STATUS_BUFFER_TOO_SMALL && needed > size)
            {
                size = needed;
                continue;
            }

            if (IsRefused(status))
            {
                return null;
            }

            return status < 0 ? throw NtError(status, path) : buffer.AsSpan(0, (int)Math.Min(needed == 0 ? size : needed, size)).ToArray();
        }
    }

    private static bool SameSecurity(SafeFileHandle mine, string path, SafeFileHandle other, string otherPath)
    {
        var withSacl = WindowsPrivileges.CanCopySacl;
        var left = QuerySecurity(mine, path, withSacl);
        var right = QuerySecurity(other, otherPath, withSacl);
        if (left is null || right is null)
        {
            return left is null && right is null;
        }

        return WindowsAttributes.TryParse(left) is { } l && WindowsAttributes.TryParse(right) is { } r
            && WindowsAttributes.Same(l, r, WindowsPrivileges.CanSetOwner, withSacl);
    }

    private static bool SameStreams(SafeFileHandle mine, string path, SafeFileHandle other, string otherPath)
    {
        var left = ListStreams(mine, path) ?? [];
        var right = ListStreams(other, otherPath) ?? [];
        if (left.Count != right.Count)
        {
            return false;
        }

        for (var i = 0; i < left.Count; i++)
        {
            if (!string.Equals(left[i].Name, right[i].Name, StringComparison.OrdinalIgnoreCase) || left[i].Size != right[i].Size
                || !SameStreamContents(mine, path, other, otherPath, left[i].Name, right[i].Name))
            {
                return false;
            }
        }

        return true;
    }

    private static bool SameStreamContents(SafeFileHandle mine, string path, SafeFileHandle other, string otherPath, string name, string otherName)
    {
        var status = TryOpen(mine, WindowsAttributes.StreamObjectName(name), Ntdll.FILE_READ_DATA | Ntdll.SYNCHRONIZE, Ntdll.FILE_OPEN, StreamOptions, out var left);
        using (left)
        {
            if (status < 0)
            {
                throw NtError(status, path + ":" + name);
            }

            status = TryOpen(other, WindowsAttributes.StreamObjectName(otherName), Ntdll.FILE_READ_DATA | Ntdll.SYNCHRONIZE, Ntdll.FILE_OPEN, StreamOptions, out var right);
            using (right)
            {
                if (status < 0)
                {
                    throw NtError(status, otherPath + ":" + otherName);
                }

                var a = new byte[64 * 1024];
                var b = new byte[64 * 1024];
                long offset = 0;
                while (true)
                {
                    var read = RandomAccess.Read(left, a, offset);
                    var otherRead = RandomAccess.Read(right, b, offset);
                    if (read != otherRead || !a.AsSpan(0, read).SequenceEqual(b.AsSpan(0, otherRead)))
                    {
                        return false;
                    }

                    if (read == 0)
                    {
                        return true;
                    }

                    offset += read;
                }
            }
        }
    }

    /// <summary>
    /// Opens the entry at <paramref name="relativePath"/> itself with <paramref name="access"/>;
    /// the empty path is this directory, opened again relative to its own HANDLE with those rights
    /// (a tree job's top folder gets its source's streams and descriptor too).
    /// </summary>
    private SafeFileHandle OpenAttributed(string relativePath, uint access, uint options)
    {
        if (Components(relativePath).Length != 0)
        {
            return OpenEntry(relativePath, access, options);
        }

        var status = TryOpen(root, string.Empty, access, Ntdll.FILE_OPEN, options | Ntdll.FILE_SYNCHRONOUS_IO_NONALERT | Ntdll.FILE_OPEN_FOR_BACKUP_INTENT, out var handle);
        if (status < 0)
        {
            handle.Dispose();
            throw NtError(status, Path);
        }

        return handle;
    }

    private static void RequireKind(SafeFileHandle handle, string path, LinkKind kind)
    {
        if (StatHandle(handle, path, followed: false).Kind != kind)
        {
            throw new TreeChangedException(path, $"is no longer a {kind.Describe()}");
        }
    }
}
