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

/// <summary>What the file system says about one path itself (lstat), as the tree walk reads it.</summary>
internal readonly record struct FileStatus
{
    public LinkKind Kind { get; init; }

    /// <summary>Permission bits (07777) on Unix; on Windows 1 when read-only.</summary>
    public uint Mode { get; init; }

    public uint Uid { get; init; }

    public uint Gid { get; init; }

    public long Size { get; init; }

    /// <summary>Bytes allocated on disk.</summary>
    public long AllocatedBytes { get; init; }

    public long LinkCount { get; init; }

    public FileIdentity Identity { get; init; }

    public FileTime ModifiedTime { get; init; }

    public FileTime AccessTime { get; init; }

    public FileTime ChangeTime { get; init; }

    /// <summary>Whether Kind, Identity and everything else were read (false: only the kind from the directory listing).</summary>
    public bool IsComplete { get; init; }
}
