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

    /// <summary>The names of the snapshots to delete so that <paramref name="keep"/> remain (oldest first).</summary>
    /// <param name="repository">The repository.</param>
    /// <param name="keep">How many to keep.</param>
    /// <param name="includeNew">A snapshot not on disk yet (dry run) that counts as the newest.</param>
    internal static IEnumerable<string> BeyondKeep(DirectoryHandle repository, int keep, string? includeNew)
    {
        var all = List(repository);
        if (includeNew is not null)
        {
            all.Add(includeNew);
        }

        return all.Take(Math.Max(0, all.Count - Math.Max(1, keep)));
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
