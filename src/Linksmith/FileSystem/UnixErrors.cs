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
        Libc.EROFS => new LinkAccessDeniedException(path, Libc.StrError(errno)),
        // link(2): "The file system containing oldpath and newpath does not support the
        // creation of hard links" (FAT, some FUSE), and symlink(2) likewise.
        Libc.EPERM when otherPath is not null => new LinksNotSupportedException(path, "this kind of link, or refused it"),
        Libc.EPERM => new LinkAccessDeniedException(path, Libc.StrError(errno)),
        Libc.EOPNOTSUPP or Libc.ENOSYS => new LinksNotSupportedException(path, "this kind of link"),
        Libc.ELOOP => new LinkSystemException(path, "too many levels of symbolic links (a loop)", errno),
        Libc.ENOTDIR => new LinkSystemException(path, "a component of the path is not a directory", errno),
        _ => new LinkSystemException(path, Libc.StrError(errno), errno),
    };
}
