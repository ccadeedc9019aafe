using System.Globalization;

namespace Linksmith;

/// <summary>
/// A span of calendar time for <c>--keep-within</c>: <c>7d</c>, <c>12h</c>, <c>2w</c>, <c>6m</c>,
/// <c>1y</c>, or several of them together (<c>1y6m</c>), as restic's durations. Months and years
/// are calendar ones (a month back from 31 March is 28 or 29 February), as restic subtracts them.
/// </summary>
public readonly record struct RetentionDuration(int Years, int Months, int Days, int Hours)
{
    /// <summary>Reads <c>7d</c>, <c>12h</c>, <c>2w</c>, <c>6m</c>, <c>1y</c> and combinations; null when the text is not one.</summary>
    public static RetentionDuration? TryParse(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        int years = 0, months = 0, days = 0, hours = 0;
        var number = 0L;
        var digits = 0;
        foreach (var c in text)
        {
            if (c is >= '0' and <= '9')
            {
                number = (number * 10) + (c - '0');
                if (++digits > 6)
                {
                    return null;
                }

                continue;
            }

            if (digits == 0)
            {
                return null;
            }

            var n = (int)number;
            switch (c)
            {
                case 'y': years += n; break;
                case 'm': months += n; break;
                case 'w': days += 7 * n; break;
                case 'd': days += n; break;
                case 'h': hours += n; break;
                default: return null;
            }

            number = 0;
            digits = 0;
        }

        return digits == 0 ? new RetentionDuration(years, months, days, hours) : null;
    }

    /// <summary>The moment this long before <paramref name="time"/> (or the earliest time there is).</summary>
    public DateTime Before(DateTime time)
    {
        try
        {
            return time.AddYears(-Years).AddMonths(-Months).AddDays(-Days).AddHours(-Hours);
        }
        catch (ArgumentOutOfRangeException)
        {
            return DateTime.MinValue;
        }
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        var parts = new List<string>();
        Add(Years, 'y');
        Add(Months, 'm');
        Add(Days, 'd');
        Add(Hours, 'h');
        return parts.Count == 0 ? "0h" : string.Concat(parts);

        void Add(int value, char unit)
        {
            if (value != 0)
            {
                parts.Add(value.ToString(CultureInfo.InvariantCulture) + unit);
            }
        }
    }
}

/// <summary>
/// Which snapshots to keep (<c>--keep</c>, <c>--keep-within</c>, <c>--keep-daily/weekly/monthly/yearly</c>),
/// with restic's rules: each rule keeps the newest snapshot of each of its N most recent periods
/// that have one; a snapshot is kept if any rule keeps it; the newest is always kept.
/// </summary>
public sealed record RetentionPolicy
{
    /// <summary>The newest N snapshots (<c>--keep</c>).</summary>
    public int? Last { get; init; }

    /// <summary>Every snapshot at most this much older than the newest, inclusive (<c>--keep-within</c>).</summary>
    public RetentionDuration? Within { get; init; }

    /// <summary>The newest snapshot of each of the N most recent UTC days that have one.</summary>
    public int? Daily { get; init; }

    /// <summary>The newest snapshot of each of the N most recent ISO weeks (UTC) that have one.</summary>
    public int? Weekly { get; init; }

    /// <summary>The newest snapshot of each of the N most recent UTC months that have one.</summary>
    public int? Monthly { get; init; }

    /// <summary>The newest snapshot of each of the N most recent UTC years that have one.</summary>
    public int? Yearly { get; init; }

    /// <summary>No rule given: nothing is pruned.</summary>
    public bool IsEmpty => Last is null && Within is null && Daily is null && Weekly is null && Monthly is null && Yearly is null;

    /// <summary>
    /// Splits snapshot names into those kept and those to remove. Names that are not snapshot
    /// names are left out of both.
    /// </summary>
    /// <param name="names">Finished snapshot names, in any order.</param>
    /// <returns>Both lists oldest first; each kept name with the rules that keep it.</returns>
    public RetentionDecision Decide(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var newestFirst = names.Where(Snapshots.IsSnapshotName).Distinct(StringComparer.Ordinal).Order(Snapshots.Order).Reverse().ToList();
        var kept = new List<(string Name, List<string> Reasons)>();
        var removed = new List<string>();
        if (IsEmpty)
        {
            return new RetentionDecision(newestFirst.AsEnumerable().Reverse().Select(n => new KeptSnapshot(n, [])).ToList(), []);
        }

        var rules = new List<Rule>();
        if (Last is { } last)
        {
            var counter = 0L;
            rules.Add(new Rule("last", last, _ => counter++));
        }

        if (Daily is { } daily)
        {
            rules.Add(new Rule("daily", daily, t => (t.Year * 10000L) + (t.Month * 100) + t.Day));
        }

        if (Weekly is { } weekly)
        {
            rules.Add(new Rule("weekly", weekly, t => (ISOWeek.GetYear(t) * 100L) + ISOWeek.GetWeekOfYear(t)));
        }

        if (Monthly is { } monthly)
        {
            rules.Add(new Rule("monthly", monthly, t => (t.Year * 100L) + t.Month));
        }

        if (Yearly is { } yearly)
        {
            rules.Add(new Rule("yearly", yearly, t => t.Year));
        }

        var limit = newestFirst.Count > 0 && Within is { } within ? within.Before(Snapshots.TimeOf(newestFirst[0])) : (DateTime?)null;
        for (var i = 0; i < newestFirst.Count; i++)
        {
            var name = newestFirst[i];
            var time = Snapshots.TimeOf(name);
            var reasons = new List<string>();
            foreach (var rule in rules)
            {
                if (rule.Keeps(time))
                {
                    reasons.Add(rule.Name);
                }
            }

            if (limit is { } oldest && time >= oldest)
            {
                reasons.Add("within");
            }

            if (i == 0 && reasons.Count == 0)
            {
                reasons.Add("newest");
            }

            if (reasons.Count > 0)
            {
                kept.Add((name, reasons));
            }
            else
            {
                removed.Add(name);
            }
        }

        kept.Reverse();
        removed.Reverse();
        return new RetentionDecision(kept.Select(k => new KeptSnapshot(k.Name, k.Reasons)).ToList(), removed);
    }

    /// <summary>One rule's state while the snapshots are visited newest first, as restic's buckets.</summary>
    private sealed class Rule(string name, int count, Func<DateTime, long> period)
    {
        private int left = count;
        private long? lastPeriod;

        public string Name { get; } = name;

        public bool Keeps(DateTime time)
        {
            if (left <= 0)
            {
                return false;
            }

            var current = period(time);
            if (current == lastPeriod)
            {
                return false;
            }

            lastPeriod = current;
            left--;
            return true;
        }
    }
}

/// <summary>A snapshot that stays, and the rules that keep it (<c>last</c>, <c>within</c>, <c>daily</c>, …, or <c>newest</c>).</summary>
public sealed record KeptSnapshot(string Name, IReadOnlyList<string> Reasons);

/// <summary>What a retention policy keeps and removes, oldest first.</summary>
public sealed record RetentionDecision(IReadOnlyList<KeptSnapshot> Kept, IReadOnlyList<string> Removed);

/// <summary><c>snapshots prune REPO</c>: the retention rules applied to a repository alone.</summary>
public sealed record PruneJob
{
    /// <summary>The folder that holds the snapshots.</summary>
    public required string RepositoryPath { get; init; }

    /// <summary>What to keep.</summary>
    public required RetentionPolicy Policy { get; init; }

    /// <summary>Only report what would go.</summary>
    public bool DryRun { get; init; }

    /// <summary>Called with each snapshot's path before it is removed (in a dry run: each that would be).</summary>
    public Action<string>? OnRemoving { get; init; }

    /// <summary>Called for every failure; the rest goes on.</summary>
    public Action<LinksmithException>? OnError { get; init; }

    /// <summary>Checked between snapshots.</summary>
    public CancellationToken Cancellation { get; init; }
}

/// <summary>What pruning did (or, in a dry run, would do).</summary>
public sealed class PruneResult
{
    /// <summary>The snapshots that stay, oldest first, with the rules that keep each.</summary>
    public IReadOnlyList<KeptSnapshot> Kept { get; init; } = [];

    /// <summary>The snapshots removed (or that would be), oldest first.</summary>
    public List<string> Removed { get; } = [];

    /// <summary>Entries deleted (files, links, directories).</summary>
    public long Entries { get; set; }

    /// <summary>Bytes freed: files whose last name was deleted.</summary>
    public long Bytes { get; set; }

    /// <summary>Snapshots that could not be removed.</summary>
    public long Errors { get; set; }
}
