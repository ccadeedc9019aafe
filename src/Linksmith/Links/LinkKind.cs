namespace Linksmith;

/// <summary>What a path is, seen without following it.</summary>
public enum LinkKind
{
    /// <summary>Nothing exists at the path.</summary>
    Missing,

    /// <summary>A regular file (possibly with several hard-link names).</summary>
    File,

    /// <summary>A real directory.</summary>
    Directory,

    /// <summary>A symbolic link, to a file or a directory, possibly dangling.</summary>
    SymbolicLink,

    /// <summary>A Windows junction (mount-point reparse point).</summary>
    Junction,

    /// <summary>A Windows reparse point of another kind (OneDrive placeholder, dedup, AppExecLink…).</summary>
    ReparsePoint,

    /// <summary>A device, FIFO or socket.</summary>
    Special,
}

/// <summary>The kinds of link Linksmith creates.</summary>
public enum LinkType
{
    /// <summary>A symbolic link.</summary>
    SymbolicLink,

    /// <summary>A hard link: another name of an existing file.</summary>
    HardLink,

    /// <summary>A Windows junction, or its stand-in elsewhere.</summary>
    Junction,
}

/// <summary>How the target of a symbolic link is stored.</summary>
public enum TargetStyle
{
    /// <summary>Relative to the link's folder when target and link share a volume, else absolute.</summary>
    Auto,

    /// <summary>Always relative to the link's folder (absolute only when no relative path exists).</summary>
    Relative,

    /// <summary>Always the absolute path of the target.</summary>
    Absolute,

    /// <summary>Exactly the text given, as Windows mklink stores it.</summary>
    Verbatim,
}

/// <summary>Words for kinds, as messages and human output use them.</summary>
public static class LinkKindExtensions
{
    /// <summary>A short lower-case description ("symbolic link", "directory").</summary>
    public static string Describe(this LinkKind kind) => kind switch
    {
        LinkKind.Missing => "missing path",
        LinkKind.File => "file",
        LinkKind.Directory => "directory",
        LinkKind.SymbolicLink => "symbolic link",
        LinkKind.Junction => "junction",
        LinkKind.ReparsePoint => "reparse point",
        LinkKind.Special => "special file",
        _ => kind.ToString(),
    };

    /// <summary>The word used for the kind in JSON (<c>file</c>, <c>symlink</c>, <c>reparsePoint</c>…).</summary>
    public static string ToJsonName(this LinkKind kind) => kind switch
    {
        LinkKind.Missing => "missing",
        LinkKind.File => "file",
        LinkKind.Directory => "directory",
        LinkKind.SymbolicLink => "symlink",
        LinkKind.Junction => "junction",
        LinkKind.ReparsePoint => "reparsePoint",
        LinkKind.Special => "special",
        _ => kind.ToString(),
    };

    /// <summary>True for symbolic links and junctions: names that point to another path.</summary>
    public static bool IsPathLink(this LinkKind kind) => kind is LinkKind.SymbolicLink or LinkKind.Junction;
}
