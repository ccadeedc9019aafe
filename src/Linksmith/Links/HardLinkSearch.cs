using Linksmith.Interop;

namespace Linksmith;

/// <summary>
/// Finds the names of one file by walking a tree and comparing file identities; used on Linux,
/// where the OS keeps no list of a file's names, and anywhere a search is limited to a folder.
/// </summary>
internal static class HardLinkSearch
{
    /// <summary>
    /// Walks <paramref name="root"/> without following links and without leaving its file system,
    /// and stops once <paramref name="linkCount"/> names are found.
    /// </summary>
    public static List<string> Find(FileIdentity identity, long linkCount, string root, Action<LinksmithException>? onError = null)
    {
        var platform = LinkPlatform.Current;
        var found = new List<string>();
        var rootEntry = platform.Stat(root);
        if (rootEntry.Kind is LinkKind.Junction or LinkKind.SymbolicLink && platform.StatFollowingLinks(root) is { Kind: LinkKind.Directory } followed)
        {
            // The root is searched even when it is a link to a folder: a volume mounted in a
            // folder, which GetVolumePathNameW gives as the volume root, is a mount-point reparse
            // point (IO_REPARSE_TAG_MOUNT_POINT, the junction's tag), and so is a drive root
            // under Wine. Like find -H, only the starting point is followed.
            rootEntry = followed;
        }

        if (rootEntry.Kind != LinkKind.Directory)
        {
            if (rootEntry.Kind == LinkKind.File && rootEntry.Identity == identity)
            {
                found.Add(root);
            }

            return found;
        }

        var pending = new Stack<string>();
        pending.Push(root);
        var inode = (ulong)identity.FileId;
        while (pending.Count > 0 && found.Count < linkCount)
        {
            var directory = pending.Pop();
            try
            {
                foreach (var entry in UnixDirectory.Enumerate(directory))
                {
                    var path = Path.Join(directory, entry.Name);
                    switch (entry.Type)
                    {
                        case Libc.DT_DIR:
                            // Names of a file never span file systems: stay on the file's own.
                            if (platform.Stat(path) is { Kind: LinkKind.Directory } sub && sub.Identity.Volume == identity.Volume)
                            {
                                pending.Push(path);
                            }

                            break;
                        case Libc.DT_REG when entry.Inode == 0 || entry.Inode == inode:
                            AddIfSame(platform, path, identity, found);
                            break;
                        case Libc.DT_UNKNOWN:
                            var unknown = platform.Stat(path);
                            if (unknown.Kind == LinkKind.Directory && unknown.Identity.Volume == identity.Volume)
                            {
                                pending.Push(path);
                            }
                            else if (unknown.Kind == LinkKind.File && unknown.Identity == identity)
                            {
                                found.Add(path);
                            }

                            break;
                    }

                    if (found.Count >= linkCount)
                    {
                        break;
                    }
                }
            }
            catch (LinksmithException error)
            {
                onError?.Invoke(error);
            }
        }

        return found;
    }

    private static void AddIfSame(LinkPlatform platform, string path, FileIdentity identity, List<string> found)
    {
        if (platform.Stat(path) is { Kind: LinkKind.File } entry && entry.Identity == identity)
        {
            found.Add(path);
        }
    }
}
