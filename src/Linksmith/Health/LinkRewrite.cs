namespace Linksmith;

/// <summary>
/// Where a walk found a link: its tree's root, its path below the root, and what it was then.
/// Repair and convert rewrite the link relative to the reopened root, and only while it is still
/// that link.
/// </summary>
/// <param name="Root">The full path of the walked directory (an explicit argument: followed once).</param>
/// <param name="RootIdentity">The walked directory itself.</param>
/// <param name="RelativePath">The link below <paramref name="Root"/>.</param>
/// <param name="Status">The link as the walk saw it.</param>
internal sealed record LinkSite(string Root, FileIdentity RootIdentity, string RelativePath, FileStatus Status);

/// <summary>
/// Rewrites or removes one link that repair or convert read, relative to the open directory of
/// the tree it was found in: never through a folder that became a link since the walk, and never
/// a name that is no longer the link (same kind, same identity, same stored text) that was read.
/// </summary>
internal static class LinkRewrite
{
    /// <summary>The site of a walked link below <paramref name="root"/>.</summary>
    public static LinkSite Site(DirectoryHandle root, FileIdentity rootIdentity, TreeEntry entry) =>
        new(root.Path, rootIdentity, entry.RelativePath, entry.Status);

    /// <summary>
    /// Replaces the link with the one <paramref name="plan"/> describes (atomically: its name is
    /// never missing), or removes it when <paramref name="plan"/> is null.
    /// </summary>
    /// <param name="site">Where the walk found it; null (a change made by hand): its parent is opened as an explicit path.</param>
    /// <param name="linkPath">The link's full path, for messages and when there is no site.</param>
    /// <param name="oldText">The target text that was read; the link must still store it.</param>
    /// <param name="plan">The new link; null to remove the link.</param>
    /// <exception cref="TreeChangedException">The link, or a folder on the way to it, is not what the walk saw; nothing was changed.</exception>
    public static void Apply(LinkSite? site, string linkPath, string oldText, LinkPlan? plan)
    {
        var (root, relative) = Open(site, linkPath);
        using (root)
        {
            var status = Recheck(root, relative, site?.Status, oldText);
            if (plan is null)
            {
                root.Remove(relative, status.Kind);
                return;
            }

            Link.ReplaceIn(root, relative, status.Kind, temporary => Link.CreateIn(root, temporary, plan));
        }
    }

    private static (DirectoryHandle Root, string Relative) Open(LinkSite? site, string linkPath)
    {
        if (site is null)
        {
            return DirectoryHandle.OpenParent(linkPath);
        }

        var root = DirectoryHandle.Open(site.Root);
        try
        {
            if (root.Stat(string.Empty)?.Identity != site.RootIdentity)
            {
                throw new TreeChangedException(site.Root, "is no longer the directory that was walked");
            }

            return (root, site.RelativePath);
        }
        catch
        {
            root.Dispose();
            throw;
        }
    }

    /// <summary>What stands at <paramref name="relative"/> now, checked to be the link that was read.</summary>
    private static FileStatus Recheck(DirectoryHandle root, string relative, FileStatus? walked, string oldText)
    {
        var path = root.FullPath(relative);
        // A folder on the way that became a link makes Stat throw TreeChangedException itself.
        var now = root.Stat(relative);
        if (now is not { } status || !status.Kind.IsPathLink()
            || (walked is { } seen && (status.Kind != seen.Kind || status.Identity != seen.Identity)))
        {
            throw new TreeChangedException(path, "is no longer the link that was read");
        }

        if (root.ReadLink(relative) != oldText)
        {
            throw new TreeChangedException(path, "stores another target than the one that was read");
        }

        return status;
    }
}
