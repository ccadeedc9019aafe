using System.CommandLine;
using Linksmith.Cli.Docs;

namespace Linksmith.Cli.Commands;

/// <summary>
/// Hidden commands for packagers: <c>completions bash|zsh|fish</c> and <c>manpage</c> print what
/// the .deb installs, generated from the same definitions as <c>--help</c>.
/// </summary>
internal static class DocsCommands
{
    public static Command Completions(Command root, CliConsole console)
    {
        var shell = new Argument<string>("SHELL") { Description = "bash, zsh or fish" };
        shell.AcceptOnlyFromAmong(CompletionScripts.Shells);
        var command = new Command("completions", "Print the tab-completion script for a shell") { shell };
        command.Hidden = true;
        command.SetAction(parse =>
        {
            console.Out.Write(CompletionScripts.For(parse.GetValue(shell)!, Grammar.Describe(root)));
            return ExitCodes.Success;
        });
        return command;
    }

    public static Command ManPage(Command root, CliConsole console)
    {
        var command = new Command("manpage", "Print the man page linksmith(1) in roff");
        command.Hidden = true;
        command.SetAction(_ =>
        {
            console.Out.Write(Docs.ManPage.Render(Grammar.Describe(root)));
            return ExitCodes.Success;
        });
        return command;
    }
}
