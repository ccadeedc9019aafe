using System.CommandLine;
using System.Globalization;

namespace Linksmith.Cli.Commands;

/// <summary>
/// <c>--include</c>/<c>--exclude GLOB</c> and <c>--include-from</c>/<c>--exclude-from FILE</c>: one
/// <see cref="PathFilter"/> from all four, for the tree commands and dedupe. A filter file holds
/// one glob a line, with the same meaning as the option; blank lines and lines starting with
/// <c>#</c> are ignored (as rsync's), a line's other spaces are part of its pattern, and <c>-</c>
/// reads the patterns from standard input.
/// </summary>
internal sealed class FilterOptions(string includeDescription, string excludeDescription)
{
    private readonly Option<string[]> include = new("--include") { Description = includeDescription, HelpName = "GLOB", AllowMultipleArgumentsPerToken = false };
    private readonly Option<string[]> exclude = new("--exclude") { Description = excludeDescription, HelpName = "GLOB", AllowMultipleArgumentsPerToken = false };
    private readonly Option<string[]> includeFrom = new("--include-from") { Description = "Read --include patterns from FILE, one a line ('#' comments and blank lines ignored; '-': standard input; repeatable)", HelpName = "FILE", AllowMultipleArgumentsPerToken = false };
    private readonly Option<string[]> excludeFrom = new("--exclude-from") { Description = "Read --exclude patterns from FILE, one a line ('#' comments and blank lines ignored; '-': standard input; repeatable)", HelpName = "FILE", AllowMultipleArgumentsPerToken = false };

    public void AddTo(Command command)
    {
        command.Options.Add(include);
        command.Options.Add(exclude);
        command.Options.Add(includeFrom);
        command.Options.Add(excludeFrom);
    }

    /// <summary>
    /// The filter the command line asks for; null when it is wrong (a filter file that cannot be
    /// read, a malformed pattern), after reporting a usage error (exit 2) that names the file, or
    /// the option or file line the pattern came from.
    /// </summary>
    public PathFilter? Build(ParseResult parse, Reporter reporter, TextReader? standardInput, string commandName)
    {
        // Where each pattern came from, for the message about a malformed one.
        var origins = new Dictionary<string, string>(StringComparer.Ordinal);
        var includes = new List<string>();
        var excludes = new List<string>();
        Collect(parse.GetValue(include), "--include", includes);
        Collect(parse.GetValue(exclude), "--exclude", excludes);
        var files = (parse.GetValue(includeFrom) ?? []).Select(file => (Option: "--include-from", File: file, Into: includes))
            .Concat((parse.GetValue(excludeFrom) ?? []).Select(file => (Option: "--exclude-from", File: file, Into: excludes)))
            .ToList();
        if (files.Count(file => file.File == "-") > 1)
        {
            reporter.Usage("only one filter file can be '-' (standard input is read once)", "put the other patterns in a file, or give them with --include/--exclude");
            return null;
        }

        foreach (var (option, file, into) in files)
        {
            if (ReadLines(file, standardInput) is not { } lines)
            {
                reporter.Usage($"{Display.Path(file)}: cannot read the {option} file: {WhyUnreadable(file)}", $"give a file with one glob a line, or - to read them from standard input");
                return null;
            }

            var origin = file == "-" ? $"{option} - (standard input)" : $"{option} {Display.Path(file)}";
            for (var i = 0; i < lines.Length; i++)
            {
                var line = lines[i].TrimEnd('\r');
                if (line.Trim().Length == 0 || line.StartsWith('#'))
                {
                    continue;
                }

                origins.TryAdd(line, string.Create(CultureInfo.InvariantCulture, $"{origin} line {i + 1}"));
                into.Add(line);
            }
        }

        try
        {
            return new PathFilter(includes, excludes);
        }
        catch (InvalidPatternException error)
        {
            var from = origins.GetValueOrDefault(error.Pattern, "--exclude");
            reporter.Usage($"{from}: the pattern '{error.Pattern}' {error.Reason}", $"see `linksmith {commandName} --help` for the glob syntax");
            return null;
        }

        void Collect(string[]? patterns, string option, List<string> into)
        {
            foreach (var pattern in patterns ?? [])
            {
                origins.TryAdd(pattern, option);
                into.Add(pattern);
            }
        }
    }

    private static string[]? ReadLines(string file, TextReader? standardInput)
    {
        if (file == "-")
        {
            return (standardInput?.ReadToEnd() ?? string.Empty).Split('\n');
        }

        try
        {
            return File.ReadAllLines(file);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Why a filter file could not be read, in our words (a trimmed runtime's own messages may be resource keys).</summary>
    private static string WhyUnreadable(string file) =>
        Directory.Exists(file) ? "it is a directory"
        : !File.Exists(file) ? "no such file"
        : "permission denied, or it cannot be read";
}
