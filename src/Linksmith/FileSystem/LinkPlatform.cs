namespace Linksmith;

/// <summary>What the platform layer reports about one path.</summary>
/// <param name="Kind">What the path is.</param>
/// <param name="LinkCount">Number of names of the path itself.</param>
/// <param name="Identity">Volume and file id of the path itself.</param>
/// <param name="Size">Size of the path itself in bytes.</param>
/// <param name="TargetIsDirectory">For a link: whether it is marked as a directory link (Windows); else whether the path is a directory.</param>
/// <param name="IsLoop">For a path that was followed: whether a loop of links stopped it.</param>
internal readonly record struct RawEntry(
    LinkKind Kind,
    long LinkCount,
    FileIdentity Identity,
    long Size,
    bool TargetIsDirectory,
    bool IsLoop = false)
{
    public static RawEntry Missing { get; } = new(LinkKind.Missing, 0, default, 0, false);

    public static RawEntry Loop { get; } = new(LinkKind.Missing, 0, default, 0, false, IsLoop: true);
}

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

    /// <summary>Describes the path itself (lstat); <see cref="RawEntry.Missing"/> when nothing is there.</summary>
    public abstract RawEntry Stat(string path);

    /// <summary>Describes what the path leads to after following links (stat); Missing or Loop when that fails.</summary>
    public abstract RawEntry StatFollowingLinks(string path);

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
    public abstract void RemoveLink(string path, RawEntry entry);

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
