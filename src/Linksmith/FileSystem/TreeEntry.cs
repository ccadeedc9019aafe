namespace Linksmith;

/// <summary>One path met by <see cref="TreeWalker"/>.</summary>
internal sealed class TreeEntry
{
    private string? relativePath;
    private readonly int relativeStart;

    public TreeEntry(string fullPath, string relativePath, int depth, FileStatus status)
    {
        FullPath = fullPath;
        this.relativePath = relativePath;
        Depth = depth;
        Status = status;
    }

    /// <summary>An entry whose relative path is the tail of <paramref name="fullPath"/> from <paramref name="relativeStart"/>, cut only when asked for.</summary>
    public TreeEntry(string fullPath, int relativeStart, int depth, FileStatus status)
    {
        FullPath = fullPath;
        this.relativeStart = relativeStart;
        Depth = depth;
        Status = status;
    }

    /// <summary>The full path (under the root as given).</summary>
    public string FullPath { get; }

    /// <summary>The path relative to the root, with '/' (or the OS separator) between names; empty for the root.</summary>
    /// <remarks>Made on first use: du-like walks never ask, and one string fewer per entry is measurable there.</remarks>
    public string RelativePath => relativePath ??= FullPath[relativeStart..];

    /// <summary>0 for the root, 1 for its entries, and so on.</summary>
    public int Depth { get; }

    public FileStatus Status { get; }

    public LinkKind Kind => Status.Kind;

    public string Name => Path.GetFileName(FullPath);
}
