using System.CommandLine;

namespace Linksmith.Cli.Commands;

/// <summary><c>check DIR</c>: dangling links, loops and (with --absolute) absolute links; exit 1 when any is found.</summary>
internal static class CheckCommand
{
    public static Command Create(CliConsole console)
    {
        var directory = new Argument<string>("DIR") { Description = "The tree to check" };
        var absolute = new Option<bool>("--absolute") { Description = "Also report links that store an absolute target" };
        var json = CommonOptions.Json();
        var command = new Command("check", "Find dangling symlinks and junctions and loops (and absolute links); exit 1 when any is found")
        {
            directory, absolute, json,
        };
        command.SetAction(parse => Run(new Reporter(console, parse.GetValue(json)), parse.GetValue(directory)!, new CheckOptions { IncludeAbsolute = parse.GetValue(absolute) }));
        return command;
    }

    private static int Run(Reporter reporter, string directory, CheckOptions options)
    {
        var problems = new List<LinkProblem>();
        var count = 0;
        try
        {
            // Printed as found, one line per problem (scripts and `wc -l` count them), and kept only for --json.
            foreach (var problem in LinkChecker.Find(directory, options, reporter.Fail))
            {
                count++;
                if (reporter.Json)
                {
                    problems.Add(problem);
                }
                else
                {
                    reporter.Line($"{Word(problem.Problem)} {Display.Path(problem.LinkPath)} -> {Display.Path(problem.Target)}");
                }
            }
        }
        catch (LinksmithException error)
        {
            reporter.Fail(error);
            return reporter.ExitCode;
        }

        if (reporter.Json)
        {
            JsonOutput.Write(reporter.Console.Out, writer =>
            {
                writer.WriteStartObject();
                writer.WriteStartArray("problems");
                foreach (var problem in problems)
                {
                    writer.WriteStartObject();
                    writer.WritePath("path", problem.LinkPath);
                    writer.WriteString("kind", problem.Kind.ToJsonName());
                    writer.WriteString("problem", Word(problem.Problem));
                    writer.WritePath("target", problem.Target);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteErrors(reporter.Errors);
                writer.WriteEndObject();
            });
        }
        else if (reporter.Console.IsTerminal)
        {
            // Only on a terminal: piped output stays exactly one line per problem.
            reporter.Notice(count == 0 ? "no problems found" : $"{count} problem{(count == 1 ? string.Empty : "s")} found");
        }

        return count > 0 ? ExitCodes.Worst(reporter.ExitCode, ExitCodes.Failed) : reporter.ExitCode;
    }

    private static string Word(LinkProblemKind problem) => problem switch
    {
        LinkProblemKind.Dangling => "dangling",
        LinkProblemKind.Loop => "loop",
        _ => "absolute",
    };
}
