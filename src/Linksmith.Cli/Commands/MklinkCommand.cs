using System.CommandLine;

namespace Linksmith.Cli.Commands;

/// <summary>
/// <c>mklink [[/D] | [/H] | [/J]] Link Target</c> exactly as Windows cmd.exe has it: the link
/// first, switches in any case, a symlink's target stored as typed, and mklink's confirmation text.
/// </summary>
internal static class MklinkCommand
{
    private const string Syntax = "mklink [[/D] | [/H] | [/J]] LINK TARGET";

    public static Command Create(CliConsole console)
    {
        var tokens = new Argument<string[]>("[/D|/H|/J] LINK TARGET")
        {
            Arity = ArgumentArity.ZeroOrMore,
            Description = "No switch: file symbolic link. /D: directory symbolic link. /H: hard link. /J: junction",
        };
        var dryRun = CommonOptions.DryRun();
        var command = new Command("mklink", "Windows mklink, with its syntax and order (LINK then TARGET), on every platform")
        {
            tokens, dryRun,
        };
        // Asynchronous only so that a stop signal waits for the one link under way (see Interruption).
        command.SetAction((parse, cancellation) => Task.FromResult(Run(new Reporter(console, json: false), parse.GetValue(tokens) ?? [], parse.GetValue(dryRun))));
        return command;
    }

    private static int Run(Reporter reporter, string[] tokens, bool dryRun)
    {
        char? kind = null;
        var positional = new List<string>();
        foreach (var token in tokens)
        {
            if (token.Length == 2 && token[0] == '/' && char.ToUpperInvariant(token[1]) is 'D' or 'H' or 'J')
            {
                if (kind is not null)
                {
                    return reporter.Usage("the syntax of the command is incorrect: give at most one of /D, /H, /J", $"usage: {Syntax}");
                }

                kind = char.ToUpperInvariant(token[1]);
            }
            else if (token.StartsWith('/') && token.Length == 2)
            {
                return reporter.Usage($"invalid switch - \"{token[1..]}\"", $"usage: {Syntax}");
            }
            else
            {
                positional.Add(token);
            }
        }

        if (positional.Count != 2)
        {
            return reporter.Usage(
                positional.Count < 2 ? "the syntax of the command is incorrect: LINK and TARGET are required" : $"the syntax of the command is incorrect: unexpected '{positional[2]}'",
                $"usage: {Syntax}");
        }

        var (link, target) = (positional[0], positional[1]);
        try
        {
            var plan = kind switch
            {
                'H' => Link.PlanHardLink(link, target),
                'J' => Link.PlanJunction(link, target),
                _ => Link.PlanSymbolicLink(link, target, new SymbolicLinkOptions { Style = TargetStyle.Verbatim, TargetIsDirectory = kind == 'D' }),
            };
            if (dryRun)
            {
                reporter.Line($"would create {LinkCommands.Describe(plan)}");
                return reporter.ExitCode;
            }

            Link.Create(plan);
            var created = kind switch
            {
                'H' => "Hardlink",
                'J' => "Junction",
                _ => "symbolic link",
            };
            reporter.Line($"{created} created for {Display.Path(link)} <<===>> {Display.Path(target)}");
            if (plan.IsJunctionSubstitute)
            {
                reporter.Notice($"{Display.Path(link)}: junctions exist only on Windows; made an absolute directory symlink instead");
            }
        }
        catch (LinksmithException error)
        {
            reporter.Fail(error);
        }

        return reporter.ExitCode;
    }
}
