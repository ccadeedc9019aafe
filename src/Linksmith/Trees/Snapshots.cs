using System.Globalization;
using System.Text.RegularExpressions;

namespace Linksmith;

/// <summary>
/// Names of backup snapshots: <c>YYYY-MM-DD_HHMMSS</c> in UTC (then <c>-2</c>, <c>-3</c> within the
/// same second), so that names sort by age; an unfinished one starts with <c>.partial-</c>.
/// Other entries in the repository are ignored.
/// </summary>
public static partial class Snapshots
{
    /// <summary>The prefix of a snapshot that is still being written (or was interrupted).</summary>
    public const string PartialPrefix = ".partial-";

    /// <summary>Whether <paramref name="name"/> is a finished snapshot's name.</summary>
    public static bool IsSnapshotName(string name) => SnapshotName().IsMatch(name);

    /// <summary>The finished snapshots in <paramref name="repository"/>, oldest first.</summary>
    public static IReadOnlyList<string> List(string repository)
    {
        if (PathFacts.Stat(repository, followLinks: true) is not { Kind: LinkKind.Directory })
        {
            return [];
        }

        using var handle = DirectoryHandle.Open(repository);
        return List(handle).Select(name => Path.Join(repository, name)).ToList();
    }

    /// <summary>The names of the finished snapshots in an open repository, oldest first.</summary>
    internal static List<string> List(DirectoryHandle repository) =>
        repository.ListNames(string.Empty)
            .Where(IsSnapshotName)
            .Where(name => repository.Stat(name) is { Kind: LinkKind.Directory })
            .Order(SnapshotOrder.Instance)
            .ToList();

    /// <summary>Unfinished snapshots (<c>.partial-</c>) left by interrupted backups, by name.</summary>
    internal static List<string> Unfinished(DirectoryHandle repository) =>
        repository.ListNames(string.Empty)
            .Where(name => name.StartsWith(PartialPrefix, StringComparison.Ordinal) && IsSnapshotName(name[PartialPrefix.Length..]))
            .ToList();

    /// <summary>The newest finished snapshot's name, or null.</summary>
    internal static string? Newest(DirectoryHandle repository) => List(repository) is { Count: > 0 } all ? all[^1] : null;

    /// <summary>A free name in <paramref name="repository"/> for a snapshot started at <paramref name="utcNow"/>.</summary>
    internal static string NewName(DirectoryHandle repository, DateTime utcNow)
    {
        for (var n = 1; ; n++)
        {
            var name = Name(utcNow, n);
            if (repository.Stat(name) is null && repository.Stat(PartialPrefix + name) is null)
            {
                return name;
            }
        }
    }

    /// <summary>The name of a snapshot started at <paramref name="utcNow"/> in a repository that does not exist yet.</summary>
    internal static string NewName(DateTime utcNow) => Name(utcNow, 1);

    /// <summary>Snapshot names by age, oldest first (the same-second counter as a number: -10 after -9).</summary>
    public static IComparer<string> Order => SnapshotOrder.Instance;

    /// <summary>When the snapshot named <paramref name="name"/> was taken (UTC, from its name).</summary>
    public static DateTime TimeOf(string name) =>
        DateTime.ParseExact(name.AsSpan(0, 17), "yyyy-MM-dd_HHmmss", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    /// <summary>
    /// Applies <see cref="PruneJob.Policy"/> to the repository alone (<c>snapshots prune</c>),
    /// holding the repository's backup lock so that no backup runs meanwhile.
    /// </summary>
    public static PruneResult Prune(PruneJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        try
        {
            using var repository = OpenRepository(job.RepositoryPath);
            using var held = job.DryRun ? null : repository.TryLock(RepositoryLockName) ?? throw new BackupInProgressException(job.RepositoryPath);
            return Prune(repository, job.Policy, includeNew: null, job.DryRun, job.OnRemoving, job.OnError, job.Cancellation);
        }
        catch (Exception error) when (error is UnauthorizedAccessException or (IOException and not LinksmithException))
        {
            // Opening the repository and its lock file; failures inside reach OnError already.
            throw LinksmithException.FromSystemError(error, job.RepositoryPath);
        }
    }

    /// <summary>The name of the lock file a backup (or a prune) holds in its repository.</summary>
    internal const string RepositoryLockName = ".linksmith-backup.lock";

    /// <summary>
    /// Removes the finished snapshots <paramref name="policy"/> does not keep. Each goes in two
    /// steps: renamed to its <c>.partial-</c> name (one atomic rename, so a kill halfway leaves no
    /// half-deleted snapshot that looks complete; the next backup removes it), then deleted through
    /// the handle layer, which removes links inside as links and never follows one.
    /// </summary>
    /// <param name="repository">The open repository.</param>
    /// <param name="policy">What to keep.</param>
    /// <param name="includeNew">A snapshot not on disk yet (a backup's dry run) that counts as the newest.</param>
    /// <param name="dryRun">Only decide and report.</param>
    /// <param name="onRemoving">Called with each snapshot's path before it goes.</param>
    /// <param name="onError">Where failures go; the rest goes on.</param>
    /// <param name="cancellation">Checked between snapshots.</param>
    internal static PruneResult Prune(DirectoryHandle repository, RetentionPolicy policy, string? includeNew, bool dryRun, Action<string>? onRemoving, Action<LinksmithException>? onError, CancellationToken cancellation)
    {
        var names = List(repository);
        if (includeNew is not null)
        {
            names.Add(includeNew);
        }

        var decision = policy.Decide(names);
        var result = new PruneResult
        {
            Kept = decision.Kept.Select(k => new KeptSnapshot(repository.FullPath(k.Name), k.Reasons)).ToList(),
        };
        foreach (var name in decision.Removed)
        {
            cancellation.ThrowIfCancellationRequested();
            var path = repository.FullPath(name);
            onRemoving?.Invoke(path);
            if (dryRun)
            {
                result.Removed.Add(path);
                continue;
            }

            try
            {
                var doomed = PartialPrefix + name;
                repository.Rename(name, doomed, replace: false);
                SnapshotManifest.Remove(repository, name);
                FaultPoints.Hit(FaultPoints.SnapshotPrune, path);
                var tally = repository.DeleteTree(doomed, onError);
                result.Entries += tally.Entries;
                result.Bytes += tally.Bytes;
                result.Removed.Add(path);
            }
            catch (LinksmithException error)
            {
                result.Errors++;
                onError?.Invoke(error);
            }
        }

        return result;
    }

    private static string Name(DateTime utcNow, int n)
    {
        var stem = utcNow.ToString("yyyy-MM-dd_HHmmss", CultureInfo.InvariantCulture);
        return n == 1 ? stem : string.Create(CultureInfo.InvariantCulture, $"{stem}-{n}");
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}_\d{6}(-\d+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex SnapshotName();

    /// <summary>By time, then by the same-second counter as a number (-10 after -9).</summary>
    private sealed class SnapshotOrder : IComparer<string>
    {
        public static SnapshotOrder Instance { get; } = new();

        public int Compare(string? x, string? y)
        {
            var stem = string.CompareOrdinal(x![..17], y![..17]);
            return stem != 0 ? stem : Counter(x).CompareTo(Counter(y));
        }

        private static int Counter(string name) => name.Length > 18 ? int.Parse(name[18..], CultureInfo.InvariantCulture) : 1;
    }
}
