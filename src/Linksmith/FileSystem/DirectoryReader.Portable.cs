namespace Linksmith;

/// <summary>
/// <see cref="IDirectoryReader"/> off Linux: the names through System.IO, and each entry's status
/// from <see cref="LinkPlatform.Stat"/>, by full path (so a folder on the path that another process
/// swaps for a link mid-walk is followed; see <see cref="DirectoryHandle.IsRaceFree"/>).
/// </summary>
internal sealed class PortableDirectoryReader : IDirectoryReader
{
    public void Read(string relativePath, DirectoryListing listing, WalkOptions options)
    {
        var directory = listing.Path;
        List<string> paths;
        try
        {
            paths = [.. Directory.EnumerateFileSystemEntries(directory)];
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException && error is not LinksmithException)
        {
            throw SystemErrors.Translate(error, directory);
        }

        foreach (var path in paths)
        {
            if (OperatingSystem.IsWindows() && WindowsDirectoryHandle.IsWineBookkeeping(Path.GetFileName(path)))
            {
                continue;
            }

            FileStatus status;
            try
            {
                status = LinkPlatform.Current.Stat(path);
            }
            catch (LinksmithException error)
            {
                options.OnError?.Invoke(error);
                continue;
            }

            // Gone since it was listed.
            if (status.Kind != LinkKind.Missing)
            {
                listing.Add(Path.GetFileName(path.AsSpan()), status);
            }
        }
    }
}
