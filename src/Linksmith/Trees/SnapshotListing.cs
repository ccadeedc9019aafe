namespace Linksmith;

/// <summary>One snapshot as <c>snapshots list</c> shows it.</summary>
/// <param name="Name">Its name (with <c>.partial-</c> for an unfinished one).</param>
/// <param name="Path">Its full path.</param>
/// <param name="Time">When it was taken (UTC, from its name).</param>
/// <param name="Complete">False for a <c>.partial-</c> one (interrupted, or a backup running now).</param>
/// <param name="Files">Regular files in it (every name counted).</param>
/// <param name="Bytes">Their sizes, each name counted.</param>
/// <param name="ExclusiveBytes">Sizes of the files whose every name lies in this snapshot: what removing it would free.</param>
/// <param name="HasManifest">Whether it has a manifest (snapshots made before manifests existed have none, and cannot be verified).</param>
public sealed record SnapshotInfo(string Name, string Path, DateTime Time, bool Complete, long Files, long Bytes, long ExclusiveBytes, bool HasManifest = false);

/// <summary>Reading what a repository holds.</summary>
public static partial class Snapshots
{
    /// <summary>Every snapshot in the repository, finished and <c>.partial-</c>, oldest first, with its counts.</summary>
    /// <param name="repositoryPath">The folder that holds the snapshots.</param>
    /// <param name="onError">Where entries that cannot be read go; the rest goes on.</param>
    public static IReadOnlyList<SnapshotInfo> Describe(string repositoryPath, Action<LinksmithException>? onError = null)
    {
        ArgumentNullException.ThrowIfNull(repositoryPath);
        try
        {
            return Describe(OpenRepository(repositoryPath), onError);
        }
        catch (Exception error) when (error is UnauthorizedAccessException or (IOException and not LinksmithException))
        {
            throw LinksmithException.FromSystemError(error, repositoryPath);
        }
    }

    private static List<SnapshotInfo> Describe(DirectoryHandle repositoryHandle, Action<LinksmithException>? onError)
    {
        using var repository = repositoryHandle;
        var names = repository.ListNames(string.Empty)
            .Select(name => (Name: name, Stem: name.StartsWith(PartialPrefix, StringComparison.Ordinal) ? name[PartialPrefix.Length..] : name))
            .Where(n => IsSnapshotName(n.Stem) && repository.Stat(n.Name) is { Kind: LinkKind.Directory })
            .OrderBy(n => n.Stem, SnapshotOrder.Instance)
            .ToList();
        var result = new List<SnapshotInfo>(names.Count);
        foreach (var (name, stem) in names)
        {
            using var snapshot = repository.OpenDirectory(name);
            long files = 0, bytes = 0, exclusive = 0;
            var namesInside = new Dictionary<FileIdentity, (long Size, long LinkCount, long Seen)>();
            foreach (var entry in TreeWalker.Walk(snapshot, new WalkOptions { OnError = onError }))
            {
                if (entry.Kind != LinkKind.File)
                {
                    continue;
                }

                files++;
                bytes += entry.Status.Size;
                if (entry.Status.LinkCount <= 1)
                {
                    exclusive += entry.Status.Size;
                }
                else
                {
                    namesInside[entry.Status.Identity] = namesInside.TryGetValue(entry.Status.Identity, out var seen)
                        ? seen with { Seen = seen.Seen + 1 }
                        : (entry.Status.Size, entry.Status.LinkCount, 1);
                }
            }

            exclusive += namesInside.Values.Where(f => f.Seen >= f.LinkCount).Sum(f => f.Size);
            result.Add(new SnapshotInfo(name, repository.FullPath(name), TimeOf(stem), name == stem, files, bytes, exclusive, name == stem && SnapshotManifest.Exists(repository, name)));
        }

        return result;
    }

    /// <summary>The repository, opened (an explicit argument: followed once if it is a link).</summary>
    internal static DirectoryHandle OpenRepository(string repositoryPath)
    {
        if (PathFacts.Stat(repositoryPath, followLinks: true) is not { } status)
        {
            throw new TargetNotFoundException(repositoryPath);
        }

        if (status.Kind != LinkKind.Directory)
        {
            throw new NotADirectoryException(repositoryPath, status.Kind, hint: "Give the folder that holds the snapshots");
        }

        // Full paths from here on: what is reported (snapshot paths) is absolute, as backup's summary is.
        return DirectoryHandle.Open(Path.GetFullPath(repositoryPath));
    }
}
