namespace Linksmith;

/// <summary>What <see cref="Deleting.Run"/> is asked to delete, and how.</summary>
public sealed record DeleteJob
{
    /// <summary>The paths to delete: links are removed as links, directories with everything in them.</summary>
    public required IReadOnlyList<string> Paths { get; init; }

    /// <summary>Only report what would be deleted.</summary>
    public bool DryRun { get; init; }

    /// <summary>Called for each entry deleted (or that would be), deepest first.</summary>
    public Action<string, LinkKind>? OnDeleted { get; init; }

    /// <summary>Called for each entry that could not be deleted (and each refused path); the rest goes on.</summary>
    public Action<LinksmithException>? OnError { get; init; }

    /// <summary>Stops the job between entries.</summary>
    public CancellationToken Cancellation { get; init; }
}

/// <summary>What a delete job removed.</summary>
/// <param name="Deleted">Entries removed (files, links, directories).</param>
/// <param name="Bytes">Bytes of the files whose last name was removed.</param>
/// <param name="Errors">Entries that could not be deleted, and refused paths.</param>
public sealed record DeleteSummary(long Deleted, long Bytes, long Errors);

/// <summary>
/// <c>linksmith delete</c>: removes trees without ever leaving them. Each path is removed relative
/// to its parent directory; inside a directory every entry is opened and removed relative to its
/// own parent, never through a link, so a process that swaps a folder for a link mid-run cannot
/// steer the delete outside the path. Other file systems mounted inside are not entered.
/// </summary>
public static class Deleting
{
    /// <summary>Deletes each path of <paramref name="job"/>; failures are reported and the rest goes on.</summary>
    public static DeleteSummary Run(DeleteJob job)
    {
        long deleted = 0, bytes = 0, errors = 0;
        void Fail(LinksmithException error)
        {
            errors++;
            job.OnError?.Invoke(error);
        }

        foreach (var path in job.Paths)
        {
            job.Cancellation.ThrowIfCancellationRequested();
            try
            {
                Refuse(path);
                var (parent, name) = DirectoryHandle.OpenParent(path);
                using (parent)
                {
                    if (parent.Stat(name) is null)
                    {
                        throw new TargetNotFoundException(path);
                    }

                    var tally = parent.DeleteTree(name, new DeleteOptions
                    {
                        DryRun = job.DryRun,
                        OnError = Fail,
                        OnDeleted = job.OnDeleted,
                        Cancellation = job.Cancellation,
                    });
                    deleted += tally.Entries;
                    bytes += tally.Bytes;
                }
            }
            catch (LinksmithException error)
            {
                Fail(error);
            }
        }

        return new DeleteSummary(deleted, bytes, errors);
    }

    /// <summary>The root of a file system and the user's home are never deleted, whatever the spelling.</summary>
    private static void Refuse(string path)
    {
        if (path.Length == 0)
        {
            throw new DeleteRefusedException(path, "is an empty path");
        }

        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        if (Path.GetPathRoot(full) is { } root && string.Equals(Path.TrimEndingDirectorySeparator(root), full, StringComparison.OrdinalIgnoreCase))
        {
            throw new DeleteRefusedException(path, "is the root of a file system");
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (home.Length > 0 && PathFacts.IsSamePath(full, Path.TrimEndingDirectorySeparator(home)))
        {
            throw new DeleteRefusedException(path, "is your home directory");
        }
    }
}
