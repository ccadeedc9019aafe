using System.Runtime.InteropServices;
using Linksmith.Interop;

namespace Linksmith;

/// <summary>Facts about paths as strings and about what stands at a path: the one place for them.</summary>
internal static class PathFacts
{
    private static StringComparison Comparison => OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    /// <summary>Whether <paramref name="path"/> is <paramref name="root"/> or lies below it (lexically, full paths).</summary>
    public static bool IsWithin(string path, string root)
    {
        if (path.Equals(root, Comparison))
        {
            return true;
        }

        var prefix = Path.EndsInDirectorySeparator(root) ? root : root + Path.DirectorySeparatorChar;
        return path.StartsWith(prefix, Comparison);
    }

    /// <summary>Whether two full paths name the same place, lexically (case-insensitively on Windows).</summary>
    public static bool IsSamePath(string a, string b) => string.Equals(a, b, Comparison);

    /// <summary>The status of one path (following links or not); null when nothing is there.</summary>
    public static FileStatus? Stat(string path, bool followLinks)
    {
        if (OperatingSystem.IsLinux())
        {
            if (UnixFile.TryStatx(path, followLinks ? 0 : Libc.AT_SYMLINK_NOFOLLOW, out var stx))
            {
                return FileStatus.FromStatx(stx);
            }

            var errno = Marshal.GetLastPInvokeError();
            // Nothing there, or (following links) a dangling link or a loop of links.
            return errno is Libc.ENOENT or Libc.ENOTDIR || (followLinks && errno == Libc.ELOOP) ? null : throw UnixErrors.ToException(errno, path);
        }

        var status = followLinks ? LinkPlatform.Current.StatFollowingLinks(path) : LinkPlatform.Current.Stat(path);
        return status.Kind == LinkKind.Missing ? null : status;
    }

    /// <summary><paramref name="path"/> with links in its existing part resolved; the missing rest appended as it is.</summary>
    public static string CanonicalizeMaybeMissing(string path)
    {
        var missing = new Stack<string>();
        var current = path;
        while (Stat(current, followLinks: true) is null && Path.GetDirectoryName(current) is { } parent)
        {
            missing.Push(Path.GetFileName(current));
            current = parent;
        }

        var real = LinkPlatform.Current.CanonicalizeDirectory(current);
        return missing.Count == 0 ? real : Path.Join([real, .. missing]);
    }

    /// <summary>The status of <paramref name="path"/> or of its nearest existing parent.</summary>
    public static FileStatus NearestExisting(string path)
    {
        for (var current = path; current is not null; current = Path.GetDirectoryName(current))
        {
            if (Stat(current, followLinks: true) is { } status)
            {
                return status;
            }
        }

        return default;
    }

    /// <summary>
    /// Linux: whether <paramref name="path"/> (not followed) and the directory
    /// <paramref name="directory"/> (followed) are on the same file system and the same mount
    /// (rename(2) refuses to cross bind mounts too); false when either is missing.
    /// </summary>
    public static bool SameMount(string path, string directory)
    {
        if (!UnixFile.TryStatx(path, Libc.AT_SYMLINK_NOFOLLOW, out var a) || !UnixFile.TryStatx(directory, 0, out var b))
        {
            return false;
        }

        var sameDevice = a.stx_dev_major == b.stx_dev_major && a.stx_dev_minor == b.stx_dev_minor;
        var mountKnown = (a.stx_mask & b.stx_mask & Libc.STATX_MNT_ID) != 0;
        return sameDevice && (!mountKnown || a.stx_mnt_id == b.stx_mnt_id);
    }
}
