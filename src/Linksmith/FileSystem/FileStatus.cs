namespace Linksmith;

/// <summary>A point in time as the file system keeps it: seconds since 1970 and nanoseconds.</summary>
/// <param name="Seconds">Whole seconds since 1970-01-01 UTC.</param>
/// <param name="Nanoseconds">0..999,999,999.</param>
public readonly record struct FileTime(long Seconds, uint Nanoseconds) : IComparable<FileTime>
{
    /// <summary>The time as a UTC <see cref="DateTime"/> (rounded down to 100 ns).</summary>
    public DateTime ToDateTime() => DateTime.UnixEpoch.AddTicks((Seconds * TimeSpan.TicksPerSecond) + (Nanoseconds / 100));

    /// <summary>From a <see cref="DateTime"/> (taken as UTC when unspecified).</summary>
    public static FileTime FromDateTime(DateTime time)
    {
        var ticks = (time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : time).Ticks - DateTime.UnixEpoch.Ticks;
        return new FileTime(Math.DivRem(ticks, TimeSpan.TicksPerSecond, out var rest) - (rest < 0 ? 1 : 0), (uint)(((rest % TimeSpan.TicksPerSecond) + TimeSpan.TicksPerSecond) % TimeSpan.TicksPerSecond * 100));
    }

    /// <summary>Whether this time and <paramref name="other"/> differ by at most <paramref name="window"/> (zero: equal).</summary>
    public bool IsWithin(FileTime other, TimeSpan window)
    {
        if (window <= TimeSpan.Zero)
        {
            return this == other;
        }

        var apart = (((Int128)Seconds - other.Seconds) * 1_000_000_000) + ((long)Nanoseconds - other.Nanoseconds);
        return Int128.Abs(apart) <= (Int128)window.Ticks * 100;
    }

    /// <inheritdoc/>
    public int CompareTo(FileTime other) => (Seconds, Nanoseconds).CompareTo((other.Seconds, other.Nanoseconds));

    /// <summary>Earlier than.</summary>
    public static bool operator <(FileTime left, FileTime right) => left.CompareTo(right) < 0;

    /// <summary>Later than.</summary>
    public static bool operator >(FileTime left, FileTime right) => left.CompareTo(right) > 0;

    /// <summary>Earlier than or the same.</summary>
    public static bool operator <=(FileTime left, FileTime right) => left.CompareTo(right) <= 0;

    /// <summary>Later than or the same.</summary>
    public static bool operator >=(FileTime left, FileTime right) => left.CompareTo(right) >= 0;
}

/// <summary>
/// What the file system says about one path: of the path itself (lstat), or of what it leads to
/// when links were followed (stat). The one stat type of the library: the walk, the directory
/// handles and the link primitives all answer with it. A readonly struct, so a listing of any size
/// holds its statuses in one array and no entry costs an object.
/// </summary>
/// <remarks>
/// <see cref="LinkKind.Missing"/> (the default) means nothing is there; <see cref="IsLoop"/> says
/// when a loop of links is why. A status from a directory listing that was not asked to stat every
/// entry has only the kind from the listing (and the inode, on Linux): <see cref="IsComplete"/> is
/// false then.
/// </remarks>
internal readonly partial record struct FileStatus
{
    /// <summary>Nothing is there.</summary>
    public static FileStatus Missing => default;

    /// <summary>Nothing is there to be reached: a loop of links stopped the lookup.</summary>
    public static FileStatus Loop => new() { IsLoop = true };

    public LinkKind Kind { get; init; }

    /// <summary>Permission bits (07777) on Unix; on Windows 1 when read-only.</summary>
    public uint Mode { get; init; }

    public uint Uid { get; init; }

    public uint Gid { get; init; }

    public long Size { get; init; }

    /// <summary>Bytes allocated on disk.</summary>
    public long AllocatedBytes { get; init; }

    /// <summary>
    /// Windows: the file is marked sparse (FILE_ATTRIBUTE_SPARSE_FILE), so its holes are kept when
    /// it is copied to a volume that has sparse files. Always false on Unix, where a hole needs no
    /// mark (fewer <see cref="AllocatedBytes"/> than <see cref="Size"/> tell of it).
    /// </summary>
    public bool IsSparse { get; init; }

    /// <summary>
    /// Windows: the file is compressed (FILE_ATTRIBUTE_COMPRESSED), so it has fewer
    /// <see cref="AllocatedBytes"/> than <see cref="Size"/> without any hole, and a copy of it is
    /// not compressed. Always false on Unix.
    /// </summary>
    public bool IsCompressed { get; init; }

    public long LinkCount { get; init; }

    /// <summary>Volume and file id. In a status that is not <see cref="IsComplete"/>: only the file id, where the listing gives one (Linux's d_ino), else nothing.</summary>
    public FileIdentity Identity { get; init; }

    public FileTime ModifiedTime { get; init; }

    public FileTime AccessTime { get; init; }

    public FileTime ChangeTime { get; init; }

    /// <summary>Whether Kind, Identity and everything else were read (false: only the kind from the directory listing).</summary>
    public bool IsComplete { get; init; }

    /// <summary>For a link: whether it is marked as a directory link (Windows' directory attribute); else whether the path is a directory.</summary>
    public bool TargetIsDirectory { get; init; }

    /// <summary>For a path that was followed and is <see cref="LinkKind.Missing"/>: whether a loop of links stopped it.</summary>
    public bool IsLoop { get; init; }
}
