namespace Linksmith;

/// <summary>What the health commands share about their starting directory.</summary>
internal static class HealthWalk
{
    /// <summary>The full path of <paramref name="directory"/>, which must be a directory (a link to one counts, like find -H).</summary>
    public static string RequireDirectory(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var full = Path.GetFullPath(directory);
        var status = PathFacts.Stat(full, followLinks: true) ?? throw new TargetNotFoundException(directory);
        return status.Kind == LinkKind.Directory
            ? full
            : throw new NotADirectoryException(directory, status.Kind, "Give the directory whose tree to look at; for a single link use `info`");
    }
}
