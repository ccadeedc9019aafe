namespace Linksmith;

/// <summary>
/// The operating-system half of the link primitives. One subclass per OS with the same members;
/// each turns native errors into <see cref="LinksmithException"/>s naming the user's path.
/// All paths given here are full paths.
/// </summary>
internal abstract class LinkPlatform
{
    public static LinkPlatform Current { get; } = Create();

    public abstract bool SupportsJunctions { get; }

    /// <summary>Whether the OS may keep a list of a file's names (Windows); it can still turn out not to, see <see cref="EnumerateNames"/>.</summary>
    public abstract bool CanEnumerateNames { get; }

    /// <summary>Describes the path itself (lstat); <see cref="FileStatus.Missing"/> when nothing is there.</summary>
    public abstract FileStatus Stat(string path);

    /// <summary>Describes what the path leads to after following links (stat); <see cref="FileStatus.Missing"/> or <see cref="FileStatus.Loop"/> when that fails.</summary>
    public abstract FileStatus StatFollowingLinks(string path);

    /// <summary>The target text stored in a symbolic link or junction.</summary>
    public abstract string ReadLinkTarget(string path);

    public abstract bool IsAbsoluteTargetText(string targetText);

    /// <summary>Turns stored target text into a path that <see cref="Path.Combine(string, string)"/> understands.</summary>
    public abstract string NormalizeTargetText(string targetText);

    public abstract bool SameVolume(FileIdentity directory, FileIdentity file, string directoryPath, string filePath);

    /// <summary>Whether a (possibly missing) target lies on the same volume as an existing directory.</summary>
    public abstract bool SameVolumeByPath(string directory, string targetPath);

    /// <summary>The directory with links in its path resolved, when it exists; else unchanged.</summary>
    public abstract string CanonicalizeDirectory(string directory);

    public abstract bool IsEmptyDirectory(string path);

    public abstract void CreateSymbolicLink(string linkPath, string targetText, bool targetIsDirectory);

    public abstract void CreateHardLink(string linkPath, string existingPath);

    public abstract void CreateJunction(string linkPath, string targetDirectory);

    /// <summary>Removes the link itself; never follows it.</summary>
    public abstract void RemoveLink(string path, FileStatus entry);

    /// <summary>
    /// All names of the file on its volume, asked of the OS (only when <see cref="CanEnumerateNames"/>).
    /// Throws <see cref="LinksNotSupportedException"/> when the OS cannot answer after all; the
    /// caller then walks the volume.
    /// </summary>
    public abstract IEnumerable<string> EnumerateNames(string path);

    /// <summary>The mount point (Linux) or volume root (Windows) that holds <paramref name="path"/>.</summary>
    public abstract string GetVolumeRoot(string path);

    private static LinkPlatform Create()
    {
        if (OperatingSystem.IsWindows())
        {
            return new WindowsLinkPlatform();
        }

        return new UnixLinkPlatform();
    }
}
