using Linksmith.Interop;

namespace Linksmith;

/// <summary>Turns an errno from a link call into the exception that tells the user what to do.</summary>
internal static class UnixErrors
{
    /// <param name="errno">The error, read right after the failing call.</param>
    /// <param name="path">The path the user will recognise (usually the link's name).</param>
    /// <param name="otherPath">The second path of a two-path call (the target of a hard link).</param>
    /// <param name="linkCount">For link(): how many names the target had, for EMLINK.</param>
    public static LinksmithException ToException(int errno, string path, string? otherPath = null, long linkCount = 0) => errno switch
    {
        Libc.EEXIST => new LinkNameExistsException(path, LinkPlatform.Current.Stat(path).Kind),
        Libc.ENOENT => new TargetNotFoundException(otherPath ?? path, otherPath is null ? null : path),
        Libc.EXDEV => new CrossVolumeHardLinkException(path, otherPath ?? path),
        Libc.EMLINK => new HardLinkLimitException(otherPath ?? path, linkCount),
        Libc.ENAMETOOLONG => new LinkPathTooLongException(path),
        Libc.EACCES => new LinkAccessDeniedException(path, Libc.StrError(errno)),
        Libc.EROFS => new LinkSystemException(path, "the file system is mounted read-only", errno, "Choose a place on another file system, or remount this one read-write"),
        Libc.ENOSPC => new LinkSystemException(path, "no space left on the file system", errno, "Free some space there, or choose a place on another file system"),
        Libc.EDQUOT => new LinkSystemException(path, "your disk quota on this file system is used up", errno, "Free some of your space there, or choose a place on another file system"),
        Libc.EPERM when otherPath is not null => HardLinkRefused(path, otherPath),
        Libc.EPERM => new LinkAccessDeniedException(path, Libc.StrError(errno)),
        Libc.EOPNOTSUPP or Libc.ENOSYS => new LinksNotSupportedException(path, "this kind of link"),
        Libc.ELOOP => new LinkSystemException(path, "too many levels of symbolic links (a loop)", errno),
        Libc.ENOTDIR => new LinkSystemException(path, "a component of the path is not a directory", errno),
        _ => new LinkSystemException(path, Libc.StrError(errno), errno),
    };

    /// <summary>
    /// link(2) answers EPERM both when "the file system containing oldpath and newpath does not
    /// support the creation of hard links" (vfat, some FUSE) and when it refused this one: Linux's
    /// fs.protected_hardlinks (a caller who does not own the file and cannot both read and write
    /// it, or a set-user-ID file), or an immutable or append-only file (chattr +i, +a). Only the
    /// first is "not possible here" (exit 3); the others are a permission error about the file.
    /// </summary>
    private static LinksmithException HardLinkRefused(string linkPath, string existingPath)
    {
        if (!UnixFile.TryStatx(existingPath, Libc.AT_SYMLINK_NOFOLLOW, out var file))
        {
            return new LinkAccessDeniedException(linkPath, Libc.StrError(Libc.EPERM));
        }

        // link(2) also answers EPERM for a directory, which no Linux file system hard-links.
        if ((file.stx_mode & Libc.S_IFMT) == Libc.S_IFDIR)
        {
            return new LinksNotSupportedException(linkPath, "hard links to directories");
        }

        if ((file.stx_attributes & (Libc.STATX_ATTR_IMMUTABLE | Libc.STATX_ATTR_APPEND)) != 0)
        {
            return new LinkAccessDeniedException(existingPath, "the file is immutable or append-only", "Its attributes (lsattr) forbid new names; chattr -i or -a lifts that, as root");
        }

        var caller = Libc.geteuid();
        if (caller != 0 && caller != file.stx_uid && ProtectedHardlinks())
        {
            return new LinkAccessDeniedException(
                existingPath,
                "the system forbids hard links to another user's file you cannot both read and write (fs.protected_hardlinks)",
                "Link it as its owner or as root, or make a symbolic link instead");
        }

        return new LinksNotSupportedException(linkPath, "hard links");
    }

    private static bool ProtectedHardlinks()
    {
        try
        {
            return File.ReadAllText("/proc/sys/fs/protected_hardlinks").Trim() != "0";
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // Not Linux, or no /proc: assume the refusal came from such a rule rather than claim
            // the file system has no hard links.
            return true;
        }
    }
}
