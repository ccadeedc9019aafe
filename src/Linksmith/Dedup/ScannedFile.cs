namespace Linksmith;

/// <summary>
/// One name of a regular file as the walk saw it: what dedupe needs and no more, since it holds
/// one of these per file of the tree (the directory is an index into a shared list).
/// </summary>
internal struct ScannedFile
{
    public long Size;
    public ulong Volume;
    public ulong IdLow;
    public ulong IdHigh;
    public long ModifiedSeconds;
    public long ChangedSeconds;
    public uint ModifiedNanoseconds;
    public uint ChangedNanoseconds;
    public uint Mode;
    public uint Uid;
    public uint Gid;
    public uint LinkCount;
    public int Directory;
    public string Name;

    public static ScannedFile From(in FileStatus status, int directory, string name) => new()
    {
        Size = status.Size,
        Volume = status.Identity.Volume,
        IdLow = (ulong)status.Identity.FileId,
        IdHigh = (ulong)(status.Identity.FileId >> 64),
        ModifiedSeconds = status.ModifiedTime.Seconds,
        ModifiedNanoseconds = status.ModifiedTime.Nanoseconds,
        ChangedSeconds = status.ChangeTime.Seconds,
        ChangedNanoseconds = status.ChangeTime.Nanoseconds,
        Mode = status.Mode,
        Uid = status.Uid,
        Gid = status.Gid,
        LinkCount = (uint)Math.Min(status.LinkCount, uint.MaxValue),
        Directory = directory,
        Name = name,
    };

    public readonly FileTime ModifiedTime => new(ModifiedSeconds, ModifiedNanoseconds);

    public readonly long ModifiedTicks => (ModifiedSeconds * 1_000_000_000) + ModifiedNanoseconds;

    public readonly long ChangedTicks => (ChangedSeconds * 1_000_000_000) + ChangedNanoseconds;

    public readonly bool SameFile(in ScannedFile other) =>
        Volume == other.Volume && IdLow == other.IdLow && IdHigh == other.IdHigh;

    /// <summary>Whether <paramref name="status"/> is still this file with the content it had: same identity, size, mtime and ctime.</summary>
    public readonly bool Matches(in FileStatus status) =>
        status.Identity.Volume == Volume
        && (ulong)status.Identity.FileId == IdLow
        && (ulong)(status.Identity.FileId >> 64) == IdHigh
        && status.Size == Size
        && status.ModifiedTime.Seconds == ModifiedSeconds
        && status.ModifiedTime.Nanoseconds == ModifiedNanoseconds
        && status.ChangeTime.Seconds == ChangedSeconds
        && status.ChangeTime.Nanoseconds == ChangedNanoseconds;
}
