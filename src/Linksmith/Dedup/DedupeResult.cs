namespace Linksmith;

/// <summary>What a dedupe found and (with <see cref="DedupeOptions.Apply"/>) did.</summary>
public sealed class DedupeResult
{
    /// <summary>Whether duplicates were replaced (false: only reported).</summary>
    public required bool Applied { get; init; }

    /// <summary>Groups of identical files: the survivor and the names that were (or would be) re-linked to it.</summary>
    public required IReadOnlyList<DuplicateGroup> Groups { get; init; }

    /// <summary>Bytes freed (or, when not applied, that would be freed): each removed duplicate's size once.</summary>
    public long SavedBytes { get; init; }

    /// <summary>Files left alone on purpose, each with the reason.</summary>
    public required IReadOnlyList<DedupeSkip> Skipped { get; init; }

    /// <summary>Failures: paths that could not be read or replaced. Each was left as it was.</summary>
    public required IReadOnlyList<LinksmithException> Errors { get; init; }

    /// <summary>How much work the run did.</summary>
    public required DedupeStatistics Statistics { get; init; }
}

/// <summary>Identical files of one size: <see cref="Keep"/> survives, every name in <see cref="Duplicates"/> becomes a name of it.</summary>
/// <remarks>
/// Paths are made when read, from the run's compact records: a big run reports tens of
/// thousands of groups, and holding each path as a string would cost more than the rest of the
/// report together.
/// </remarks>
public sealed class DuplicateGroup
{
    /// <param name="size">The size of each file in bytes.</param>
    /// <param name="keep">The surviving name.</param>
    /// <param name="duplicates">Every re-linked name.</param>
    /// <param name="duplicateFiles">How many distinct files the re-linked names belong to.</param>
    internal DuplicateGroup(long size, string keep, IReadOnlyList<string> duplicates, int duplicateFiles)
    {
        Size = size;
        Keep = keep;
        Duplicates = duplicates;
        DuplicateFiles = duplicateFiles;
    }

    /// <summary>The size of each file in bytes.</summary>
    public long Size { get; }

    /// <summary>The surviving name (the file keeps its owner, mode and times).</summary>
    public string Keep { get; }

    /// <summary>The names re-linked to <see cref="Keep"/>, all names of each duplicate file.</summary>
    public IReadOnlyList<string> Duplicates { get; }

    /// <summary>How many distinct files were (or would be) freed: <see cref="Duplicates"/> counts names.</summary>
    public int DuplicateFiles { get; }
}

/// <summary>A file dedupe did not merge, and why.</summary>
/// <param name="Path">The file's name.</param>
/// <param name="Reason">Why it was left alone, in words for the user.</param>
public sealed record DedupeSkip(string Path, string Reason);

/// <summary>Counts of what one dedupe run did.</summary>
public sealed record DedupeStatistics
{
    /// <summary>Regular files that passed the filters and size limits (names).</summary>
    public long FilesScanned { get; init; }

    /// <summary>Distinct files sharing a size (and owner and mode) with another: the candidates.</summary>
    public long Candidates { get; init; }

    /// <summary>Files whose content was read (a sample or all of it).</summary>
    public long FilesRead { get; init; }

    /// <summary>Bytes read from files.</summary>
    public long BytesRead { get; init; }

    /// <summary>Hashes taken from the cache instead of reading the file.</summary>
    public long CacheHits { get; init; }

    /// <summary>Why the cache was not used, when it was asked for and could not be (null otherwise).</summary>
    public string? CacheProblem { get; init; }
}
