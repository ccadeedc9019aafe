using System.CommandLine;

namespace Linksmith.Cli.Commands;

/// <summary>The options several commands share, spelt the same everywhere.</summary>
internal static class CommonOptions
{
    public static Option<bool> Json() => new("--json") { Description = "Print one JSON document on stdout instead of text" };

    public static Option<bool> DryRun() => new("--dry-run", "-n") { Description = "Print what would be done, change nothing" };

    public static Option<bool> Force() => new("--force", "-f")
    {
        Description = "Replace an existing file or link atomically (never a non-empty directory)",
    };

    /// <summary>For entries a file manager runs: results and errors as desktop notifications, long jobs with a progress window.</summary>
    public static Option<bool> Notify() => new("--notify")
    {
        Description = "Report by desktop notification (and a progress window for long work), for use from a file manager",
    };

    public static Option<string?> Within() => new("--within")
    {
        Description = "Search for other names of hard-linked files only under this directory",
        HelpName = "DIR",
    };
}
