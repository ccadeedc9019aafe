using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
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
            StateCommand.Create(console),
            DropCommand.Create(console),
            ShellCommand.Create(console),
            MoveCommand.Create(console),
            MoveCommand.List(console),
            SnapshotsCommand.Create(console),
        };
        root.Subcommands.Add(DocsCommands.Completions(root, console));
        root.Subcommands.Add(DocsCommands.ManPage(root, console));

        // A path may start with '@'; response files would read it as a file of arguments.
        var parserConfiguration = new ParserConfiguration { ResponseFileTokenReplacer = null };
        var parseResult = root.Parse(args, parserConfiguration);
        if (UnknownOption(parseResult) is { } unknown)
        {
            return new Reporter(console, json: false).Usage(
                $"unknown option '{unknown}'",
                $"see `linksmith {parseResult.CommandResult.Command.Name} --help`; to name a file that starts with '-', put `--` before it");
        }

        if (EmptyValue(parseResult) is { } empty)
        {
            return new Reporter(console, json: false).Usage(
                empty.Length == 0 ? "empty path (\"\")" : $"{empty}: empty value (\"\")",
                empty.Length == 0 ? "a path cannot be empty; \".\" names the current folder" : $"see `linksmith {parseResult.CommandResult.Command.Name} --help`");
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
            // Library failures are caught per item by each command; what escapes is a bug, which
            // LastResort still reports as an error line and an exit code, never as a stack trace.
            EnableDefaultExceptionHandler = false,
            // Ctrl+C, SIGTERM and SIGHUP go through Interruption alone (see there why not through this).
            ProcessTerminationTimeout = null,
        };

        // Only a command that takes the token can stop at a safe point; any other (they only read)
        // ends at once on a signal, as programs do, rather than ignore the first one.
        using var interruption = parseResult.Action is AsynchronousCommandLineAction ? Interruption.Listen() : null;
        int exitCode;
        try
        {
            exitCode = parseResult.InvokeAsync(invocation, interruption?.Token ?? CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (Exception error)
        {
            exitCode = LastResort.Report(console, error);
        }

        return Interrupted(console, interruption, exitCode);
    }

    /// <summary>
    /// The exit code once a stop signal arrived: the first signal's (130, 143, 129), whether the
    /// command stopped for it or had already done everything when it came (then it says so, since
    /// its summary was printed as for a complete run).
    /// </summary>
    private static int Interrupted(CliConsole console, Interruption? interruption, int exitCode)
    {
        if (interruption?.ExitCode is not { } signalled)
        {
            return exitCode;
        }

        if (exitCode != ExitCodes.Interrupted)
        {
            console.Error.WriteLine($"linksmith: {interruption.SignalName} arrived as the command finished; everything it reported was done");
        }

        return signalled;
    }

    /// <summary>
    /// An empty string is never a path (nor a glob, a map or a count): the library would refuse it
    /// with an ArgumentException. Returns "" for an empty argument, the option's name for an empty
    /// option value, null when none is empty.
    /// </summary>
    private static string? EmptyValue(ParseResult parseResult)
    {
        foreach (var child in parseResult.CommandResult.Children)
        {
            if (child.Tokens.Any(static token => token.Value.Length == 0))
            {
                return child is OptionResult option ? option.Option.Name : string.Empty;
            }
        }

        return null;
    }

    /// <summary>
    /// The parser takes an unknown "--flag" as a path argument; like ln and cp, treat it as a
    /// mistyped option unless it comes after "--". An option's value is not one ("--keep -1" reaches
    /// --keep's own range check; "--exclude -x" is a pattern).
    /// </summary>
    private static string? UnknownOption(ParseResult parseResult)
    {
        var optionValues = parseResult.CommandResult.Children.OfType<OptionResult>().SelectMany(static option => option.Tokens).ToList();
        foreach (var token in parseResult.Tokens)
        {
            if (token.Type == TokenType.DoubleDash)
            {
                return null;
            }

            if (token.Type == TokenType.Argument && token.Value.Length > 1 && token.Value[0] == '-' && !optionValues.Any(value => ReferenceEquals(value, token)))
            {
                return token.Value;
            }
        }

        return null;
    }
}
