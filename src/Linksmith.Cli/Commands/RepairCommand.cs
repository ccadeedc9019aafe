using System.CommandLine;

namespace Linksmith.Cli.Commands;

/// <summary><c>repair DIR --map OLD=NEW [--delete-dangling]</c>: re-point moved links, remove dead ones.</summary>
internal static class RepairCommand
{
    public static Command Create(CliConsole console)
    {
        var directory = new Argument<string>("DIR") { Description = "The tree whose links to repair" };
        var map = new Option<string[]>("--map")
        {
            Description = "Re-point links whose target starts with OLD (on whole names) to NEW; repeatable, the longest OLD wins",
            HelpName = "OLD=NEW",
            Arity = ArgumentArity.OneOrMore,
        };
        var deleteDangling = new Option<bool>("--delete-dangling") { Description = "Remove links that still lead nowhere (after re-pointing)" };
        var dryRun = CommonOptions.DryRun();
        var json = CommonOptions.Json();
        var command = new Command("repair", "Re-point links after their targets moved (--map OLD=NEW) and remove dangling ones (--delete-dangling)")
        {
            directory, map, deleteDangling, dryRun, json,
        };
        command.SetAction((parse, cancellation) => Task.FromResult(Run(
            new Reporter(console, parse.GetValue(json)),
            parse.GetValue(directory)!,
            parse.GetValue(map) ?? [],
            parse.GetValue(deleteDangling),
            parse.GetValue(dryRun),
            cancellation)));
        return command;
    }

    private static int Run(Reporter reporter, string directory, string[] maps, bool deleteDangling, bool dryRun, CancellationToken cancellation)
    {
        if (maps.Length == 0 && !deleteDangling)
        {
            return reporter.Usage("nothing to do", "give --map OLD=NEW (repeatable), --delete-dangling, or both");
        }

        var mappings = new List<PathMapping>();
        foreach (var map in maps)
        {
            try
            {
                mappings.Add(PathMapping.Parse(map));
            }
            catch (FormatException)
            {
                return reporter.Usage($"--map '{map}' is not OLD=NEW", "for example --map /mnt/old=/mnt/new or --map D:\\=E:\\");
            }
        }

        RepairPlan plan;
        try
        {
            plan = LinkRepair.Plan(directory, new RepairOptions { Mappings = mappings, DeleteDangling = deleteDangling });
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

        var done = new List<RepairChange>();
        foreach (var change in plan.Changes)
        {
            if (StopBetweenItems.Now(reporter, done.Count, plan.Changes.Count, "change", cancellation))
            {
                return ExitCodes.Interrupted;
            }

            try
            {
                if (!dryRun)
                {
                    LinkRepair.Apply(change);
                }

                done.Add(change);
                reporter.Line(Describe(change, dryRun));
            }
            catch (LinksmithException error)
            {
                reporter.Fail(error);
            }
        }

        JsonOutput.WriteChangeReport(reporter, dryRun, writer => writer.WriteObjects("changes", done, static (w, change) =>
        {
            w.WritePath("path", change.LinkPath);
            w.WriteString("kind", change.Kind.ToJsonName());
            w.WriteString("action", change.Action == RepairAction.Delete ? "delete" : "repoint");
            w.WritePath("oldTarget", change.OldTarget);
            w.WritePath("newTarget", change.NewTarget);
        }));

        return reporter.ExitCode;
    }

    private static string Describe(RepairChange change, bool dryRun) => change.Action == RepairAction.Delete
        ? $"{(dryRun ? "would delete" : "deleted")} dangling {change.Kind.Describe()} {Display.Path(change.LinkPath)} -> {Display.Path(change.OldTarget)}"
        : $"{(dryRun ? "would repoint" : "repointed")} {Display.Path(change.LinkPath)}: {Display.Path(change.OldTarget)} -> {Display.Path(change.NewTarget!)}";
}
