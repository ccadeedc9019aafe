namespace Linksmith;

/// <summary>
/// How the health commands read a link's target: lexically for inner/outer and for matching
/// mappings (as PRODUCT.md decides), and exactly as the kernel would for rewriting a link so it
/// keeps pointing at the same place.
/// </summary>
internal static class LinkTargets
{
    private static LinkPlatform Platform => LinkPlatform.Current;

    /// <summary>Whether <paramref name="fullPath"/> is <paramref name="anchorPath"/> or lies under it (whole names only).</summary>
    public static bool IsInside(string fullPath, string anchorPath)
    {
        var comparison = OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var anchor = Path.TrimEndingDirectorySeparator(anchorPath);
        if (!fullPath.StartsWith(anchor, comparison))
        {
            return false;
        }

        // The root directory "/" ends in a separator even after trimming: everything is inside it.
        return fullPath.Length == anchor.Length
            || Path.EndsInDirectorySeparator(anchor)
            || fullPath[anchor.Length] == Path.DirectorySeparatorChar
            || fullPath[anchor.Length] == Path.AltDirectorySeparatorChar;
    }

    /// <summary>The anchor as given and, when a link leads to it, as it really is: a target may name either.</summary>
    public static string[] AnchorForms(string fullAnchorPath)
    {
        var canonical = Platform.CanonicalizeDirectory(fullAnchorPath);
        return canonical == fullAnchorPath ? [fullAnchorPath] : [fullAnchorPath, canonical];
    }

    /// <summary>
    /// The full path the kernel reaches through <paramref name="targetText"/> stored in the link
    /// <paramref name="fullLinkPath"/>, without following the last name. Names are kept as written
    /// (a link inside the target stays a link in the result), except where ".." follows a name:
    /// the kernel takes ".." from where that name really leads, so that prefix is resolved first.
    /// Where a prefix does not exist it is taken lexically, so a dangling link resolves by its text.
    /// </summary>
    public static string ResolveExactly(string fullLinkPath, string targetText)
    {
        if (!OperatingSystem.IsLinux())
        {
            return Link.ResolveTargetText(fullLinkPath, targetText);
        }

        var current = targetText.StartsWith('/') ? "/" : Platform.CanonicalizeDirectory(Path.GetDirectoryName(fullLinkPath)!);
        var physical = true;
        foreach (var name in targetText.Split('/'))
        {
            switch (name)
            {
                case "" or ".":
                    continue;
                case "..":
                    if (!physical)
                    {
                        current = Platform.CanonicalizeDirectory(current);
                    }

                    current = Path.GetDirectoryName(current) ?? "/";
                    physical = true;
                    break;
                default:
                    current = current.EndsWith('/') ? current + name : current + "/" + name;
                    physical = false;
                    break;
            }
        }

        return current;
    }

    /// <summary>
    /// The relative text that leads from the link's folder to <paramref name="fullTargetPath"/>.
    /// Built from the folder's real path, because the kernel takes ".." from there; null when no
    /// relative path exists (another drive on Windows).
    /// </summary>
    public static string? RelativeText(string fullLinkPath, string fullTargetPath)
    {
        var linkDirectory = Platform.CanonicalizeDirectory(Path.GetDirectoryName(fullLinkPath)!);
        var relative = Path.GetRelativePath(linkDirectory, fullTargetPath);
        return Path.IsPathRooted(relative) ? null : relative;
    }

    /// <summary>Whether the target (or, when missing, its nearest existing parent) is on the link's volume.</summary>
    public static bool SameVolume(string fullLinkPath, string fullTargetPath) =>
        Platform.SameVolumeByPath(Path.GetDirectoryName(fullLinkPath)!, fullTargetPath);

    /// <summary>What following the link leads to: Missing, Loop, or what is there.</summary>
    public static FileStatus Follow(string fullLinkPath) => Platform.StatFollowingLinks(fullLinkPath);

    public static string ReadText(string fullLinkPath) => Platform.ReadLinkTarget(fullLinkPath);

    public static bool IsAbsoluteText(string targetText) => Platform.IsAbsoluteTargetText(targetText);
}
