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

        // The walk reads the status only of directories and entries of unknown type (a link is never
        // a name of the file); a file is looked at only when the listing's inode (Linux's d_ino; 0
        // where there is none) may be the one sought.
        var inode = identity.FileId;
        foreach (var listing in TreeWalker.Directories(root, new WalkOptions { StatEverything = false, StatLinks = false, OnError = onError }))
        {
            // The root's own listing (the root alone) is not a name to look at.
            for (var i = 0; listing.Depth > 0 && i < listing.Count && found.Count < linkCount; i++)
            {
                ref readonly var status = ref listing.Status(i);
                switch (status.Kind)
                {
                    case LinkKind.Directory when status.Identity.Volume != identity.Volume:
                        // Names of a file never span file systems: stay on the file's own.
                        listing.Skip(i);
                        break;
                    case LinkKind.File when status.IsComplete:
                        if (status.Identity == identity)
                        {
                            found.Add(listing.FullPath(i));
                        }

                        break;
                    case LinkKind.File when status.Identity.FileId == 0 || status.Identity.FileId == inode:
                        AddIfSame(platform, listing.FullPath(i), identity, found, onError);
                        break;
                }
            }

            if (found.Count >= linkCount)
            {
                break;
            }
        }

        return found;
    }

    private static void AddIfSame(LinkPlatform platform, string path, FileIdentity identity, List<string> found, Action<LinksmithException>? onError)
    {
        try
        {
            if (platform.Stat(path) is { Kind: LinkKind.File } entry && entry.Identity == identity)
            {
                found.Add(path);
            }
        }
        catch (LinksmithException error)
        {
            onError?.Invoke(error);
        }
    }
}
