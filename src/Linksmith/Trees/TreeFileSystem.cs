namespace Linksmith;

/// <summary>
/// The file operations the tree engine needs, one implementation per platform. Every call works
/// on the path itself and never follows a link; failures become <see cref="LinksmithException"/>s.
/// </summary>
internal abstract class TreeFileSystem
{
    public static TreeFileSystem Current { get; } = OperatingSystem.IsLinux() ? new UnixTreeFileSystem() : new PortableTreeFileSystem();

    /// <summary>Whether owner and group can be carried over (running as root on Unix).</summary>
    public abstract bool CanPreserveOwner { get; }

    /// <summary>Creates a directory; an existing directory is fine.</summary>
    public abstract void CreateDirectory(string path);

    /// <summary>
    /// Copies a regular file's contents to a new <paramref name="destination"/> (which must not
    /// exist), with the mode, times and, where possible, owner of <paramref name="status"/>.
    /// Returns the bytes copied.
    /// </summary>
    public abstract long CopyFile(string source, string destination, in FileStatus status);

    /// <summary>A new name <paramref name="link"/> for <paramref name="existing"/>.</summary>
    public abstract void HardLink(string existing, string link);

    public abstract void Symlink(string targetText, string link, bool targetIsDirectory);

    public abstract string ReadLink(string path);

    /// <summary>Sets times, mode and owner of a directory or a symlink itself (symlinks: times and owner only).</summary>
    public abstract void SetMetadata(string path, in FileStatus status);

    /// <summary>Renames, replacing a non-directory at <paramref name="destination"/> atomically.</summary>
    public abstract void Rename(string source, string destination);

    /// <summary>Removes a file, a link (as a link) or an empty directory.</summary>
    public abstract void RemoveEntry(string path, LinkKind kind);

    /// <summary>The names in a directory, without . and ..</summary>
    public abstract IEnumerable<string> ListNames(string directory);

    /// <summary>
    /// Deletes <paramref name="path"/> and, for a real directory, everything in it, bottom-up.
    /// A link anywhere inside is removed as a link and never followed, so nothing outside the
    /// tree can be touched. Returns the entries deleted.
    /// </summary>
    public long DeleteTree(string path, Action<LinksmithException>? onError = null)
    {
        var status = TreeWalker.StatPath(path, followLinks: false);
        if (status is null)
        {
            return 0;
        }

        if (status.Value.Kind != LinkKind.Directory)
        {
            RemoveEntry(path, status.Value.Kind);
            return 1;
        }

        var directories = new List<string>();
        long deleted = 0;
        // The walk itself never follows links below its root; the root here is a real directory.
        foreach (var entry in TreeWalker.Walk(path, new WalkOptions { StatEverything = false, OnError = onError }))
        {
            if (entry.Kind == LinkKind.Directory)
            {
                directories.Add(entry.FullPath);
                continue;
            }

            try
            {
                RemoveEntry(entry.FullPath, entry.Kind);
                deleted++;
            }
            catch (LinksmithException error) when (onError is not null)
            {
                onError(error);
            }
        }

        for (var i = directories.Count - 1; i >= 0; i--)
        {
            try
            {
                RemoveEntry(directories[i], LinkKind.Directory);
                deleted++;
            }
            catch (LinksmithException error) when (onError is not null)
            {
                onError(error);
            }
        }

        return deleted;
    }
}
