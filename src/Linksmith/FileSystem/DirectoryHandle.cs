using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace Linksmith;

/// <summary>
/// An open directory, and every operation a job makes in the tree below it, named relative to it.
/// A relative path ("a/b/c", '/' or the OS separator between names, never "..") is resolved
/// beneath this directory without following any link on the way, so a directory that another
/// process swaps for a link mid-run cannot steer the operation outside the tree: the operation
/// fails with <see cref="TreeChangedException"/> and nothing outside is touched.
/// </summary>
/// <remarks>
/// Only the directory handed to <see cref="Open"/> may be reached through a link (an explicit root
/// argument is followed once, as <c>find -H</c> does); below it nothing is followed. On Linux the
/// handle is a file descriptor and the operations are the <c>*at</c> system calls relative to the
/// descriptor of the entry's parent directory, itself opened with <c>openat2(RESOLVE_BENEATH |
/// RESOLVE_NO_SYMLINKS)</c> (or one <c>O_NOFOLLOW</c> component at a time on kernels before 5.6).
/// On Windows the handle is a directory HANDLE and entries are opened with <c>NtCreateFile</c>
/// relative to their parent's HANDLE with <c>FILE_OPEN_REPARSE_POINT</c> (see
/// <see cref="WindowsDirectoryHandle"/>). Elsewhere (macOS) the operations are made by path; see
/// <see cref="IsRaceFree"/>.
/// Methods are thread-safe: the copy workers of a tree job share the job's handles.
/// </remarks>
internal abstract class DirectoryHandle : IDisposable
{
    protected DirectoryHandle(string path) => Path = path;

    /// <summary>The directory's path as the user gave it, for messages.</summary>
    public string Path { get; private set; }

    /// <summary>
    /// Whether this is a directory the job made under a hidden name and renames into place once it
    /// is done (a new copy's destination, a backup's unfinished snapshot): nobody else writes in it
    /// and nothing in it has its real place yet, so new files are written under their own names
    /// (Linux), not under an unnamed or temporary one each: the folder is their temporary name.
    /// </summary>
    public bool Unpublished { get; private set; }

    /// <summary>
    /// Marks this directory <see cref="Unpublished"/>; messages name its entries at
    /// <paramref name="finalPath"/>, where they will be.
    /// </summary>
    public void MarkUnpublished(string finalPath)
    {
        Path = finalPath;
        Unpublished = true;
    }

    /// <summary>Whether operations are made relative to open handles (false: by path).</summary>
    public abstract bool IsRaceFree { get; }

    /// <summary>Whether owner and group can be carried over (running as root on Unix).</summary>
    public static bool CanPreserveOwner => OperatingSystem.IsLinux() && UnixDirectoryHandle.IsRoot;

    /// <summary>
    /// Opens the directory at <paramref name="path"/> (a link there is followed once, as for an
    /// explicit root argument).
    /// </summary>
    /// <exception cref="TargetNotFoundException">Nothing is there.</exception>
    /// <exception cref="NotADirectoryException">It is not a directory.</exception>
    public static DirectoryHandle Open(string path)
    {
        if (OperatingSystem.IsLinux())
        {
            return UnixDirectoryHandle.OpenRoot(path);
        }

        return OperatingSystem.IsWindows() ? WindowsDirectoryHandle.OpenRoot(path) : new PortableDirectoryHandle(System.IO.Path.GetFullPath(path));
    }

    /// <summary>Creates <paramref name="path"/> and its missing parents (like <c>mkdir -p</c>), then opens it.</summary>
    public static DirectoryHandle OpenOrCreate(string path)
    {
        if (PathFacts.Stat(path, followLinks: true) is null)
        {
            try
            {
                System.IO.Directory.CreateDirectory(path);
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException && error is not LinksmithException)
            {
                throw SystemErrors.Translate(error, path);
            }
        }

        return Open(path);
    }

    /// <summary>
    /// Deletes <paramref name="path"/> (an explicit path: its parent is opened, following links
    /// there once) and, for a directory, everything in it, as <see cref="DeleteTree(string, DeleteOptions)"/> does.
    /// </summary>
    /// <returns>The entries deleted.</returns>
    public static long DeleteTreeAt(string path, Action<LinksmithException>? onError = null)
    {
        var (parent, name) = OpenParent(path);
        using (parent)
        {
            return parent.DeleteTree(name, onError).Entries;
        }
    }

    /// <summary>Copies the file at <paramref name="sourcePath"/> to a new <paramref name="destinationPath"/> (explicit paths), as <see cref="CopyFile"/> does.</summary>
    /// <returns>The bytes copied.</returns>
    public static long CopyFileAt(string sourcePath, string destinationPath, in FileStatus listed, ReflinkMode reflink = ReflinkMode.Auto, AttributeCopy? attributes = null)
    {
        var (sourceParent, sourceName) = OpenParent(sourcePath);
        using (sourceParent)
        {
            var (destinationParent, destinationName) = OpenParent(destinationPath);
            using (destinationParent)
            {
                return destinationParent.CopyFile(destinationName, sourceParent, sourceName, listed, reflink: reflink, attributes: attributes);
            }
        }
    }

    /// <summary>The open parent directory of an explicit path, and the path's last name.</summary>
    public static (DirectoryHandle Parent, string Name) OpenParent(string path)
    {
        var full = System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(path));
        var parent = System.IO.Path.GetDirectoryName(full) ?? throw new ReplaceRefusedException(path, "is the root of the file system");
        return (Open(parent), System.IO.Path.GetFileName(full));
    }

    /// <summary>The full path of an entry below this directory, for messages and link texts.</summary>
    public string FullPath(string relativePath) => relativePath.Length == 0 ? Path : System.IO.Path.Join(Path, relativePath);

    /// <summary>Opens the directory at <paramref name="relativePath"/> below this one (empty: this one again).</summary>
    public abstract DirectoryHandle OpenDirectory(string relativePath);

    /// <summary>What the entry itself is (lstat); null when nothing is there.</summary>
    public abstract FileStatus? Stat(string relativePath);

    /// <summary>The names in the directory at <paramref name="relativePath"/>, without . and ..</summary>
    public abstract List<string> ListNames(string relativePath);

    /// <summary>Creates a directory (mode 0700 until its own mode is set); an existing directory is fine.</summary>
    public abstract void CreateDirectory(string relativePath);

    /// <summary>Creates a symbolic link storing <paramref name="targetText"/> as it is.</summary>
    public abstract void Symlink(string relativePath, string targetText, bool targetIsDirectory);

    /// <summary>A new name <paramref name="relativePath"/> for the file at <paramref name="existingRelativePath"/> below <paramref name="existingRoot"/>.</summary>
    public abstract void HardLink(string relativePath, DirectoryHandle existingRoot, string existingRelativePath);

    /// <summary>The text stored in a symbolic link (or junction).</summary>
    public abstract string ReadLink(string relativePath);

    /// <summary>Renames an entry below this directory; with <paramref name="replace"/> an entry (not a directory) at the new name is replaced atomically, else the rename fails when the name is taken.</summary>
    public abstract void Rename(string fromRelativePath, string toRelativePath, bool replace);

    /// <summary>
    /// Renames an entry below this directory to <paramref name="toRelativePath"/> below
    /// <paramref name="toRoot"/> (another open directory on the same file system), as
    /// <see cref="Rename"/> does within one directory. Without <paramref name="replace"/> the
    /// rename fails when the new name is taken (<see cref="LinkNameExistsException"/>).
    /// </summary>
    public abstract void RenameTo(string fromRelativePath, DirectoryHandle toRoot, string toRelativePath, bool replace);

    /// <summary>Removes a file, a link (as a link, never what it points to) or an empty directory.</summary>
    public abstract void Remove(string relativePath, LinkKind kind);

    /// <summary>Sets owner (when <see cref="CanPreserveOwner"/>), mode (not of a symlink) and times of an entry, without following it.</summary>
    public abstract void SetMetadata(string relativePath, in FileStatus status);

    /// <summary>
    /// Copies the regular file at <paramref name="sourceRelativePath"/> below <paramref name="sourceRoot"/>
    /// to a new <paramref name="relativePath"/> (which must not exist), with the source's mode,
    /// times and, where possible, owner, as read from the opened source itself.
    /// </summary>
    /// <param name="relativePath">The new file, below this directory.</param>
    /// <param name="sourceRoot">The directory the source is named from.</param>
    /// <param name="sourceRelativePath">The source, below <paramref name="sourceRoot"/>.</param>
    /// <param name="listed">The source as the walk saw it: a file that is no longer that file (another identity, or no longer a regular file) is refused with <see cref="TreeChangedException"/>.</param>
    /// <param name="replace">Whether an entry at <paramref name="relativePath"/> (not a directory) is replaced atomically; else the name must be free when the copy is renamed into place (<see cref="LinkNameExistsException"/>).</param>
    /// <param name="keepChanged">A file that changed while it was copied, both times it was tried: keep the copy without the source's modification time (a backup), rather than discard it.</param>
    /// <param name="reflink">Whether the copy shares the source's data blocks (see <see cref="ReflinkMode"/>); <see cref="ReflinkMode.Always"/> throws <see cref="ReflinksNotSupportedException"/> where it cannot, leaving nothing behind.</param>
    /// <param name="contentHash">
    /// When given, receives the bytes of the copy for a SHA-256 (a backup's manifest), read once:
    /// they are hashed as they pass between read and write (so not with copy_file_range, which
    /// never shows them); a reflink reads nothing, so then the source is read once to hash it.
    /// Reset at a second attempt, so it ends holding the bytes of the copy that was placed.
    /// </param>
    /// <returns>The bytes copied.</returns>
    /// <remarks>
    /// The copy is written under a temporary name beside <paramref name="relativePath"/> (see
    /// <see cref="TemporaryName"/>) and renamed into place once its contents and metadata are
    /// written, so an interrupted or failed copy never leaves a partial file under the real name.
    /// A sparse source's holes stay holes. A source whose size, modification or change time moved
    /// while it was read is copied once more; if it moves again,
    /// <see cref="ChangedWhileCopyingException"/>.
    /// </remarks>
    /// <exception cref="NotARegularFileException">The source is a FIFO, socket or device (as listed).</exception>
    /// <exception cref="ChangedWhileCopyingException">The source changed during both readings.</exception>
    /// <param name="attributes">Whether the source's extended attributes are carried over too (<c>--xattrs</c>; see <see cref="CopyAttributes"/>), and where those the destination cannot store are reported; null: none are.</param>
    public abstract long CopyFile(string relativePath, DirectoryHandle sourceRoot, string sourceRelativePath, in FileStatus listed, bool replace = false, bool keepChanged = false, ReflinkMode reflink = ReflinkMode.Auto, AttributeCopy? attributes = null, IncrementalHash? contentHash = null);

    /// <summary>
    /// Makes the extended attributes (and POSIX ACLs) of the file or directory at
    /// <paramref name="relativePath"/> those of <paramref name="sourceRelativePath"/> below
    /// <paramref name="sourceRoot"/>, both opened without following a link and read and written
    /// through their descriptors. Symbolic links are not given any (Linux allows no <c>user.*</c>
    /// attribute on a symlink). On Windows: the named alternate data streams and the security
    /// descriptor (see <see cref="WindowsAttributes"/>). Attributes the destination cannot store go to
    /// <see cref="AttributeCopy.OnNotStored"/>.
    /// </summary>
    /// <exception cref="ExtendedAttributesNotSupportedException">On neither Linux nor Windows.</exception>
    public virtual void CopyAttributes(string relativePath, DirectoryHandle sourceRoot, string sourceRelativePath, LinkKind kind, AttributeCopy attributes) =>
        throw new ExtendedAttributesNotSupportedException(FullPath(relativePath));

    /// <summary>Whether the file at <paramref name="relativePath"/> has the same extended attributes (those <see cref="CopyAttributes"/> carries) as <paramref name="otherRelativePath"/> below <paramref name="otherRoot"/>.</summary>
    /// <exception cref="ExtendedAttributesNotSupportedException">On neither Linux nor Windows.</exception>
    public virtual bool SameAttributes(string relativePath, DirectoryHandle otherRoot, string otherRelativePath) =>
        throw new ExtendedAttributesNotSupportedException(FullPath(relativePath));

    /// <summary>
    /// Checks that the regular file at <paramref name="sourceRelativePath"/> below
    /// <paramref name="sourceRoot"/> can be copied into this directory as a reflink (blocks
    /// shared, <see cref="ReflinkMode.Always"/>), by cloning it into an unnamed file here that is
    /// discarded at once: nothing is left, no name appears.
    /// </summary>
    /// <exception cref="ReflinksNotSupportedException">This file system has no reflinks, or the source is on another file system.</exception>
    public abstract void CheckReflink(DirectoryHandle sourceRoot, string sourceRelativePath);

    /// <summary>Where copies cannot share blocks yet (Windows: block cloning on ReFS and Dev Drive is not wired up for copies).</summary>
    private protected ReflinksNotSupportedException NoReflinksHere() => new(
        Path,
        "copies that share data blocks (reflinks) are not available on this platform yet",
        "Use --reflink auto (the default) or --reflink never; ReFS and Dev Drive block cloning is planned");

    /// <summary>
    /// Checks a source as it was opened against the walk's view of it: a special file the walk
    /// listed as one (a FIFO, socket, device) is <see cref="NotARegularFileException"/>; a file
    /// that is no longer a regular file, or another file than was listed, is <see cref="TreeChangedException"/>.
    /// </summary>
    protected static void CheckSource(in FileStatus opened, in FileStatus listed, MessagePath sourcePath)
    {
        if (opened.Kind != LinkKind.File)
        {
            throw listed.IsComplete && listed.Kind != LinkKind.File
                ? new NotARegularFileException(sourcePath.ToString())
                : new TreeChangedException(sourcePath.ToString(), "is no longer a regular file");
        }

        if (listed.IsComplete && opened.Identity != listed.Identity)
        {
            throw new TreeChangedException(sourcePath.ToString(), "is not the file that was listed (it was replaced)");
        }
    }

    /// <summary>Whether a source's size, modification or change time moved between two looks (a copy made between them may be torn).</summary>
    protected static bool HasChanged(in FileStatus before, in FileStatus after) =>
        after.Size != before.Size || after.ModifiedTime != before.ModifiedTime || after.ChangeTime != before.ChangeTime;

    /// <summary>What moved between two looks at a source, for <see cref="ChangedWhileCopyingException"/>.</summary>
    protected static string DescribeChange(in FileStatus before, in FileStatus after) =>
        after.Size != before.Size ? $"its size went from {before.Size} to {after.Size} bytes"
        : after.ModifiedTime != before.ModifiedTime ? "its modification time moved"
        : "its change time moved";

    /// <summary>
    /// Replaces the entry at <paramref name="relativePath"/> atomically: <paramref name="create"/>
    /// makes the new entry at a temporary name beside it (given relative to this directory), which
    /// is then renamed over the old one, so the name is never missing. The temporary name is
    /// removed if anything fails, in <paramref name="create"/> too (whatever it left there).
    /// </summary>
    public void Replace(string relativePath, Action<string> create)
    {
        var temporary = TemporaryName(relativePath);
        try
        {
            create(temporary);
            FaultPoints.Hit(FaultPoints.HandleReplace, temporary);
            Rename(temporary, relativePath, replace: true);
        }
        catch (Exception error) when (error is not LinkNameExistsException)
        {
            // (A temporary name found taken, by another entry that happens to have it, is not ours to remove.)
            TryRemove(temporary);
            throw;
        }
    }

    /// <summary>
    /// Deletes the entry at <paramref name="relativePath"/> and, for a real directory, everything in
    /// it, depth first. A link anywhere inside is removed as a link and never followed; a directory
    /// on another file system (a mount point) is not entered and is reported. Entries in read-only
    /// directories the user owns are deleted (the directory's write bit is set first, as rm -rf
    /// does). An entry that cannot be deleted is reported to <paramref name="onError"/> and the rest
    /// goes on.
    /// </summary>
    /// <returns>What was deleted.</returns>
    /// <param name="relativePath">The entry to delete, below this directory.</param>
    /// <param name="onError">Where failures go; null: the first one is thrown.</param>
    public DeleteTally DeleteTree(string relativePath, Action<LinksmithException>? onError) =>
        DeleteTree(relativePath, new DeleteOptions { OnError = onError });

    /// <summary><see cref="DeleteTree(string, Action{LinksmithException})"/> with every option (dry run, a callback per entry).</summary>
    public abstract DeleteTally DeleteTree(string relativePath, DeleteOptions options);

    /// <summary>
    /// Opens (creating it if needed) the file <paramref name="name"/> in this directory without
    /// following a link there, and takes an exclusive lock on it (flock on Unix, no sharing on
    /// Windows) that lasts until the result is disposed or the process ends. Null when another
    /// process holds the lock.
    /// </summary>
    public abstract IDisposable? TryLock(string name);

    /// <summary>
    /// <see cref="TryLock(string)"/> with the lock file's opening spelled out:
    /// <see cref="LockOpening.CreateNew"/> makes a new file (<c>O_CREAT | O_EXCL | O_NOFOLLOW</c>:
    /// any entry at the name, a link included, is refused, never followed);
    /// <see cref="LockOpening.OpenExisting"/> reopens one (<c>O_NOFOLLOW</c>: a link is refused).
    /// </summary>
    /// <exception cref="LinkNameExistsException"><see cref="LockOpening.CreateNew"/>, and a regular file has the name.</exception>
    /// <exception cref="ReplaceRefusedException">A link, a folder or anything but a regular file has the name.</exception>
    /// <exception cref="TargetNotFoundException"><see cref="LockOpening.OpenExisting"/>, and nothing has the name.</exception>
    public virtual IDisposable? TryLock(string name, LockOpening opening)
    {
        // By path (handles that are not race-free, see IsRaceFree): look, then open. Not atomic,
        // but an entry that is not a regular file is never opened knowingly.
        var full = FullPath(name);
        switch (Stat(name))
        {
            case { Kind: not LinkKind.File } other:
                throw new ReplaceRefusedException(full, $"is a {other.Kind.Describe()} where a lock file belongs; remove it");
            case not null when opening == LockOpening.CreateNew:
                throw new LinkNameExistsException(full, LinkKind.File);
            case null when opening == LockOpening.OpenExisting:
                throw new TargetNotFoundException(full);
            default:
                return TryLock(name);
        }
    }

    /// <summary>
    /// Creates an empty regular file (mode 0600) at <paramref name="relativePath"/>. The file must
    /// be new: any entry at the name, a link included, is refused and never followed
    /// (<c>O_CREAT | O_EXCL | O_NOFOLLOW</c>).
    /// </summary>
    /// <exception cref="LinkNameExistsException">The name is taken.</exception>
    public virtual void CreateFile(string relativePath)
    {
        // By path (handles that are not race-free): CreateNew is O_CREAT | O_EXCL on Unix and
        // CREATE_NEW on Windows, and neither follows a link at the name.
        var full = FullPath(relativePath);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var created = new FileStream(full, options);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException && error is not LinksmithException)
        {
            throw Stat(relativePath) is { } taken ? new LinkNameExistsException(full, taken.Kind) : SystemErrors.Translate(error, full);
        }
    }

    /// <summary>
    /// Opens the regular file at <paramref name="relativePath"/> for reading (a snapshot's file to
    /// verify, a source to hash). Linux and Windows open it beneath this directory without
    /// following a link on the way; elsewhere by path (see <see cref="IsRaceFree"/>).
    /// </summary>
    public virtual SafeFileHandle OpenForReading(string relativePath)
    {
        var full = FullPath(relativePath);
        return GuardOpen(full, () => File.OpenHandle(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.SequentialScan));
    }

    /// <summary>
    /// Opens the regular file at <paramref name="relativePath"/> (made by <see cref="CreateFile"/>)
    /// for writing from its start; Linux without following a link on the way, elsewhere by path.
    /// </summary>
    public virtual SafeFileHandle OpenForWriting(string relativePath)
    {
        var full = FullPath(relativePath);
        return GuardOpen(full, () => File.OpenHandle(full, FileMode.Open, FileAccess.Write, FileShare.None));
    }

    private static T GuardOpen<T>(string path, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (FileNotFoundException)
        {
            throw new TargetNotFoundException(path);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException && error is not LinksmithException)
        {
            throw SystemErrors.Translate(error, path);
        }
    }

    /// <summary>A hidden name beside <paramref name="relativePath"/> for an entry that will replace it.</summary>
    public static string TemporaryName(string relativePath)
    {
        var directory = System.IO.Path.GetDirectoryName(relativePath) ?? string.Empty;
        var name = System.IO.Path.GetFileName(relativePath);
        // Short, so a name near the 255-byte limit still fits; hidden, so a crash leaves no clutter in listings.
        var stem = name.Length > 200 ? name[..200] : name;
        return System.IO.Path.Join(directory, $".{stem}.lsmith-{Random.Shared.Next():x8}");
    }

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }

    private void TryRemove(string relativePath)
    {
        try
        {
            if (Stat(relativePath) is { } status)
            {
                Remove(relativePath, status.Kind);
            }
        }
        catch (LinksmithException)
        {
            // The original failure is the one to report.
        }
    }
}

/// <summary>How <see cref="DirectoryHandle.TryLock(string, LockOpening)"/> comes to its lock file.</summary>
internal enum LockOpening
{
    /// <summary>Opens the file, creating it when it is missing (<c>O_CREAT | O_NOFOLLOW</c>).</summary>
    OpenOrCreate,

    /// <summary>Creates the file; a name that is taken is refused (<c>O_CREAT | O_EXCL | O_NOFOLLOW</c>).</summary>
    CreateNew,

    /// <summary>Reopens the file; a missing one is not created (<c>O_NOFOLLOW</c>).</summary>
    OpenExisting,
}

/// <summary>What <see cref="DirectoryHandle.DeleteTree(string, DeleteOptions)"/> removed.</summary>
internal struct DeleteTally
{
    /// <summary>Entries removed (files, links, directories).</summary>
    public long Entries;

    /// <summary>Bytes of the files whose last name was removed.</summary>
    public long Bytes;

    public void Add(DeleteTally other)
    {
        Entries += other.Entries;
        Bytes += other.Bytes;
    }
}
