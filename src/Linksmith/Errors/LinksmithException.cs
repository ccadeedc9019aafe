namespace Linksmith;

/// <summary>
/// Base of every error Linksmith reports about a path. <see cref="Reason"/> says what went
/// wrong, <see cref="Hint"/> what to do about it, and <see cref="Path"/> which path it concerns.
/// </summary>
public abstract class LinksmithException : IOException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    protected LinksmithException(string path, string reason, string hint, Exception? innerException = null)
        : base(ComposeMessage(path, reason, hint), innerException)
    {
        Path = path;
        Reason = reason;
        Hint = hint;
    }

    /// <summary>The path the error is about, as the caller gave it.</summary>
    public string Path { get; }

    /// <summary>What went wrong, in one sentence without the path.</summary>
    public string Reason { get; }

    /// <summary>What to do about it; empty when there is nothing useful to suggest.</summary>
    public string Hint { get; }

    /// <summary>
    /// Translates a failure that System.IO (or the runtime) threw about <paramref name="path"/>
    /// into the <see cref="LinksmithException"/> that says what went wrong and what to do; one that
    /// already is a <see cref="LinksmithException"/> is returned as it is. The exception's own
    /// message is never used: a trimmed application may carry only resource keys there.
    /// </summary>
    /// <param name="error">What was thrown.</param>
    /// <param name="path">The path the user gave, or the one the failure concerns.</param>
    public static LinksmithException FromSystemError(Exception error, string path)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(path);
        return SystemErrors.Translate(error, path);
    }

    private static string ComposeMessage(string path, string reason, string hint) =>
        hint.Length == 0 ? $"{path}: {reason}" : $"{path}: {reason}. {hint}";
}

/// <summary>
/// The operation cannot be done on this platform, file system or with this privilege, whatever
/// the paths: a hard link across volumes, a missing symlink privilege, a file system without links.
/// </summary>
public abstract class NotPossibleHereException : LinksmithException
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    protected NotPossibleHereException(string path, string reason, string hint, Exception? innerException = null)
        : base(path, reason, hint, innerException)
    {
    }
}

/// <summary>A hard link was asked for between two volumes; hard links live on one volume.</summary>
public sealed class CrossVolumeHardLinkException(string linkPath, string targetPath)
    : NotPossibleHereException(
        linkPath,
        $"cannot hard-link to '{targetPath}': it is on another volume (file system)",
        "Hard links only work within one volume; make a symbolic link instead, which can cross volumes")
{
    /// <summary>The existing file the hard link was meant to name.</summary>
    public string TargetPath { get; } = targetPath;
}

/// <summary>Windows refused to create a symbolic link for lack of privilege (error 1314).</summary>
public sealed class SymbolicLinkPrivilegeException(string linkPath, bool targetIsDirectory)
    : NotPossibleHereException(
        linkPath,
        "creating symbolic links needs a privilege this process does not hold",
        targetIsDirectory
            ? "Turn on Developer Mode (Settings > System > For developers), run from an elevated prompt, or make a junction instead, which needs no privilege"
            : "Turn on Developer Mode (Settings > System > For developers), run from an elevated prompt, or make a hard link if the file is on the same volume")
{
    /// <summary>Whether the link was meant to point to a directory.</summary>
    public bool TargetIsDirectory { get; } = targetIsDirectory;
}

/// <summary>The file system (or platform) cannot hold this kind of link.</summary>
public sealed class LinksNotSupportedException(string path, string what)
    : NotPossibleHereException(
        path,
        $"this file system does not support {what}",
        "Put the link on a file system that supports it (NTFS, ext4, XFS, Btrfs), or use another kind of link")
{
}

/// <summary>
/// Data blocks cannot be shared copy-on-write (a reflink) here: the file system has no reflinks,
/// or the two files are on different file systems.
/// </summary>
public sealed class ReflinksNotSupportedException(string path, string? reason = null, string? hint = null)
    : NotPossibleHereException(
        path,
        reason ?? "this file system cannot share data blocks between files (reflinks)",
        hint ?? "Reflinks need Btrfs, XFS (made with reflink=1, the default since xfsprogs 5.1) or bcachefs on Linux, ReFS or a Dev Drive on Windows; hard links work everywhere else")
{
}

/// <summary>
/// Extended attributes, ACLs or alternate data streams cannot be carried over on this platform
/// (<c>--xattrs</c> works on Linux and Windows only).
/// </summary>
public sealed class ExtendedAttributesNotSupportedException(string path)
    : NotPossibleHereException(
        path,
        "carrying extended attributes over is not possible on this platform",
        "Leave out --xattrs; on Linux it carries user.* attributes (as root also trusted.*, security.* and POSIX ACLs), on Windows alternate data streams and ACLs")
{
}

/// <summary>A junction was requested with strict semantics on a platform without junctions.</summary>
public sealed class JunctionNotSupportedException(string linkPath)
    : NotPossibleHereException(
        linkPath,
        "junctions exist only on Windows",
        "Leave out strict mode to get an absolute directory symbolic link instead")
{
}

/// <summary>The link's target does not exist (and this kind of link cannot dangle).</summary>
public sealed class TargetNotFoundException(string targetPath, string? linkPath = null)
    : LinksmithException(
        targetPath,
        "no such file or directory",
        linkPath is null
            ? "Check the spelling; a relative path is taken from the current directory"
            : "Check the spelling; a relative target is taken from the current directory, not from the link's folder")
{
    /// <summary>The link that was to be created, if any.</summary>
    public string? LinkPath { get; } = linkPath;
}

/// <summary>The link's name is taken by an existing file, directory or link.</summary>
public sealed class LinkNameExistsException(string linkPath, LinkKind existingKind)
    : LinksmithException(
        linkPath,
        $"already exists (a {existingKind.Describe()})",
        "Choose another name, or ask to replace it (the replacement is atomic)")
{
    /// <summary>What is already there.</summary>
    public LinkKind ExistingKind { get; } = existingKind;
}

/// <summary>A replacement was refused because it would destroy a directory with contents.</summary>
public sealed class ReplaceRefusedException(string linkPath, string reason)
    : LinksmithException(linkPath, reason, "Linksmith never replaces a non-empty directory; move or delete it yourself first")
{
}

/// <summary>The file already has as many names as its file system allows.</summary>
public sealed class HardLinkLimitException(string targetPath, long linkCount)
    : LinksmithException(
        targetPath,
        $"has reached the file system's limit of hard links per file ({linkCount} names)",
        "Make a copy of the file and link to the copy, or use a symbolic link")
{
    /// <summary>How many names the file has.</summary>
    public long LinkCount { get; } = linkCount;
}

/// <summary>A path, or one of its names, is longer than the platform allows.</summary>
public sealed class LinkPathTooLongException(string path)
    : LinksmithException(
        path,
        "the path or one of its names is too long for this system",
        "Shorten the path or a name in it (Linux: 255 bytes per name, 4095 per path; Windows: enable long paths)")
{
}

/// <summary>The path is not a link, so removing it as a link was refused.</summary>
public sealed class NotALinkException(string path, LinkKind kind)
    : LinksmithException(
        path,
        $"is a {kind.Describe()}, not a link",
        kind == LinkKind.Directory
            ? "Only links are removed; to delete a real directory use your file manager or rm -r"
            : "Only links are removed; a file with a single name is real data, delete it with rm if you mean to")
{
    /// <summary>What the path is.</summary>
    public LinkKind Kind { get; } = kind;
}

/// <summary>The operating system denied access to a path.</summary>
public sealed class LinkAccessDeniedException(string path, string detail, string? hint = null)
    : LinksmithException(path, $"permission denied ({detail})", hint ?? "Check the permissions of the path and its folder, or run with the needed rights")
{
}

/// <summary>Any other operating-system error, with the system's own description.</summary>
public sealed class LinkSystemException(string path, string detail, int errorCode, string hint = "")
    : LinksmithException(path, detail, hint)
{
    /// <summary>The errno (Unix) or Win32 error code.</summary>
    public int ErrorCode { get; } = errorCode;
}

/// <summary>A directory was expected (to put several links in) but the path is not one.</summary>
public sealed class NotADirectoryException(string path, LinkKind kind, string? hint = null)
    : LinksmithException(
        path,
        kind == LinkKind.Missing ? "no such directory" : $"is a {kind.Describe()}, not a directory",
        hint ?? "With several targets the last argument must be an existing directory (a link to one does not count)")
{
    /// <summary>What the path is.</summary>
    public LinkKind Kind { get; } = kind;
}

/// <summary>A tree job whose destination lies inside its source, or the other way round.</summary>
public sealed class TreeNestingException(string destinationPath, string sourcePath, bool destinationInsideSource)
    : LinksmithException(
        destinationPath,
        destinationInsideSource
            ? $"is inside the source '{sourcePath}': the copy would copy itself"
            : $"contains the source '{sourcePath}': the job would work on its own output",
        "Choose a destination outside the source (and a source outside the destination)")
{
    /// <summary>The source of the job.</summary>
    public string SourcePath { get; } = sourcePath;
}

/// <summary>Another backup into the same repository is running.</summary>
public sealed class BackupInProgressException(string repositoryPath)
    : LinksmithException(repositoryPath, "another backup into this repository is running", "Wait for it to finish; two backups at once would link to each other's unfinished snapshots")
{
}

/// <summary>
/// An entry stopped being what the walk saw (another process replaced it, or a folder on its
/// path, by a link or another file) while a job worked on the tree; it was left alone.
/// </summary>
public sealed class TreeChangedException(string path, string detail)
    : LinksmithException(path, $"changed while the job ran: {detail}", "Another process is changing this tree; nothing outside it was touched. Run the job again when the tree is quiet")
{
}

/// <summary>A FIFO, socket or device was given where a regular file's contents are to be copied; nothing was written.</summary>
public sealed class NotARegularFileException(string path)
    : LinksmithException(path, "is a special file (a FIFO, socket or device), not a regular file; only a regular file's contents are copied", "Pick the regular file or folder you meant")
{
}

/// <summary>
/// A file's size, modification time or change time moved while it was copied (another program
/// wrote to it): the copy may be torn. It was tried twice; copy and mirror then discard their copy,
/// a backup keeps what it read but not the file's modification time, so the next backup copies it again.
/// </summary>
public sealed class ChangedWhileCopyingException(string path, string detail, bool kept)
    : LinksmithException(
        path,
        $"changed while copying ({detail})",
        kept
            ? "The snapshot holds what was read, without the file's modification time, so the next backup copies it again; stop the program writing to it for a consistent copy"
            : "It was tried twice and not copied; run the job again when nothing writes to it")
{
    /// <summary>Whether the possibly torn copy was kept (a backup) rather than discarded.</summary>
    public bool Kept { get; } = kept;
}

/// <summary>A path that <c>delete</c> never removes: the root of a file system, the user's home.</summary>
public sealed class DeleteRefusedException(string path, string reason)
    : LinksmithException(path, $"{reason}; refusing to delete it", "Name the folders inside it that you mean to delete")
{
}

/// <summary>A manifest line that cannot be read.</summary>
public sealed class ManifestFormatException(string path, int line, string problem)
    : LinksmithException(path, $"line {line} of the snapshot manifest {problem}", "The manifest is damaged: `linksmith snapshots verify` cannot use it; the snapshot's files are not affected")
{
}

/// <summary>A snapshot named on the command line is not a complete snapshot in the repository.</summary>
public sealed class SnapshotNotFoundException(string path)
    : LinksmithException(path, "is not a snapshot in this repository", "Run `linksmith snapshots list REPO` for the names (YYYY-MM-DD_HHMMSS)")
{
}

/// <summary><c>snapshots restore</c> was asked to write into the repository itself.</summary>
public sealed class RestoreIntoRepositoryException(string destinationPath, string repositoryPath)
    : LinksmithException(destinationPath, $"lies inside the repository '{repositoryPath}'; a restore never writes into it", "Choose a destination outside the repository")
{
}
