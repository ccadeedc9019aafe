namespace Linksmith;

/// <summary>The mirror policy's deletes: what DST has and SRC does not goes, never through a link.</summary>
internal sealed partial class TreeEngine
{
    /// <summary>Mirror: deletes what the destination folder has and the source folder does not.</summary>
    private void DeleteExtras(DirectoryHandle sourceTop, TreeEntry sourceDirectory, string workDirectory)
    {
        if (freshDirectories.Contains(workDirectory))
        {
            return;
        }

        var wanted = new HashSet<string>(sourceTop.ListNames(sourceDirectory.RelativePath), StringComparer.Ordinal);
        foreach (var name in Work.ListNames(workDirectory))
        {
            if (wanted.Contains(name))
            {
                continue;
            }

            var workPath = Path.Join(workDirectory, name);
            var relative = sourceDirectory.Depth == 0 ? name : Path.Join(sourceDirectory.RelativePath, name);
            var status = Work.Stat(workPath);
            // Excluded entries in the destination are left alone, as rsync does.
            if (status is null || !IsIncluded(relative, status.Value.Kind == LinkKind.Directory))
            {
                continue;
            }

            try
            {
                DeleteEntry(Work, workPath, status.Value.Kind);
            }
            catch (LinksmithException error)
            {
                Fail(error);
            }
        }
    }

    /// <summary>Deletes an entry below <paramref name="root"/>; a directory with everything in it, each link inside removed as a link.</summary>
    private void DeleteEntry(DirectoryHandle root, string relative, LinkKind kind)
    {
        var full = root.FullPath(relative);
        if (kind != LinkKind.Directory)
        {
            Act(new TreeAction(TreeActionKind.Delete, full, Detail: kind.Describe()));
            summary.Deleted++;
            if (!job.DryRun)
            {
                root.Remove(relative, kind);
            }

            return;
        }

        // Every deletion is listed first (in a dry run, only listed).
        List<TreeEntry> inside;
        using (var directory = root.OpenDirectory(relative))
        {
            inside = TreeWalker.Walk(directory, new WalkOptions { StatEverything = false, OnError = Fail }).Skip(1).ToList();
        }

        foreach (var entry in inside)
        {
            Act(new TreeAction(TreeActionKind.Delete, entry.FullPath, Detail: entry.Kind.Describe()));
        }

        Act(new TreeAction(TreeActionKind.Delete, full, Detail: kind.Describe()));
        summary.Deleted += inside.Count + 1;
        if (!job.DryRun)
        {
            root.DeleteTree(relative, Fail);
        }
    }
}
