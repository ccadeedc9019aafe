using System.CommandLine;

namespace Linksmith.Cli.Commands;

/// <summary><c>convert DIR --to relative|absolute</c>: rewrite symlinks in place, each still leading to the same place.</summary>
internal static class ConvertCommand
{
    public static Command Create(CliConsole console)
    {
        var directory = new Argument<string>("DIR") { Description = "The tree whose symlinks to rewrite" };
        var to = new Option<string>("--to")
        {
            Description = "What to store: relative or absolute targets",
            HelpName = "relative|absolute",
            Required = true,
        };
        to.AcceptOnlyFromAmong("relative", "absolute");
        var dryRun = CommonOptions.DryRun();
        var json = CommonOptions.Json();
        var command = new Command("convert", "Rewrite symlinks to relative or absolute targets, atomically, each still leading to the same place")
        {
            directory, to, dryRun, json,
        };
        command.SetAction((parse, cancellation) => Task.FromResult(Run(
            new Reporter(console, parse.GetValue(json)),
            parse.GetValue(directory)!,
            parse.GetValue(to) == "absolute" ? LinkTextStyle.Absolute : LinkTextStyle.Relative,
            parse.GetValue(dryRun),
            cancellation)));
        return command;
    }

    private static int Run(Reporter reporter, string directory, LinkTextStyle to, bool dryRun, CancellationToken cancellation)
    {
        ConvertPlan plan;
        try
        {
            plan = LinkConverter.Plan(directory, to);
        }
        catch (LinksmithException error)
        {
            reporter.Fail(error);
            return reporter.ExitCode;
        }

        foreach (var error in plan.Errors)
        {
            reporter.Fail(error);
        }

        var done = new List<ConvertChange>();
        foreach (var change in plan.Changes)
        {
            if (StopBetweenItems.Now(reporter, done.Count, plan.Changes.Count, "link", cancellation))
            {
                return ExitCodes.Interrupted;
            }

            try
            {
                if (!dryRun)
                {
                    LinkConverter.Apply(change);
                }

                done.Add(change);
                reporter.Line($"{(dryRun ? "would convert" : "converted")} {Display.Path(change.LinkPath)}: {Display.Path(change.OldTarget)} -> {Display.Path(change.NewTarget)}");
            }
            catch (LinksmithException error)
            {
                reporter.Fail(error);
            }
        }

        foreach (var skip in plan.Skipped)
        {
            reporter.Line($"kept absolute {Display.Path(skip.LinkPath)} -> {Display.Path(skip.Target)}: {skip.Reason}");
        }

        JsonOutput.WriteChangeReport(reporter, dryRun, writer =>
        {
            writer.WriteString("to", to == LinkTextStyle.Absolute ? "absolute" : "relative");
            writer.WriteObjects("changes", done, static (w, change) =>
            {
                w.WritePath("path", change.LinkPath);
                w.WritePath("oldTarget", change.OldTarget);
                w.WritePath("newTarget", change.NewTarget);
            });
            writer.WriteObjects("skipped", plan.Skipped, static (w, skip) =>
            {
                w.WritePath("path", skip.LinkPath);
                w.WriteString("kind", skip.Kind.ToJsonName());
                w.WritePath("target", skip.Target);
                w.WriteString("reason", skip.Reason);
            });
        });

        return reporter.ExitCode;
    }
}
