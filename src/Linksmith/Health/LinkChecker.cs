namespace Linksmith;

/// <summary>What is wrong with a link, as <see cref="LinkChecker"/> reports it.</summary>
public enum LinkProblemKind
{
    /// <summary>The link leads to nothing.</summary>
    Dangling,

    /// <summary>Following the link runs into a loop of links.</summary>
    Loop,

    /// <summary>The link stores an absolute target (reported only when asked for).</summary>
    Absolute,
}

/// <summary>One problem with one link.</summary>
/// <param name="LinkPath">The full path of the link.</param>
/// <param name="Kind">The link's kind (symbolic link or junction).</param>
/// <param name="Problem">What is wrong.</param>
/// <param name="Target">The target text exactly as stored.</param>
public sealed record LinkProblem(string LinkPath, LinkKind Kind, LinkProblemKind Problem, string Target);

/// <summary>What <see cref="LinkChecker.Check"/> looks for.</summary>
public sealed record CheckOptions
{
    /// <summary>Also report links that store an absolute target.</summary>
    public bool IncludeAbsolute { get; init; }
}

/// <summary>
/// Finds broken links in a tree: dangling symbolic links and junctions, loops, and (when asked)
/// absolute links. Loops are found because the kernel refuses to follow them (ELOOP), which
/// <c>find -xtype l</c> takes for an error rather than a broken link.
/// </summary>
public static class LinkChecker
{
    /// <summary>
    /// The problems under <paramref name="directory"/>, as they are found: one pass, nothing
    /// kept, so a caller can print them while the walk goes on. A link with two problems
    /// (dangling and absolute) yields two. Unreadable paths go to <paramref name="onError"/>.
    /// </summary>
    /// <exception cref="TargetNotFoundException">The directory does not exist.</exception>
    /// <exception cref="NotADirectoryException">It is not a directory.</exception>
    public static IEnumerable<LinkProblem> Find(string directory, CheckOptions? options = null, Action<LinksmithException>? onError = null)
    {
        options ??= new CheckOptions();
        var root = HealthWalk.RequireDirectory(directory);
        return FindCore(root, options, onError);
    }

    /// <summary>All problems under <paramref name="directory"/> and the paths that could not be read.</summary>
    public static (IReadOnlyList<LinkProblem> Problems, IReadOnlyList<LinksmithException> Errors) Check(string directory, CheckOptions? options = null)
    {
        var errors = new List<LinksmithException>();
        var problems = Find(directory, options, errors.Add).ToList();
        return (problems, errors);
    }

    private static IEnumerable<LinkProblem> FindCore(string root, CheckOptions options, Action<LinksmithException>? onError)
    {
        // Only directories and links need a status of their own; files are known from readdir's
        // type. The lean walk makes a path only for the links it looks at.
        var walk = new WalkOptions { StatEverything = false, Sorted = true, OnError = onError };
        foreach (var listing in TreeWalker.Directories(root, walk))
        {
            for (var i = 0; i < listing.Count; i++)
            {
                var kind = listing.Status(i).Kind;
                if (listing.Depth > 0 && kind.IsPathLink() && Inspect(listing.FullPath(i), kind, options, onError) is { } found)
                {
                    foreach (var problem in found)
                    {
                        yield return problem;
                    }
                }
            }
        }
    }

    /// <summary>The problems of one link (none, one or two); null when it has none.</summary>
    private static LinkProblem[]? Inspect(string path, LinkKind kind, CheckOptions options, Action<LinksmithException>? onError)
    {
        LinkProblem? broken = null;
        LinkProblem? absolute = null;
        try
        {
            var followed = LinkTargets.Follow(path);
            // The text is read only when it is reported or decides the report: most links are fine.
            if (followed.Kind == LinkKind.Missing || options.IncludeAbsolute)
            {
                var text = LinkTargets.ReadText(path);
                if (followed.Kind == LinkKind.Missing)
                {
                    broken = new LinkProblem(path, kind, followed.IsLoop ? LinkProblemKind.Loop : LinkProblemKind.Dangling, text);
                }

                if (options.IncludeAbsolute && LinkTargets.IsAbsoluteText(text))
                {
                    absolute = new LinkProblem(path, kind, LinkProblemKind.Absolute, text);
                }
            }
        }
        catch (LinksmithException error)
        {
            onError?.Invoke(error);
        }

        return (broken, absolute) switch
        {
            (null, null) => null,
            (not null, null) => [broken],
            (null, not null) => [absolute],
            _ => [broken, absolute],
        };
    }
}
