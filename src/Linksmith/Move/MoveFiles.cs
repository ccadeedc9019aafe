using Linksmith.Interop;

namespace Linksmith;

/// <summary>The few file operations a move needs beyond the link primitives and the tree engine.</summary>
internal static class MoveFiles
{
    /// <summary>
    /// Renames <paramref name="source"/> to <paramref name="destination"/>, failing (and changing
    /// nothing) when the destination exists: a move never lands on someone else's name. Both are
    /// explicit paths: their parents are opened (a link on the way followed, as for any explicit
    /// argument) and the names renamed relative to them, so neither last name is followed.
    /// </summary>
    public static void RenameNoReplace(string source, string destination)
    {
        var (sourceParent, sourceName) = DirectoryHandle.OpenParent(source);
        using (sourceParent)
        {
            var (destinationParent, destinationName) = DirectoryHandle.OpenParent(destination);
            using (destinationParent)
            {
                sourceParent.RenameTo(sourceName, destinationParent, destinationName, replace: false);
            }
        }
    }

    /// <summary>
    /// Makes what was written to the file system that holds <paramref name="path"/> durable, so a
    /// power cut after the original is deleted cannot leave a copy that was only in memory.
    /// </summary>
    public static void SyncFileSystem(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            // Windows writes through CopyFileEx; there is no per-volume flush without administrator rights.
            return;
        }

        // The copy was made inside its parent, so the parent is on the file system to flush.
        var (parent, _) = DirectoryHandle.OpenParent(path);
        using (parent)
        {
            ((UnixDirectoryHandle)parent).SyncFileSystem();
        }
    }

    /// <summary>
    /// Whether a rename can carry <paramref name="path"/> into <paramref name="directory"/>: the
    /// same file system and, on Linux, the same mount (rename(2) refuses to cross bind mounts too).
    /// </summary>
    public static bool CanRename(string path, string directory)
    {
        if (OperatingSystem.IsLinux())
        {
            return PathFacts.SameMount(path, directory);
        }

        var source = LinkPlatform.Current.Stat(path);
        var target = LinkPlatform.Current.StatFollowingLinks(directory);
        return source.Kind != LinkKind.Missing && target.Kind != LinkKind.Missing && source.Identity.Volume == target.Identity.Volume;
    }

    /// <summary>Bytes free for this user on the file system that holds the directory.</summary>
    public static long AvailableBytes(string directory)
    {
        try
        {
            // DriveInfo asks statvfs (Unix) or GetDiskFreeSpaceEx (Windows) about the path's file system.
            return new DriveInfo(directory).AvailableFreeSpace;
        }
        catch (Exception error) when (error is IOException or ArgumentException or UnauthorizedAccessException)
        {
            // Unknown: let the copy itself find out; ENOSPC then rolls the move back.
            return long.MaxValue;
        }
    }

    /// <summary>
    /// Which files a copy into <paramref name="directory"/> keeps sparse: on Windows those marked
    /// sparse where its volume has sparse files (FILE_SUPPORTS_SPARSE_FILES), none elsewhere (FAT,
    /// exFAT) or where Windows does not say; on Linux any file with holes (SEEK_DATA / SEEK_HOLE).
    /// </summary>
    public static HoleKeeping HoleKeepingOf(string directory)
    {
        if (!OperatingSystem.IsWindows())
        {
            return HoleKeeping.AnyFile;
        }

        using var handle = DirectoryHandle.Open(directory);
        return ((WindowsDirectoryHandle)handle).VolumeHasSparseFiles() ? HoleKeeping.SparseFiles : HoleKeeping.None;
    }

    /// <summary>
    /// Windows: the first file under <paramref name="root"/> that another program holds open
    /// without sharing, the usual reason a folder cannot be renamed; null if none is found.
    /// </summary>
    public static string? FindFileInUse(string root)
    {
        if (!OperatingSystem.IsWindows())
        {
            return null;
        }

        foreach (var entry in TreeWalker.Walk(root, new WalkOptions { StatEverything = false }))
        {
            if (entry.Kind != LinkKind.File)
            {
                continue;
            }

            try
            {
                // Asking for exclusive access fails with a sharing violation while anyone else has it open.
                using var handle = File.OpenHandle(entry.FullPath, FileMode.Open, FileAccess.Read, FileShare.None);
            }
            catch (IOException error) when ((error.HResult & 0xFFFF) == Kernel32.ERROR_SHARING_VIOLATION)
            {
                return entry.FullPath;
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                // Not this file's sharing; keep looking.
            }
        }

        return null;
    }
}
