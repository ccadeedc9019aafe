namespace Linksmith;

/// <summary>
/// The <c>--include</c>/<c>--exclude GLOB</c> filter of tree commands and dedupe, with PRODUCT.md's
/// rules: a pattern with a <c>/</c> matches the path relative to the anchor, and <c>**</c> spans
/// directories; a pattern without one matches a name at any depth; exclude beats include.
/// </summary>
/// <remarks>
/// <para>
/// Glob syntax: <c>*</c> any run of characters within one name, <c>?</c> one character,
/// <c>[abc]</c>, <c>[a-z]</c>, <c>[!abc]</c> (or <c>[^abc]</c>) one character of (or not of) a set,
/// <c>**</c> as a whole path segment zero or more directories, <c>\</c> escapes the next character
/// (Unix only; on Windows <c>\</c> separates directories like <c>/</c>). A leading <c>/</c> only
/// anchors; a trailing <c>/</c> makes the pattern match directories only. Matching is
/// case-sensitive on Unix and case-insensitive on Windows, as the file systems are.
/// </para>
/// <para>
/// An excluded directory is not entered, so nothing under it is seen. A file is included when an
/// include pattern matches it or one of the directories it lies in (<c>--include photos</c> takes
/// everything in every folder named <c>photos</c>); without include patterns everything is.
/// </para>
/// <para>
/// Why not Microsoft.Extensions.FileSystemGlobbing: its patterns are always relative to the root
/// (a bare <c>*.tmp</c> matches only top-level names), it has no character classes or escapes,
/// and it matches while enumerating the disk itself, whereas Linksmith has one tree walker.
/// Translating our rules into its model would have been longer than this matcher.
/// </para>
/// </remarks>
public sealed class PathFilter
{
    private static readonly bool IgnoreCase = OperatingSystem.IsWindows();

    private readonly Pattern[] includes;
    private readonly Pattern[] excludes;

    /// <summary>Creates a filter from include and exclude patterns (either may be empty).</summary>
    /// <exception cref="InvalidPatternException">A pattern is empty or malformed (an unclosed <c>[</c>).</exception>
    public PathFilter(IEnumerable<string>? includePatterns, IEnumerable<string>? excludePatterns)
    {
        includes = [.. (includePatterns ?? []).Select(Pattern.Parse)];
        excludes = [.. (excludePatterns ?? []).Select(Pattern.Parse)];
    }

    /// <summary>A filter that lets everything through.</summary>
    public static PathFilter All { get; } = new(null, null);

    /// <summary>Whether the filter has any pattern at all.</summary>
    public bool IsEmpty => includes.Length == 0 && excludes.Length == 0;

    /// <summary>
    /// Whether the entry at <paramref name="relativePath"/> (relative to the anchor, separated by
    /// <c>/</c>) is excluded. For a directory, excluded means it is not entered.
    /// </summary>
    public bool IsExcluded(string relativePath, bool isDirectory)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        var segments = Split(relativePath);
        foreach (var pattern in excludes)
        {
            if (pattern.Matches(segments, isDirectory))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether the file at <paramref name="relativePath"/> passes: not excluded, and included (see the remarks).</summary>
    public bool IncludesFile(string relativePath)
    {
        if (IsExcluded(relativePath, isDirectory: false))
        {
            return false;
        }

        if (includes.Length == 0)
        {
            return true;
        }

        var segments = Split(relativePath);
        foreach (var pattern in includes)
        {
            if (pattern.Matches(segments, isDirectory: false))
            {
                return true;
            }

            // The file lies in an included directory: try every proper prefix as a directory.
            for (var length = segments.Length - 1; length > 0; length--)
            {
                if (pattern.Matches(segments.AsSpan(0, length), isDirectory: true))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static string[] Split(string relativePath) =>
        relativePath.Split(OperatingSystem.IsWindows() ? ['/', '\\'] : ['/'], StringSplitOptions.RemoveEmptyEntries);

    /// <summary>One parsed glob: its segments, whether it is anchored (had a '/'), whether only directories match.</summary>
    private sealed class Pattern(string[] segments, bool anchored, bool directoryOnly)
    {
        public static Pattern Parse(string text)
        {
            if (string.IsNullOrEmpty(text))
            {
                throw new InvalidPatternException(text ?? string.Empty, "is empty");
            }

            var normalized = OperatingSystem.IsWindows() ? text.Replace('\\', '/') : text;
            var directoryOnly = normalized.Length > 1 && normalized.EndsWith('/');
            var trimmed = normalized.Trim('/');
            if (trimmed.Length == 0)
            {
                throw new InvalidPatternException(text, "names no file");
            }

            var segments = trimmed.Split('/', StringSplitOptions.RemoveEmptyEntries);
            foreach (var segment in segments)
            {
                ValidateClasses(text, segment);
            }

            return new Pattern(segments, anchored: trimmed.Contains('/', StringComparison.Ordinal) || normalized.StartsWith('/'), directoryOnly);
        }

        public bool Matches(ReadOnlySpan<string> path, bool isDirectory)
        {
            if (directoryOnly && !isDirectory)
            {
                return false;
            }

            if (!anchored)
            {
                return path.Length > 0 && Glob(segments[0], path[^1]);
            }

            return MatchSegments(segments, path);
        }

        private static bool MatchSegments(ReadOnlySpan<string> pattern, ReadOnlySpan<string> path)
        {
            while (pattern.Length > 0)
            {
                if (pattern[0] == "**")
                {
                    // '**' takes zero or more directories: try every split.
                    for (var skip = 0; skip <= path.Length; skip++)
                    {
                        if (MatchSegments(pattern[1..], path[skip..]))
                        {
                            return true;
                        }
                    }

                    return false;
                }

                if (path.Length == 0 || !Glob(pattern[0], path[0]))
                {
                    return false;
                }

                pattern = pattern[1..];
                path = path[1..];
            }

            return path.Length == 0;
        }

        /// <summary>Matches one name against one segment pattern (iterative, with backtracking on the last '*').</summary>
        private static bool Glob(string pattern, string name)
        {
            int p = 0, n = 0, starP = -1, starN = 0;
            while (n < name.Length)
            {
                if (p < pattern.Length)
                {
                    var c = pattern[p];
                    if (c == '*')
                    {
                        starP = p++;
                        starN = n;
                        continue;
                    }

                    if (c == '?')
                    {
                        p++;
                        n++;
                        continue;
                    }

                    if (c == '[' && MatchClass(pattern, ref p, name[n]) is { } inClass)
                    {
                        if (inClass)
                        {
                            n++;
                            continue;
                        }
                    }
                    else
                    {
                        if (c == '\\' && !OperatingSystem.IsWindows() && p + 1 < pattern.Length)
                        {
                            c = pattern[++p];
                        }

                        if (Same(c, name[n]))
                        {
                            p++;
                            n++;
                            continue;
                        }
                    }
                }

                if (starP < 0)
                {
                    return false;
                }

                p = starP + 1;
                n = ++starN;
            }

            while (p < pattern.Length && pattern[p] == '*')
            {
                p++;
            }

            return p == pattern.Length;
        }

        /// <summary>At '[': whether <paramref name="c"/> is in the class; advances past ']' when it is. Null when the class is malformed (then '[' is literal).</summary>
        private static bool? MatchClass(string pattern, ref int p, char c)
        {
            var i = p + 1;
            var negate = i < pattern.Length && pattern[i] is '!' or '^';
            if (negate)
            {
                i++;
            }

            var found = false;
            var first = true;
            while (i < pattern.Length && (first || pattern[i] != ']'))
            {
                first = false;
                var low = pattern[i];
                if (i + 2 < pattern.Length && pattern[i + 1] == '-' && pattern[i + 2] != ']')
                {
                    var high = pattern[i + 2];
                    found |= (c >= low && c <= high) || (IgnoreCase && char.ToUpperInvariant(c) >= char.ToUpperInvariant(low) && char.ToUpperInvariant(c) <= char.ToUpperInvariant(high));
                    i += 3;
                }
                else
                {
                    found |= Same(low, c);
                    i++;
                }
            }

            if (i >= pattern.Length)
            {
                return null;
            }

            if (found != negate)
            {
                p = i + 1;
                return true;
            }

            return false;
        }

        private static bool Same(char a, char b) =>
            a == b || (IgnoreCase && char.ToUpperInvariant(a) == char.ToUpperInvariant(b));

        private static void ValidateClasses(string text, string segment)
        {
            var open = segment.IndexOf('[', StringComparison.Ordinal);
            if (open >= 0 && segment.IndexOf(']', open + 1) < 0)
            {
                throw new InvalidPatternException(text, "has a '[' without its ']'");
            }
        }
    }
}
