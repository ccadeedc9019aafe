namespace Linksmith;

/// <summary>
/// An entry's full path as messages and test hooks name it, made only when one asks for it: a
/// copy names its source and its new file at a dozen places that could report an error and almost
/// never does, and building those strings for every file was a measurable share of a copy's own
/// (user) time.
/// </summary>
internal readonly struct MessagePath
{
    private readonly DirectoryHandle? root;
    private readonly string? path;

    /// <summary>The path of <paramref name="relativePath"/> below <paramref name="root"/>.</summary>
    public MessagePath(DirectoryHandle root, string relativePath)
    {
        this.root = root;
        path = relativePath;
    }

    private MessagePath(string fullPath) => path = fullPath;

    /// <summary>A path that is already a string.</summary>
    public static implicit operator MessagePath(string fullPath) => new(fullPath);

    /// <summary>The full path (empty for <c>default</c>).</summary>
    public override string ToString() => root is not null ? root.FullPath(path!) : path ?? string.Empty;
}
