using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using Linksmith.Cli.Commands;

namespace Linksmith.Cli;

/// <summary>The <c>linksmith</c> command: its grammar, and the glue from parsed options to the library.</summary>
internal static class LinksmithCli
{
    public static int Run(string[] args, CliConsole console)
    {
        // A plain Command named "linksmith": RootCommand would take its name from the executable.
        var root = new Command("linksmith", "Linksmith: symbolic links, hard links and junctions made easy, safe and fast.")
        {
            // Not "/h": that is mklink's hard-link switch. "/?" stays, as cmd.exe users expect.
            new HelpOption("--help", "-h", "-?", "/?"),
            new VersionOption(),
            LinkCommands.Symlink(console),
            LinkCommands.Hardlink(console),
            LinkCommands.Junction(console),
            MklinkCommand.Create(console),
            InfoCommand.Create(console),
            HardlinksCommand.Create(console),
            UnlinkCommand.Create(console),
            DeleteCommand.Create(console),
            TreeCommands.Copy(console),
            TreeCommands.Mirror(console),
            TreeCommands.Clone(console),
            TreeCommands.Backup(console),
            DedupeCommand.Create(console),
            ScanCommand.Create(console),
            CheckCommand.Create(console),
            RepairCommand.Create(console),
            ConvertCommand.Create(console),
            SizeCommand.Create(console),
            PickCommand.Create(console),
            PickedCommand.Create(console),
            DropCommand.Create(console),
            ShellCommand.Create(console),
            MoveCommand.Create(console),
            MoveCommand.List(console),
        };

        // A path may start with '@'; response files would read it as a file of arguments.
        var parserConfiguration = new ParserConfiguration { ResponseFileTokenReplacer = null };
        var parseResult = root.Parse(args, parserConfiguration);
        if (UnknownOption(parseResult) is { } unknown)
        {
            return new Reporter(console, json: false).Usage(
                $"unknown option '{unknown}'",
                $"see `linksmith {parseResult.CommandResult.Command.Name} --help`; to name a file that starts with '-', put `--` before it");
        }

        if (parseResult.Action is ParseErrorAction)
        {
            var reporter = new Reporter(console, json: false);
            foreach (var error in parseResult.Errors)
            {
                reporter.Usage(error.Message);
            }

            console.Error.WriteLine("hint: see `linksmith --help` or `linksmith COMMAND --help`");
            return ExitCodes.Usage;
        }

        MoveCommand.WarnIfInterrupted(parseResult, console);
        var invocation = new InvocationConfiguration
        {
            Output = console.Out,
            Error = console.Error,
            // Library failures are caught per item by each command; anything that escapes is a bug
            // and should show its stack trace rather than a polite message.
            EnableDefaultExceptionHandler = false,
        };
        return parseResult.Invoke(invocation);
    }

    /// <summary>
    /// The parser takes an unknown "--flag" as a path argument; like ln and cp, treat it as a
    /// mistyped option unless it comes after "--".
    /// </summary>
    private static string? UnknownOption(ParseResult parseResult)
    {
        foreach (var token in parseResult.Tokens)
        {
            if (token.Type == System.CommandLine.Parsing.TokenType.DoubleDash)
            {
                return null;
            }

            if (token.Type == System.CommandLine.Parsing.TokenType.Argument && token.Value.Length > 1 && token.Value[0] == '-')
            {
                return token.Value;
            }
        }

        return null;
    }
}
