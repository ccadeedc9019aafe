namespace Linksmith;

/// <summary>
/// The names a drop gives what it creates: the picked item's own name, and when that is taken,
/// <c>STEM - Link.EXT</c>, <c>STEM - Link (2).EXT</c>, … for files and <c>NAME - Link</c>,
/// <c>NAME - Link (2)</c>, … for directories, as Link Shell Extension names them.
/// </summary>
public static class DropNames
{
    /// <summary>The suffix that marks a dropped name that had to be changed.</summary>
    public const string Suffix = " - Link";

    /// <summary>
    /// The <paramref name="attempt"/>-th candidate name for <paramref name="name"/>: 0 is the name
    /// itself, 1 adds <see cref="Suffix"/>, 2 and later add <c> (N)</c> after it. For a file the
    /// suffix goes before the extension; a leading dot (<c>.bashrc</c>) is no extension.
    /// </summary>
    public static string Candidate(string name, bool isDirectory, int attempt)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfNegative(attempt);
        if (attempt == 0)
        {
            return name;
        }

        var counter = attempt == 1 ? string.Empty : $" ({attempt})";
        var dot = isDirectory ? -1 : name.LastIndexOf('.');
        if (dot <= 0)
        {
            return name + Suffix + counter;
        }

        return string.Concat(name.AsSpan(0, dot), Suffix, counter, name.AsSpan(dot));
    }

    /// <summary>
    /// The first candidate name for <paramref name="name"/> in <paramref name="directory"/> that
    /// nothing occupies (not even a dangling link) and that is not in <paramref name="reserved"/>
    /// (names already given to other items of the same drop). Returns the full path.
    /// </summary>
    public static string Choose(string directory, string name, bool isDirectory, IReadOnlySet<string>? reserved = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        for (var attempt = 0; ; attempt++)
        {
            var path = Path.Join(directory, Candidate(name, isDirectory, attempt));
            if (reserved?.Contains(path) != true && Link.Inspect(path).Kind == LinkKind.Missing)
            {
                return path;
            }
        }
    }
}
