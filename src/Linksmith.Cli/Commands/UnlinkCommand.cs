using System.CommandLine;

namespace Linksmith.Cli.Commands;

/// <summary><c>unlink LINK...</c>: remove links, never what they point to.</summary>
internal static class UnlinkCommand
{
    public static Command Create(CliConsole console)
    {
        var links = new Argument<string[]>("LINK") { Arity = ArgumentArity.OneOrMore, Description = "Symlinks, junctions, or extra names of hard-linked files" };
        var dryRun = CommonOptions.DryRun();
        var json = CommonOptions.Json();
        var command = new Command("unlink", "Remove links (never their targets); refuses real files and directories")
        {
            links, dryRun, json,
        };
        command.SetAction((parse, cancellation) => Task.FromResult(Run(new Reporter(console, parse.GetValue(json)), parse.GetValue(links)!, parse.GetValue(dryRun), cancellation)));
        return command;
    }

    private static int Run(Reporter reporter, string[] links, bool dryRun, CancellationToken cancellation)
    {
        var removed = new List<LinkInfo>();
        foreach (var link in links)
        {
            if (StopBetweenItems.Now(reporter, removed.Count, links.Length, "link", cancellation))
            {
                return ExitCodes.Interrupted;
            }

            try
            {
                var info = Link.PlanRemove(link);
                if (!dryRun)
                {
                    Link.Remove(link);
                }

                reporter.Line($"{(dryRun ? "would remove" : "removed")} {Describe(info)}");
                removed.Add(info);
            }
            catch (LinksmithException error)
            {
                reporter.Fail(error);
            }
        }

        JsonOutput.WriteChangeReport(reporter, dryRun, writer => writer.WriteObjects("removed", removed, static (w, info) =>
        {
            w.WritePath("path", info.Path);
            w.WriteString("kind", info.Kind.ToJsonName());
            w.WritePath("target", info.Target);
        }));

        return reporter.ExitCode;
    }

    private static string Describe(LinkInfo info) => info.Kind switch
    {
        LinkKind.File => $"hard link {Display.Path(info.Path)} ({info.LinkCount - 1} other name{(info.LinkCount == 2 ? " keeps" : "s keep")} the data)",
        _ => $"{info.Kind.Describe()} {Display.Path(info.Path)} -> {Display.Path(info.Target ?? string.Empty)}",
    };
}
