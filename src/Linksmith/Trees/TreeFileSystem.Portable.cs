namespace Linksmith;

/// <summary>
/// Tree file operations through System.IO, for Windows and other non-Linux systems: contents,
/// times and the read-only attribute (or Unix mode) are kept; owners are not.
/// </summary>
internal sealed class PortableTreeFileSystem : TreeFileSystem
{
    public override bool CanPreserveOwner => false;

    public override void CreateDirectory(string path) => Guard(path, () => Directory.CreateDirectory(path));

    public override long CopyFile(string source, string destination, in FileStatus status)
    {
        var copy = status;
        Guard(destination, () =>
        {
            File.Copy(source, destination, overwrite: false);
            ApplyTimesAndMode(destination, copy);
        });
        return status.Size;
    }

    public override void HardLink(string existing, string link) => LinkPlatform.Current.CreateHardLink(link, existing);

    public override void Symlink(string targetText, string link, bool targetIsDirectory) =>
        LinkPlatform.Current.CreateSymbolicLink(link, targetText, targetIsDirectory);

    public override string ReadLink(string path) => LinkPlatform.Current.ReadLinkTarget(path);

    public override void SetMetadata(string path, in FileStatus status)
    {
        var copy = status;
        Guard(path, () =>
        {
            if (copy.Kind == LinkKind.Directory)
            {
                Directory.SetLastWriteTimeUtc(path, copy.ModifiedTime.ToDateTime());
            }
        });
    }

    public override void Rename(string source, string destination) => Guard(destination, () => File.Move(source, destination, overwrite: true));

    public override void RemoveEntry(string path, LinkKind kind) =>
        LinkPlatform.Current.RemoveLink(path, LinkPlatform.Current.Stat(path) with { Kind = kind });

    public override IEnumerable<string> ListNames(string directory) =>
        Directory.EnumerateFileSystemEntries(directory).Select(static p => Path.GetFileName(p));

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

    private static void Guard(string path, Action action)
    {
        try
        {
            action();
        }
        catch (UnauthorizedAccessException error)
        {
            throw SystemErrors.Translate(error, path);
        }
        catch (IOException error) when (error is not LinksmithException)
        {
            throw SystemErrors.Translate(error, path);
        }
    }
}
