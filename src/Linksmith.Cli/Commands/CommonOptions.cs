using System.CommandLine;
using System.Globalization;

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

    /// <summary>
    /// A whole-number option. A value that is no number is a usage error in the user's words
    /// (<c>--keep: 'abc' is not a whole number</c>), not the parser's type name; a negative number
    /// is parsed, so the command's own range check can say what the option needs.
    /// </summary>
    public static Option<int?> WholeNumber(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "N",
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 0 ? string.Empty : result.Tokens[^1].Value;
            if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }

            var digits = text.StartsWith('-') ? text[1..] : text;
            result.AddError(digits.Length > 0 && digits.All(char.IsAsciiDigit) ? $"{name}: '{text}' is out of range" : $"{name}: '{text}' is not a whole number");
            return null;
        },
    };
}
