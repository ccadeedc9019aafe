namespace Linksmith;

/// <summary>
/// One <c>OLD=NEW</c> rule of <see cref="LinkRepair"/>: a target that starts with
/// <see cref="OldPrefix"/> (on whole path names) is re-pointed under <see cref="NewPrefix"/>.
/// </summary>
/// <remarks>
/// Windows forms (a drive letter, <c>\\?\</c> or <c>\??\</c>, a UNC share) are matched with either
/// separator and without regard to case, as Windows names them; the <c>\??\</c> prefix of a junction's
/// stored target is ignored. Other paths are matched exactly, as Linux names them.
/// </remarks>
public sealed record PathMapping
{
    /// <summary>Creates a rule; relative Unix-style paths are taken from the current directory.</summary>
    public PathMapping(string oldPrefix, string newPrefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(oldPrefix);
        ArgumentException.ThrowIfNullOrEmpty(newPrefix);
        OldPrefix = Normalize(oldPrefix);
        NewPrefix = Normalize(newPrefix);
    }

    /// <summary>The prefix to replace, without a trailing separator (except a root).</summary>
    public string OldPrefix { get; }

    /// <summary>What replaces it.</summary>
    public string NewPrefix { get; }

    /// <summary>Whether <see cref="OldPrefix"/> is written in a Windows form.</summary>
    public bool IsWindowsForm => IsWindowsPath(OldPrefix);

    /// <summary>Parses <c>OLD=NEW</c>, split at the first '='.</summary>
    /// <exception cref="FormatException">There is no '=', or a side is empty.</exception>
    public static PathMapping Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var split = text.IndexOf('=', StringComparison.Ordinal);
        if (split <= 0 || split == text.Length - 1)
        {
            throw new FormatException($"'{text}' is not OLD=NEW");
        }

        return new PathMapping(text[..split], text[(split + 1)..]);
    }

    /// <summary>
    /// The path with <see cref="OldPrefix"/> replaced, or null when <paramref name="path"/> does
    /// not start with it on whole names (<c>/data</c> does not match <c>/database</c>).
    /// </summary>
    public string? Apply(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var windows = IsWindowsForm;
        var candidate = windows ? StripDevicePrefix(path) : path;
        var prefix = windows ? StripDevicePrefix(OldPrefix) : OldPrefix;
        var comparison = windows || OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        if (!StartsWithSameSeparators(candidate, prefix, windows, comparison))
        {
            return null;
        }

        var rest = candidate[prefix.Length..];
        if (rest.Length > 0 && !IsSeparator(rest[0], windows))
        {
            if (!IsSeparator(prefix[^1], windows))
            {
                return null;
            }

            // A root prefix ("/", "C:\") already ends in its separator.
            rest = prefix[^1] + rest;
        }

        if (rest.Length == 0)
        {
            return NewPrefix;
        }

        var head = NewPrefix.Length > 1 && IsSeparator(NewPrefix[^1], windows) ? NewPrefix[..^1] : NewPrefix;
        return head == "/" ? rest : head + rest;
    }

    /// <summary>The rule among <paramref name="mappings"/> with the longest matching prefix, and its result.</summary>
    public static (PathMapping Mapping, string NewPath)? ApplyLongest(IEnumerable<PathMapping> mappings, string path)
    {
        ArgumentNullException.ThrowIfNull(mappings);
        (PathMapping, string)? best = null;
        foreach (var mapping in mappings)
        {
            if (mapping.Apply(path) is { } mapped && (best is null || mapping.OldPrefix.Length > best.Value.Item1.OldPrefix.Length))
            {
                best = (mapping, mapped);
            }
        }

        return best;
    }

    internal static bool IsWindowsPath(string path) =>
        path.StartsWith(@"\??\", StringComparison.Ordinal)
        || path.StartsWith(@"\\", StringComparison.Ordinal)
        || (path.Length >= 2 && char.IsAsciiLetter(path[0]) && path[1] == ':');

    private static string Normalize(string path)
    {
        if (IsWindowsPath(path))
        {
            return TrimSeparator(path, windows: true);
        }

        return TrimSeparator(Path.GetFullPath(path), windows: OperatingSystem.IsWindows());
    }

    private static string TrimSeparator(string path, bool windows)
    {
        // Keep a root's separator: "/" and "C:\" mean the root, "C:" would mean a current directory.
        while (path.Length > 1 && IsSeparator(path[^1], windows) && !(path.Length == 3 && path[1] == ':') && !IsSeparator(path[^2], windows))
        {
            path = path[..^1];
        }

        return path;
    }

    private static string StripDevicePrefix(string path) =>
        path.StartsWith(@"\??\", StringComparison.Ordinal) || path.StartsWith(@"\\?\", StringComparison.Ordinal) ? path[4..] : path;

    private static bool StartsWithSameSeparators(string path, string prefix, bool windows, StringComparison comparison)
    {
        if (path.Length < prefix.Length)
        {
            return false;
        }

        if (!windows)
        {
            return path.StartsWith(prefix, comparison);
        }

        for (var i = 0; i < prefix.Length; i++)
        {
            var a = path[i];
            var b = prefix[i];
            if (IsSeparator(a, windows: true) && IsSeparator(b, windows: true))
            {
                continue;
            }

            if (!string.Equals(a.ToString(), b.ToString(), comparison))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsSeparator(char c, bool windows) => c == '/' || (windows && c == '\\');
}
