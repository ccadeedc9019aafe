using System.Globalization;

namespace Linksmith.Tests.Backups;

/// <summary>restic's retention rules, decided on snapshot names alone.</summary>
public sealed class RetentionTests
{
    /// <summary>A snapshot every hour of 2025, 8,760 names, newest 2025-12-31_230000.</summary>
    private static readonly List<string> HourlyYear = Enumerable.Range(0, 365 * 24)
        .Select(h => new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddHours(h).ToString("yyyy-MM-dd_HHmmss", CultureInfo.InvariantCulture))
        .ToList();

    private static string At(int month, int day, int hour = 23) => new DateTime(2025, month, day, hour, 0, 0, DateTimeKind.Utc).ToString("yyyy-MM-dd_HHmmss", CultureInfo.InvariantCulture);

    [Fact]
    public void A_year_of_hourly_snapshots_keeps_exactly_what_restic_keeps()
    {
        var policy = new RetentionPolicy { Last = 3, Daily = 7, Weekly = 4, Monthly = 12, Yearly = 1 };

        var decision = policy.Decide(HourlyYear);

        var expected = new SortedSet<string>(StringComparer.Ordinal)
        {
            // --keep 3: the three newest.
            At(12, 31, 23), At(12, 31, 22), At(12, 31, 21),
            // --keep-daily 7: the last of each of the seven newest days.
            At(12, 25), At(12, 26), At(12, 27), At(12, 28), At(12, 29), At(12, 30), At(12, 31),
            // --keep-weekly 4: ISO weeks end on Sunday; 2025-12-31 (a Wednesday) is in 2026-W01.
            At(12, 14), At(12, 21),
            // --keep-monthly 12: the last of each month.
            At(1, 31), At(2, 28), At(3, 31), At(4, 30), At(5, 31), At(6, 30), At(7, 31), At(8, 31), At(9, 30), At(10, 31), At(11, 30),
            // --keep-yearly 1: 2025-12-31 23:00, already kept.
        };
        Assert.Equal(expected, decision.Kept.Select(k => k.Name));
        Assert.Equal(HourlyYear.Count - expected.Count, decision.Removed.Count);
        Assert.Equal(["last", "daily", "weekly", "monthly", "yearly"], decision.Kept[^1].Reasons);
        Assert.Equal(["monthly"], decision.Kept.Single(k => k.Name == At(1, 31)).Reasons);
    }

    [Fact]
    public void Periods_without_a_snapshot_do_not_count()
    {
        string[] names = ["2025-03-01_100000", "2025-03-05_100000", "2025-03-09_100000", "2025-03-10_080000", "2025-03-10_200000"];

        var decision = new RetentionPolicy { Daily = 3 }.Decide(names);

        Assert.Equal(["2025-03-05_100000", "2025-03-09_100000", "2025-03-10_200000"], decision.Kept.Select(k => k.Name));
        Assert.Equal(["2025-03-01_100000", "2025-03-10_080000"], decision.Removed);
    }

    [Fact]
    public void Keep_within_counts_back_from_the_newest_snapshot_inclusive()
    {
        var decision = new RetentionPolicy { Within = RetentionDuration.TryParse("2d") }.Decide(HourlyYear);

        // 2025-12-29 23:00 is exactly two days before the newest: kept, and the 48 after it.
        Assert.Equal(49, decision.Kept.Count);
        Assert.Equal(At(12, 29, 23), decision.Kept[0].Name);
    }

    [Fact]
    public void Keep_within_months_are_calendar_months()
    {
        string[] names = ["2025-02-28_120000", "2025-02-28_115959", "2025-03-31_120000"];

        var decision = new RetentionPolicy { Within = RetentionDuration.TryParse("1m") }.Decide(names);

        Assert.Equal(["2025-02-28_120000", "2025-03-31_120000"], decision.Kept.Select(k => k.Name));
    }

    [Fact]
    public void The_newest_snapshot_is_always_kept_and_same_second_names_order_by_counter()
    {
        string[] names = ["2025-01-01_000000", "2025-01-01_000000-2", "2025-01-01_000000-10"];

        var decision = new RetentionPolicy { Within = RetentionDuration.TryParse("0h") }.Decide(names);

        Assert.Contains("2025-01-01_000000-10", decision.Kept.Select(k => k.Name));
        var last = new RetentionPolicy { Last = 1 }.Decide(names);
        Assert.Equal(["2025-01-01_000000-10"], last.Kept.Select(k => k.Name));
        Assert.Equal(["2025-01-01_000000", "2025-01-01_000000-2"], last.Removed);
    }

    [Theory]
    [InlineData("7d", 0, 0, 7, 0)]
    [InlineData("12h", 0, 0, 0, 12)]
    [InlineData("2w", 0, 0, 14, 0)]
    [InlineData("6m", 0, 6, 0, 0)]
    [InlineData("1y", 1, 0, 0, 0)]
    [InlineData("1y6m2d", 1, 6, 2, 0)]
    public void Durations_read_like_restics(string text, int years, int months, int days, int hours) =>
        Assert.Equal(new RetentionDuration(years, months, days, hours), RetentionDuration.TryParse(text));

    [Theory]
    [InlineData("")]
    [InlineData("7")]
    [InlineData("d")]
    [InlineData("7x")]
    [InlineData("-1d")]
    [InlineData("1.5d")]
    public void Bad_durations_are_refused(string text) => Assert.Null(RetentionDuration.TryParse(text));
}
