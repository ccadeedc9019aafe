using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Linksmith.Cli.Docs;

/// <summary>
/// The man page <c>linksmith(1)</c> in man(7) roff, generated from the grammar: every command,
/// argument and option that <c>--help</c> shows, with help's own words.
/// </summary>
internal static partial class ManPage
{
    public static string Render(CommandDoc root)
    {
        var page = new StringBuilder();
        page.Append(CultureInfo.InvariantCulture, $".TH LINKSMITH 1 {Date()} \"Linksmith {Version.Text}\" \"User Commands\"\n");
        page.Append(".SH NAME\n");
        page.Append("linksmith \\- symbolic links, hard links and junctions made easy, safe and fast\n");
        page.Append(".SH SYNOPSIS\n");
        page.Append(".B linksmith\n.I COMMAND\n.RI [ OPTIONS ]\n.RI [ ARGUMENTS ]\n.br\n");
        page.Append(".B linksmith\n.RB [ \\-\\-help | \\-\\-version ]\n");
        page.Append(".SH DESCRIPTION\n");
        page.Append(Text(root.Description)).Append('\n');
        page.Append(".PP\nEvery command prints its own help with\n.BR \"linksmith \\fICOMMAND\\fB \\-\\-help\" .\n");
        page.Append("Commands that change the file system accept\n.B \\-\\-dry\\-run\n(print what would be done, change nothing) and\n.B \\-\\-json\n(one JSON document on standard output).\n");
        page.Append(".SH OPTIONS\n");
        foreach (var option in root.Options)
        {
            Option(page, option);
        }

        page.Append(".SH COMMANDS\n");
        foreach (var command in root.SelfAndDescendants().Skip(1))
        {
            Command(page, command);
        }

        page.Append("""
            .SH EXIT STATUS
            .TP
            .B 0
            Everything asked for was done.
            .TP
            .B 1
            The operation, or some item of it, failed; each failure was reported.
            .TP
            .B 2
            The command line is wrong: unknown option, missing argument,
            conflicting options.
            .TP
            .B 3
            Not possible here: platform, file system, privilege,
            or a hard link across volumes.
            .TP
            .BR 129 ", " 130 ", " 143
            Stopped by SIGHUP, SIGINT or SIGTERM, between entries.
            .SH ENVIRONMENT
            .TP
            .B LINKSMITH_STATE_DIR
            Where picks, the move journal and the dedupe hash cache are kept
            (one SQLite database).
            .TP
            .B XDG_STATE_HOME
            Without LINKSMITH_STATE_DIR, the state is kept in
            .IR $XDG_STATE_HOME/linksmith ,
            else in
            .IR \(ti/.local/state/linksmith .
            .SH SEE ALSO
            .BR ln (1),
            .BR cp (1),
            .BR du (1),
            .BR symlink (7)

            """);
        return page.ToString();
    }

    private static void Command(StringBuilder page, CommandDoc command)
    {
        page.Append(".SS ").Append(Escape(string.Join(' ', command.Path.Skip(1)))).Append('\n');
        page.Append(".B ").Append(Escape(command.FullName)).Append('\n');
        if (command.Subcommands.Count > 0)
        {
            page.Append(".I COMMAND\n");
        }

        if (command.Options.Count > 0)
        {
            page.Append(".RI [ OPTIONS ]\n");
        }

        foreach (var argument in command.Arguments)
        {
            var name = Escape(argument.Name) + (argument.Many && !argument.Name.Contains("...", StringComparison.Ordinal) ? " ..." : string.Empty);
            page.Append(argument.Optional ? ".RI [ \"" + name + "\" ]\n" : ".I \"" + name + "\"\n");
        }

        page.Append(".PP\n").Append(Text(command.Description)).Append('\n');
        if (command.Subcommands.Count > 0)
        {
            page.Append(".PP\nIts commands: ")
                .Append(string.Join(", ", command.Subcommands.Select(static sub => "\\fB" + Escape(sub.Name) + "\\fR")))
                .Append(".\n");
        }

        foreach (var argument in command.Arguments.Where(static argument => argument.Description.Length > 0))
        {
            page.Append(".TP\n.I ").Append(Escape(argument.Name)).Append('\n').Append(Text(argument.Description)).Append('\n');
        }

        foreach (var option in command.Options)
        {
            Option(page, option);
        }
    }

    private static void Option(StringBuilder page, OptionDoc option)
    {
        page.Append(".TP\n");
        var names = string.Join(", ", option.Names.Select(static name => "\\fB" + Escape(name) + "\\fR"));
        page.Append(names);
        if (option.TakesValue)
        {
            page.Append(" \\fI").Append(Escape(option.ValueName!)).Append("\\fR");
        }

        page.Append('\n').Append(Text(option.Description)).Append('\n');
    }

    /// <summary>Prose: escaped, with `code` in bold, and never a line that roff would read as a request.</summary>
    private static string Text(string text)
    {
        var parts = Code().Split(text);
        var result = new StringBuilder();
        for (var i = 0; i < parts.Length; i++)
        {
            result.Append(i % 2 == 0 ? Escape(parts[i]) : "\\fB" + Escape(parts[i]) + "\\fR");
        }

        return Wrap(result.ToString());
    }

    /// <summary>Source lines of at most 78 characters (mandoc's lint asks for 80), none starting as a request.</summary>
    private static string Wrap(string text)
    {
        var lines = new List<string>();
        var line = new StringBuilder();
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > 78)
            {
                lines.Add(line.ToString());
                line.Clear();
            }

            line.Append(line.Length > 0 ? " " : string.Empty).Append(word);
        }

        lines.Add(line.ToString());
        return string.Join('\n', lines.Select(static l => l.StartsWith('.') || l.StartsWith('\'') ? "\\&" + l : l));
    }

    /// <summary>Backslashes, and hyphens as the minus sign options are typed with.</summary>
    private static string Escape(string text) => text.Replace("\\", "\\e", StringComparison.Ordinal).Replace("-", "\\-", StringComparison.Ordinal);

    /// <summary>The page's date: SOURCE_DATE_EPOCH (reproducible builds) if set, else today.</summary>
    private static string Date()
    {
        var epoch = Environment.GetEnvironmentVariable("SOURCE_DATE_EPOCH");
        var date = long.TryParse(epoch, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime
            : DateTime.UtcNow;
        return date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    }

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex Code();
}
