using System.Security.Cryptography;

namespace Linksmith;

/// <summary>
/// <see cref="DirectoryHandle"/> where there is no handle-relative layer (macOS): operations are
/// made by full path through System.IO and <see cref="LinkPlatform"/>, never following a link at
/// the entry itself, but a folder on the path that another process swaps for a link mid-run is
/// followed; <see cref="IsRaceFree"/> says so. Linux and Windows have their own handles.
/// </summary>
internal sealed class PortableDirectoryHandle(string path) : DirectoryHandle(path)
{
    public override bool IsRaceFree => false;

    public override DirectoryHandle OpenDirectory(string relativePath)
    {
        var full = FullPath(relativePath);
        return PathFacts.Stat(full, followLinks: false) switch
        {
            null => throw new TargetNotFoundException(full),
            { Kind: LinkKind.Directory } => new PortableDirectoryHandle(full),
            { } other => throw new TreeChangedException(full, $"is a {other.Kind.Describe()}, not a directory"),
        };
    }

    public override FileStatus? Stat(string relativePath) => PathFacts.Stat(FullPath(relativePath), followLinks: false);

    public override List<string> ListNames(string relativePath)
    {
        var full = FullPath(relativePath);
        return Guard(full, () => Directory.EnumerateFileSystemEntries(full).Select(static p => System.IO.Path.GetFileName(p)).ToList());
    }

    public override void CreateDirectory(string relativePath)
    {
        var full = FullPath(relativePath);
        Guard(full, () => Directory.CreateDirectory(full));
    }

    public override void Symlink(string relativePath, string targetText, bool targetIsDirectory) =>
        LinkPlatform.Current.CreateSymbolicLink(FullPath(relativePath), targetText, targetIsDirectory);

    public override void HardLink(string relativePath, DirectoryHandle existingRoot, string existingRelativePath) =>
        LinkPlatform.Current.CreateHardLink(FullPath(relativePath), existingRoot.FullPath(existingRelativePath));

    public override string ReadLink(string relativePath) => LinkPlatform.Current.ReadLinkTarget(FullPath(relativePath));

    public override void Rename(string fromRelativePath, string toRelativePath, bool replace)
    {
        var from = FullPath(fromRelativePath);
        var to = FullPath(toRelativePath);
        if (replace && OperatingSystem.IsWindows() && LinkPlatform.Current is WindowsLinkPlatform windows)
        {
            // Over a directory link, or a read-only name, as well as over a file.
            windows.RenameReplacing(from, to);
            return;
        }

        Guard(to, () =>
        {
            if (PathFacts.Stat(from, followLinks: false) is { Kind: LinkKind.Directory })
            {
                Directory.Move(from, to);
            }
            else
            {
                File.Move(from, to, overwrite: replace);
            }
        });
    }

    public override void RenameTo(string fromRelativePath, DirectoryHandle toRoot, string toRelativePath, bool replace)
    {
        var from = FullPath(fromRelativePath);
        var to = toRoot.FullPath(toRelativePath);
        if (OperatingSystem.IsWindows() && LinkPlatform.Current is WindowsLinkPlatform windows)
        {
            if (replace)
            {
                windows.RenameReplacing(from, to);
            }
            else
            {
                windows.RenameNoReplace(from, to);
            }

            return;
        }

        Guard(to, () =>
        {
            if (PathFacts.Stat(from, followLinks: false) is { Kind: LinkKind.Directory })
            {
                Directory.Move(from, to);
            }
            else
            {
                File.Move(from, to, overwrite: replace);
            }
        });
    }

    public override void Remove(string relativePath, LinkKind kind)
    {
        var full = FullPath(relativePath);
        LinkPlatform.Current.RemoveLink(full, LinkPlatform.Current.Stat(full) with { Kind = kind });
    }

    public override void SetMetadata(string relativePath, in FileStatus status)
    {
        var full = FullPath(relativePath);
        var copy = status;
        Guard(full, () =>
        {
            if (copy.Kind == LinkKind.Directory)
            {
                Directory.SetLastWriteTimeUtc(full, copy.ModifiedTime.ToDateTime());
            }
        });
    }

    public override void CheckReflink(DirectoryHandle sourceRoot, string sourceRelativePath) => throw NoReflinksHere();

    public override long CopyFile(string relativePath, DirectoryHandle sourceRoot, string sourceRelativePath, in FileStatus listed, bool replace = false, bool keepChanged = false, ReflinkMode reflink = ReflinkMode.Auto, AttributeCopy? attributes = null, IncrementalHash? contentHash = null)
    {
        if (reflink == ReflinkMode.Always)
        {
            throw NoReflinksHere();
        }

        if (attributes is not null)
        {
            // Alternate data streams and ACLs are not carried yet: refused before anything is written.
            throw new ExtendedAttributesNotSupportedException(FullPath(relativePath));
        }

        var source = sourceRoot.FullPath(sourceRelativePath);
        var status = PathFacts.Stat(source, followLinks: false) ?? throw new TargetNotFoundException(source);
        if (status.Kind != LinkKind.File)
        {
            throw listed.IsComplete && listed.Kind != LinkKind.File
                ? new NotARegularFileException(source)
                : new TreeChangedException(source, "is no longer a regular file");
        }

        // By path (see IsRaceFree), with the same rules as on Linux: written under a temporary
        // name, checked against a second look at the source, renamed into place. Sparse files are
        // not kept sparse here (File.Copy writes every byte).
        for (var attempt = 1; ; attempt++)
        {
            var temporary = FullPath(TemporaryName(relativePath));
            var destination = FullPath(relativePath);
            try
            {
                Guard(destination, () => File.Copy(source, temporary, overwrite: false));
                var after = PathFacts.Stat(source, followLinks: false) ?? throw new TargetNotFoundException(source);
                var changed = after.Size != status.Size || after.ModifiedTime != status.ModifiedTime;
                if (changed && (attempt == 1 || !keepChanged))
                {
                    File.Delete(temporary);
                    if (attempt == 1)
                    {
                        status = after;
                        continue;
                    }

                    throw new ChangedWhileCopyingException(source, "its size or modification time moved", kept: false);
                }

                if (contentHash is not null)
                {
                    // File.Copy never shows the bytes it moves: the copy is read once to hash it.
                    contentHash.GetHashAndReset();
                    Guard(temporary, () => HashInto(temporary, contentHash));
                }

                Guard(destination, () =>
                {
                    // A kept torn copy (backup) keeps the time File.Copy gave it, not the source's.
                    ApplyTimesAndMode(temporary, changed ? status with { ModifiedTime = FileTime.FromDateTime(File.GetLastWriteTimeUtc(temporary)) } : status);
                    if (replace)
                    {
                        File.Move(temporary, destination, overwrite: true);
                    }
                    else if (Stat(relativePath) is { } taken)
                    {
                        throw new LinkNameExistsException(destination, taken.Kind);
                    }
                    else
                    {
                        File.Move(temporary, destination, overwrite: false);
                    }
                });
                return changed ? throw new ChangedWhileCopyingException(source, "its size or modification time moved", kept: true) : status.Size;
            }
            catch (Exception error) when (error is not ChangedWhileCopyingException)
            {
                if (File.Exists(temporary))
                {
                    File.Delete(temporary);
                }

                throw;
            }
        }
    }

    private static void HashInto(string path, IncrementalHash contentHash)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        var buffer = new byte[1 << 20];
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            contentHash.AppendData(buffer, 0, read);
        }
    }

    public override IDisposable? TryLock(string name)
    {
        var full = FullPath(name);
        try
        {
            // FileShare.None: no other process can open it while the lock is held.
            return new FileStream(full, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException error) when (OperatingSystem.IsWindows()
            ? (error.HResult & 0xFFFF) is 32 or 33 // ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION
            : error.HResult == Interop.Libc.EAGAIN) // flock(LOCK_EX | LOCK_NB) answers EWOULDBLOCK
        {
            return null;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // A read-only or unwritable folder: not "another process holds the lock".
            throw SystemErrors.Translate(error, full);
        }
    }

    public override DeleteTally DeleteTree(string relativePath, DeleteOptions options)
    {
        var onError = options.OnError ?? (static error => throw error);
        var full = FullPath(relativePath);
        var status = PathFacts.Stat(full, followLinks: false);
        var tally = default(DeleteTally);
        if (status is null)
        {
            return tally;
        }

        void Delete(string path, LinkKind kind, long size, long linkCount)
        {
            try
            {
                if (!options.DryRun)
                {
                    LinkPlatform.Current.RemoveLink(path, LinkPlatform.Current.Stat(path) with { Kind = kind });
                }

                tally.Entries++;
                tally.Bytes += kind == LinkKind.File && linkCount <= 1 ? size : 0;
                options.OnDeleted?.Invoke(path, kind);
            }
            catch (LinksmithException error)
            {
                onError(error);
            }
        }

        if (status.Value.Kind != LinkKind.Directory)
        {
            Delete(full, status.Value.Kind, status.Value.Size, status.Value.LinkCount);
            return tally;
        }

        var directories = new List<TreeEntry>();
        // The walk never follows links below its root, and the root here is a real directory.
        foreach (var entry in TreeWalker.Walk(full, new WalkOptions { OnError = onError, SameFileSystem = true }))
        {
            options.Cancellation.ThrowIfCancellationRequested();
            if (entry.Kind == LinkKind.Directory)
            {
                directories.Add(entry);
                continue;
            }

            Delete(entry.FullPath, entry.Kind, entry.Status.Size, entry.Status.LinkCount);
        }

        for (var i = directories.Count - 1; i >= 0; i--)
        {
            Delete(directories[i].FullPath, LinkKind.Directory, 0, 1);
        }

        return tally;
    }

    /// <summary>Opens the file at <paramref name="relativePath"/> for reading (by path: see the class remarks).</summary>
    internal Microsoft.Win32.SafeHandles.SafeFileHandle OpenFileForRead(string relativePath)
    {
        var full = FullPath(relativePath);
        return Guard(full, () => File.OpenHandle(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.SequentialScan));
    }

    private static void ApplyTimesAndMode(string path, FileStatus status)
    {
        if (OperatingSystem.IsWindows())
        {
            File.SetLastWriteTimeUtc(path, status.ModifiedTime.ToDateTime());
            if (status.Mode == 1)
            {
                File.SetAttributes(path, File.GetAttributes(path) | FileAttributes.ReadOnly);
            }

            return;
        }

        File.SetUnixFileMode(path, (UnixFileMode)status.Mode);
        File.SetLastWriteTimeUtc(path, status.ModifiedTime.ToDateTime());
    }

    private static T Guard<T>(string path, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException && error is not LinksmithException)
        {
            throw SystemErrors.Translate(error, path);
        }
    }

    private static void Guard(string path, Action action) => Guard(path, () =>
    {
        action();
        return 0;
    });
}
