namespace Linksmith;

/// <summary>The source of a move is a link: moving it would move the link, not the data.</summary>
public sealed class MoveSourceIsLinkException(string sourcePath, LinkKind kind, string? targetText)
    : LinksmithException(
        sourcePath,
        $"is already a {kind.Describe()}{(targetText is null ? string.Empty : $" (to {targetText})")}; moving it would move the link, not the data",
        "Move what it points to instead; if Linksmith moved it here, bring the data home with a move back")
{
    /// <summary>What the source is.</summary>
    public LinkKind Kind { get; } = kind;
}

/// <summary>The data would land on a name that already exists; a move never replaces anything.</summary>
public sealed class MoveDestinationExistsException(string destinationPath, LinkKind existingKind)
    : LinksmithException(
        destinationPath,
        $"already exists (a {existingKind.Describe()}); a move never replaces anything",
        "Choose another destination folder, or rename or remove what is there first")
{
    /// <summary>What is already there.</summary>
    public LinkKind ExistingKind { get; } = existingKind;
}

/// <summary>The destination folder of a move is missing or not a directory.</summary>
public sealed class MoveDestinationNotADirectoryException(string destinationDirectory, LinkKind kind)
    : LinksmithException(
        destinationDirectory,
        kind == LinkKind.Missing ? "no such directory" : $"is a {kind.Describe()}, not a directory",
        "The destination must be an existing folder; the data lands inside it under its own name")
{
    /// <summary>What the path is.</summary>
    public LinkKind Kind { get; } = kind;
}

/// <summary>The destination's file system has too little free space for the copy; nothing was done.</summary>
public sealed class InsufficientSpaceException(string destinationDirectory, long neededBytes, long availableBytes)
    : LinksmithException(
        destinationDirectory,
        $"not enough free space: the move needs about {neededBytes:N0} bytes, {availableBytes:N0} are free",
        "Free some space there or choose another destination; nothing was changed")
{
    /// <summary>About how many bytes the copy takes.</summary>
    public long NeededBytes { get; } = neededBytes;

    /// <summary>How many bytes are free.</summary>
    public long AvailableBytes { get; } = availableBytes;
}

/// <summary>The copy differs from the original: the move is rolled back and the original kept.</summary>
public sealed class MoveVerificationException(string path, string difference)
    : LinksmithException(
        path,
        $"the copy differs from the original ({difference})",
        "The original was kept and the copy removed; if the data was in use, close the programs that use it and move again")
{
    /// <summary>What differs.</summary>
    public string Difference { get; } = difference;
}

/// <summary>A file is held open by another program (Windows sharing violation), so the folder cannot be moved.</summary>
public sealed class FileInUseException(string path)
    : LinksmithException(
        path,
        "is in use by another program (sharing violation)",
        "Close the program that has it open and move again; the move was rolled back")
{
}

/// <summary>Nothing is known about the path as a moved folder, and it is no link to bring home.</summary>
public sealed class NotAMovedLinkException(string linkPath, LinkKind kind)
    : LinksmithException(
        linkPath,
        kind == LinkKind.Missing ? "no such link, and no move of this path is recorded" : $"is a {kind.Describe()}, not a link left by a move",
        "Name the link that a move left at the old place (see the list of moves)")
{
    /// <summary>What the path is.</summary>
    public LinkKind Kind { get; } = kind;
}

/// <summary>A move was stopped and could not be rolled back completely; it stays pending in the journal.</summary>
public sealed class MoveIncompleteException(string path, string reason)
    : LinksmithException(path, reason, "Fix the cause, then resume the move; the data is complete at the place shown")
{
}

/// <summary>What a move would leave behind, or carry, is not possible here (a junction to a file, a device or FIFO across volumes).</summary>
public sealed class MoveNotPossibleException(string path, string reason, string hint)
    : NotPossibleHereException(path, reason, hint)
{
}
