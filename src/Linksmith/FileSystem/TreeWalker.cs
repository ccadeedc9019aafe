using System.Runtime.InteropServices;
using Linksmith.Interop;

namespace Linksmith;

/// <summary>One path met by <see cref="TreeWalker"/>.</summary>
internal sealed class TreeEntry
{
    private string? relativePath;
    private readonly int relativeStart;

    public TreeEntry(string fullPath, string relativePath, int depth, FileStatus status, TreeEntry? parent = null)
    {
        FullPath = fullPath;
        this.relativePath = relativePath;
        Depth = depth;
        Status = status;
        Parent = parent;
    }

    /// <summary>An entry whose relative path is the tail of <paramref name="fullPath"/> from <paramref name="relativeStart"/>, cut only when asked for.</summary>
    public TreeEntry(string fullPath, int relativeStart, int depth, FileStatus status, TreeEntry? parent)
    {
        FullPath = fullPath;
        this.relativeStart = relativeStart;
        Depth = depth;
        Status = status;
        Parent = parent;
    }

    /// <summary>
    /// The directory entry this one was listed in; null for the root. Lets a caller keep one
    /// string per directory instead of a full path per file (dedupe holds every file of a tree).
    /// </summary>
    public TreeEntry? Parent { get; }

    /// <summary>The full path (under the root as given).</summary>
    public string FullPath { get; }

    /// <summary>The path relative to the root, with '/' (or the OS separator) between names; empty for the root.</summary>
    /// <remarks>Made on first use: du-like walks never ask, and one string fewer per entry is measurable there.</remarks>
    public string RelativePath => relativePath ??= FullPath[relativeStart..];

    /// <summary>0 for the root, 1 for its entries, and so on.</summary>
    public int Depth { get; }

    public FileStatus Status { get; }

    public LinkKind Kind => Status.Kind;

    public string Name => Path.GetFileName(FullPath);
}

/// <summary>How <see cref="TreeWalker"/> walks.</summary>
internal sealed record WalkOptions
{
    /// <summary>Read the full status of every entry (else only of directories and links, and where the listing has no type).</summary>
    public bool StatEverything { get; init; } = true;

    /// <summary>Stay on the root's file system (like find -xdev).</summary>
    public bool SameFileSystem { get; init; }

    /// <summary>Return a directory's entries sorted by name (ordinal), for stable output.</summary>
    public bool Sorted { get; init; }

    /// <summary>Whether to go into a directory (the directory itself is still returned). Null: always.</summary>
    public Func<TreeEntry, bool>? Descend { get; init; }

    /// <summary>Called for a path that could not be read; the walk goes on.</summary>
    public Action<LinksmithException>? OnError { get; init; }
}

/// <summary>
/// Walks a tree depth-first without following links: the root first, then each directory's
/// entries, a directory before its contents. On Linux it reads directories with readdir and
/// statx relative to the open directory (no path lookups); unreadable entries are reported to
/// <see cref="WalkOptions.OnError"/> and skipped.
/// </summary>
internal static class TreeWalker
{
    public static IEnumerable<TreeEntry> Walk(string root, WalkOptions options)
    {
        var rootStatus = StatPath(root, followLinks: true);
        if (rootStatus is not { } status)
        {
            throw new TargetNotFoundException(root);
        }

        var rootEntry = new TreeEntry(root, string.Empty, 0, status);
        yield return rootEntry;
        if (status.Kind != LinkKind.Directory || options.Descend?.Invoke(rootEntry) == false)
        {
            yield break;
        }

        var pending = new Stack<TreeEntry>();
        pending.Push(rootEntry);
        var children = new List<TreeEntry>();
        while (pending.Count > 0)
        {
            var directory = pending.Pop();
            // Asked only now, after the caller has seen the directory (it may have chosen to skip it).
            if (directory.Depth > 0 && options.Descend?.Invoke(directory) == false)
            {
                continue;
            }

            children.Clear();
            try
            {
                if (OperatingSystem.IsLinux())
                {
                    ReadLinuxDirectory(directory, options, children);
                }
                else
                {
                    ReadPortableDirectory(directory, children);
                }
            }
            catch (LinksmithException error)
            {
                options.OnError?.Invoke(error);
                continue;
            }

            if (options.Sorted)
            {
                children.Sort(static (a, b) => string.CompareOrdinal(a.FullPath, b.FullPath));
            }

            for (var i = children.Count - 1; i >= 0; i--)
            {
                var child = children[i];
                if (child.Kind == LinkKind.Directory
                    && (!options.SameFileSystem || child.Status.Identity.Volume == status.Identity.Volume))
                {
                    pending.Push(child);
                }
            }

            foreach (var child in children)
            {
                yield return child;
            }

        }
    }

    /// <summary>The status of one path (following links or not); null when nothing is there.</summary>
    public static FileStatus? StatPath(string path, bool followLinks)
    {
        if (OperatingSystem.IsLinux())
        {
            if (UnixFile.TryStatx(path, followLinks ? 0 : Libc.AT_SYMLINK_NOFOLLOW, out var stx))
            {
                return ToStatus(stx);
            }

            var errno = Marshal.GetLastPInvokeError();
            // Nothing there, or (following links) a dangling link or a loop of links.
            return errno is Libc.ENOENT or Libc.ENOTDIR || (followLinks && errno == Libc.ELOOP) ? null : throw UnixErrors.ToException(errno, path);
        }

        var entry = followLinks ? LinkPlatform.Current.StatFollowingLinks(path) : LinkPlatform.Current.Stat(path);
        return entry.Kind == LinkKind.Missing ? null : PortableStatus(path, entry);
    }

    internal static FileStatus ToStatus(in Libc.Statx stx)
    {
        var raw = UnixFile.ToRawEntry(stx);
        return new FileStatus
        {
            Kind = raw.Kind,
            Mode = stx.stx_mode & 0xFFFu,
            Uid = stx.stx_uid,
            Gid = stx.stx_gid,
            Size = (long)stx.stx_size,
            AllocatedBytes = (long)stx.stx_blocks * 512,
            LinkCount = stx.stx_nlink,
            Identity = raw.Identity,
            ModifiedTime = new FileTime(stx.stx_mtime.tv_sec, stx.stx_mtime.tv_nsec),
            AccessTime = new FileTime(stx.stx_atime.tv_sec, stx.stx_atime.tv_nsec),
            ChangeTime = new FileTime(stx.stx_ctime.tv_sec, stx.stx_ctime.tv_nsec),
            IsComplete = true,
        };
    }

    private static unsafe void ReadLinuxDirectory(TreeEntry directory, WalkOptions options, List<TreeEntry> children)
    {
        var native = NativePath.ToNullTerminatedBytes(directory.FullPath);
        int fd;
        fixed (byte* p = native)
        {
            // The root may be reached through a link (like find -H); below it nothing is followed.
            fd = Libc.open(p, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC | Libc.O_NONBLOCK | (directory.Depth == 0 ? 0 : Libc.O_NOFOLLOW), 0);
        }

        if (fd < 0)
        {
            throw UnixErrors.ToException(Marshal.GetLastPInvokeError(), directory.FullPath);
        }

        var handle = Libc.fdopendir(fd);
        if (handle == 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            _ = Libc.close(fd);
            throw UnixErrors.ToException(errno, directory.FullPath);
        }

        try
        {
            var prefix = directory.FullPath.EndsWith('/') ? directory.FullPath : directory.FullPath + "/";
            // Where the relative path starts in a child's full path: after the root and its '/'.
            var relativeStart = prefix.Length - (directory.Depth == 0 ? 0 : directory.RelativePath.Length + 1);
            while (true)
            {
                Marshal.SetLastPInvokeError(0);
                var dirent = (byte*)Libc.readdir(handle);
                if (dirent is null)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno != 0)
                    {
                        throw UnixErrors.ToException(errno, directory.FullPath);
                    }

                    break;
                }

                var nameBytes = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(dirent + Libc.DirentNameOffset);
                if (nameBytes.SequenceEqual("."u8) || nameBytes.SequenceEqual(".."u8))
                {
                    continue;
                }

                var name = NativePath.FromBytes(nameBytes);
                var type = dirent[Libc.DirentTypeOffset];
                FileStatus status;
                if (options.StatEverything || type is Libc.DT_UNKNOWN or Libc.DT_DIR or Libc.DT_LNK)
                {
                    Libc.Statx stx;
                    int rc;
                    fixed (byte* n = nameBytes)
                    {
                        // nameBytes is NUL-terminated in the dirent itself.
                        rc = Libc.statx(fd, n, Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, &stx);
                    }

                    if (rc != 0)
                    {
                        options.OnError?.Invoke(UnixErrors.ToException(Marshal.GetLastPInvokeError(), prefix + name));
                        continue;
                    }

                    status = ToStatus(stx);
                }
                else
                {
                    status = new FileStatus { Kind = type == Libc.DT_REG ? LinkKind.File : LinkKind.Special };
                }

                children.Add(new TreeEntry(prefix + name, relativeStart, directory.Depth + 1, status, directory));
            }
        }
        finally
        {
            _ = Libc.closedir(handle);
        }
    }

    private static void ReadPortableDirectory(TreeEntry directory, List<TreeEntry> children)
    {
        IEnumerable<string> names;
        try
        {
            names = Directory.EnumerateFileSystemEntries(directory.FullPath).ToList();
        }
        catch (UnauthorizedAccessException error)
        {
            throw new LinkAccessDeniedException(directory.FullPath, error.Message);
        }
        catch (IOException error) when (error is not LinksmithException)
        {
            throw new LinkSystemException(directory.FullPath, error.Message, error.HResult);
        }

        var relativePrefix = directory.Depth == 0 ? string.Empty : directory.RelativePath + Path.DirectorySeparatorChar;
        foreach (var path in names)
        {
            var entry = LinkPlatform.Current.Stat(path);
            if (entry.Kind == LinkKind.Missing)
            {
                continue;
            }

            children.Add(new TreeEntry(path, relativePrefix + Path.GetFileName(path), directory.Depth + 1, PortableStatus(path, entry), directory));
        }
    }

    private static FileStatus PortableStatus(string path, RawEntry entry)
    {
        var info = new FileInfo(path);
        var readOnly = entry.Kind == LinkKind.File && (info.Attributes & FileAttributes.ReadOnly) != 0;
        return new FileStatus
        {
            Kind = entry.Kind,
            Mode = OperatingSystem.IsWindows() ? (readOnly ? 1u : 0u) : (uint)info.UnixFileMode,
            Size = entry.Size,
            AllocatedBytes = entry.Size,
            LinkCount = entry.LinkCount,
            Identity = entry.Identity,
            ModifiedTime = FileTime.FromDateTime(info.LastWriteTimeUtc),
            AccessTime = FileTime.FromDateTime(info.LastAccessTimeUtc),
            ChangeTime = FileTime.FromDateTime(info.LastWriteTimeUtc),
            IsComplete = true,
        };
    }
}
