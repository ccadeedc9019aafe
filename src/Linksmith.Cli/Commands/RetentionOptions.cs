using System.CommandLine;

namespace Linksmith.Cli.Commands;

/// <summary>The retention rules of <c>backup</c> and <c>snapshots prune</c>, spelt the same in both.</summary>
internal sealed class RetentionOptions
{
    public const string Hint = "--keep N, --keep-daily/weekly/monthly/yearly N take 1 or more; --keep-within takes a duration such as 7d, 12h, 2w, 6m, 1y";

    public Option<int?> Last { get; } = CommonOptions.WholeNumber("--keep", "Keep the N newest snapshots (the new one included); the others are deleted, never through a link");

    public Option<string?> Within { get; } = new("--keep-within")
    {
        Description = "Keep every snapshot at most this much older than the newest: 7d, 12h, 2w, 6m, 1y (or combined, 1y6m)",
        HelpName = "DURATION",
    };

    public Option<int?> Daily { get; } = CommonOptions.WholeNumber("--keep-daily", "Keep the newest snapshot of each of the N most recent days that have one (UTC)");

    public Option<int?> Weekly { get; } = CommonOptions.WholeNumber("--keep-weekly", "Keep the newest snapshot of each of the N most recent ISO weeks that have one");

    public Option<int?> Monthly { get; } = CommonOptions.WholeNumber("--keep-monthly", "Keep the newest snapshot of each of the N most recent months that have one");

    public Option<int?> Yearly { get; } = CommonOptions.WholeNumber("--keep-yearly", "Keep the newest snapshot of each of the N most recent years that have one");

    public void AddTo(Command command)
    {
        command.Options.Add(Last);
        command.Options.Add(Within);
        command.Options.Add(Daily);
        command.Options.Add(Weekly);
        command.Options.Add(Monthly);
        command.Options.Add(Yearly);
    }

    /// <summary>The policy the command line asks for, or a usage error in the user's words.</summary>
    public (RetentionPolicy? Policy, string? Error) Read(ParseResult parse)
    {
        foreach (var option in new[] { Last, Daily, Weekly, Monthly, Yearly })
        {
            if (parse.GetValue(option) is < 1)
            {
                return (null, $"{option.Name} must be 1 or more");
            }
        }

        RetentionDuration? within = null;
        if (parse.GetValue(Within) is { } text)
        {
            within = RetentionDuration.TryParse(text);
            if (within is null)
            {
                return (null, $"--keep-within: '{text}' is not a duration");
            }
        }

        return (new RetentionPolicy
        {
            Last = parse.GetValue(Last),
            Within = within,
            Daily = parse.GetValue(Daily),
            Weekly = parse.GetValue(Weekly),
            Monthly = parse.GetValue(Monthly),
            Yearly = parse.GetValue(Yearly),
        }, null);
    }
}
