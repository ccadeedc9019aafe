namespace Linksmith;

/// <summary>
/// Windows path-text rules: the <c>\\?\</c> prefix for long paths, the <c>\??\</c> NT form stored
/// in reparse points, and what counts as absolute. Written out rather than taken from
/// <see cref="Path"/>, which follows the rules of the OS it runs on, so they can be tested anywhere.
/// </summary>
internal static class WindowsPath
{
    /// <summary>
    /// From this length on a path gets the <c>\\?\</c> prefix: MAX_PATH (260) less the 12
    /// characters CreateDirectoryW keeps for an 8.3 name, dotnet/runtime's MaxShortDirectoryPath.
    /// One limit for every call keeps the rule simple; the prefix is harmless on a full path.
    /// </summary>
    public const int MaxShortDirectoryPath = 248;

    /// <summary>The Win32 prefix that turns off path normalisation and the MAX_PATH limit.</summary>
    public const string ExtendedPrefix = @"\\?\";

    /// <summary>The extended form of a UNC path's start (<c>\\server\share</c> becomes <c>\\?\UNC\server\share</c>).</summary>
    public const string UncExtendedPrefix = @"\\?\UNC\";

    /// <summary>The NT object-manager prefix that reparse points store (<c>\??\C:\dir</c>).</summary>
    public const string NtPrefix = @"\??\";

    /// <summary>The NT form of a UNC path's start.</summary>
    public const string UncNtPrefix = @"\??\UNC\";

    /// <summary>
    /// Adds <c>\\?\</c> to a full path that Win32 would otherwise truncate at MAX_PATH or whose
    /// last name ends in a space or period, which Win32 normalisation would silently drop
    /// (dotnet/runtime's PathInternal.EnsureExtendedPrefixIfNeeded). Relative paths and paths
    /// already in a device or extended form are returned unchanged.
    /// </summary>
    public static string EnsureExtendedPrefixIfNeeded(string fullPath)
    {
        ArgumentNullException.ThrowIfNull(fullPath);
        return fullPath.Length >= MaxShortDirectoryPath || EndsWithPeriodOrSpace(fullPath)
            ? EnsureExtendedPrefix(fullPath)
            : fullPath;
    }

    /// <summary>Adds <c>\\?\</c> (or <c>\\?\UNC\</c>) to a full path; see <see cref="EnsureExtendedPrefixIfNeeded"/>.</summary>
    public static string EnsureExtendedPrefix(string fullPath)
    {
        ArgumentNullException.ThrowIfNull(fullPath);
        if (IsDeviceOrExtended(fullPath) || !IsFullyQualified(fullPath))
        {
            return fullPath;
        }

        // Behind \\?\ the system no longer turns '/' into '\', so do it here.
        var normalized = fullPath.Replace('/', '\\');
        return IsUnc(normalized) ? string.Concat(UncExtendedPrefix, normalized.AsSpan(2)) : ExtendedPrefix + normalized;
    }

    /// <summary>
    /// Whether stored target text names a place independent of the link's folder: drive-rooted
    /// (<c>C:\</c>), UNC (<c>\\server\share</c>), or in a device, extended or NT form. <c>\dir</c>
    /// and <c>C:dir</c> depend on the current drive or directory, so they are not absolute.
    /// </summary>
    public static bool IsFullyQualified(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length >= 2 && IsSeparator(text[0]) && IsSeparator(text[1]))
        {
            return true;
        }

        if (text.StartsWith(NtPrefix, StringComparison.Ordinal))
        {
            return true;
        }

        return text.Length >= 3 && char.IsAsciiLetter(text[0]) && text[1] == ':' && IsSeparator(text[2]);
    }

    /// <summary>Whether the path starts like <c>\\server\share</c> (and not like <c>\\?\</c> or <c>\\.\</c>).</summary>
    public static bool IsUnc(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return path.Length >= 3 && IsSeparator(path[0]) && IsSeparator(path[1]) && !IsDeviceOrExtended(path);
    }

    /// <summary>
    /// The Win32 form of a path read from a reparse point or from GetFinalPathNameByHandleW:
    /// <c>\??\C:\dir</c> and <c>\\?\C:\dir</c> become <c>C:\dir</c>, <c>\??\UNC\server\share</c>
    /// and <c>\\?\UNC\server\share</c> become <c>\\server\share</c>, and any other NT path (a
    /// volume GUID path) becomes its <c>\\?\</c> form. Other text is returned unchanged.
    /// </summary>
    public static string StripPrefix(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        foreach (var uncPrefix in (ReadOnlySpan<string>)[UncNtPrefix, UncExtendedPrefix])
        {
            if (text.StartsWith(uncPrefix, StringComparison.OrdinalIgnoreCase))
            {
                return string.Concat(@"\\", text.AsSpan(uncPrefix.Length));
            }
        }

        foreach (var prefix in (ReadOnlySpan<string>)[NtPrefix, ExtendedPrefix])
        {
            if (!text.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var rest = text.AsSpan(prefix.Length);
            if (rest.Length >= 2 && char.IsAsciiLetter(rest[0]) && rest[1] == ':')
            {
                return rest.ToString();
            }

            return string.Concat(ExtendedPrefix, rest);
        }

        return text;
    }

    /// <summary>
    /// The NT form of a full path, as the substitute name of a reparse point stores it:
    /// <c>C:\dir</c> becomes <c>\??\C:\dir</c>, <c>\\server\share</c> becomes <c>\??\UNC\server\share</c>.
    /// </summary>
    public static string ToNtPath(string fullPath)
    {
        ArgumentNullException.ThrowIfNull(fullPath);
        var normalized = fullPath.Replace('/', '\\');
        if (normalized.StartsWith(NtPrefix, StringComparison.Ordinal))
        {
            return normalized;
        }

        if (normalized.StartsWith(ExtendedPrefix, StringComparison.Ordinal))
        {
            return string.Concat(NtPrefix, normalized.AsSpan(ExtendedPrefix.Length));
        }

        return IsUnc(normalized)
            ? string.Concat(UncNtPrefix, normalized.AsSpan(2))
            : NtPrefix + normalized;
    }

    private static bool IsDeviceOrExtended(string path) =>
        path.Length >= 4
        && IsSeparator(path[0])
        && (IsSeparator(path[1]) || path[1] == '?')
        && (path[2] == '?' || path[2] == '.')
        && IsSeparator(path[3])
        && !(path[1] == '?' && path[2] == '.');

    private static bool EndsWithPeriodOrSpace(string path) =>
        path.Length > 0 && path[^1] is '.' or ' ';

    private static bool IsSeparator(char c) => c is '\\' or '/';
}
