using System.CommandLine;
using System.Text.Json;

namespace Linksmith.Cli.Commands;

/// <summary><c>symlink</c>, <c>hardlink</c> and <c>junction</c>: arguments in <c>ln</c>'s order, the new name last.</summary>
internal static class LinkCommands
{
    public static Command Symlink(CliConsole console)
    {
        var paths = LinkPaths("TARGET: what the link points to (may be missing; a relative path is taken from the current directory). LINK: the link's name, or an existing directory to create the links in");
        var relative = new Option<bool>("--relative", "-r") { Description = "Store the target relative to the link's folder" };
        var absolute = new Option<bool>("--absolute", "-a") { Description = "Store the target's absolute path" };
        var directory = new Option<bool>("--directory", "-d") { Description = "Mark the link as a directory link even if the target is missing (Windows)" };
        var force = CommonOptions.Force();
        var dryRun = CommonOptions.DryRun();
        var json = CommonOptions.Json();
        var command = new Command("symlink", "Create symbolic links (relative when target and link share a volume, else absolute)")
        {
            paths, relative, absolute, directory, force, dryRun, json,
        };
        command.SetAction((parse, cancellation) => Task.FromResult(Act(parse, cancellation)));
        return command;

        int Act(ParseResult parse, CancellationToken cancellation)
        {
            var reporter = new Reporter(console, parse.GetValue(json));
            if (parse.GetValue(relative) && parse.GetValue(absolute))
            {
                return reporter.Usage("--relative and --absolute cannot be used together", "choose one; without either, the link is relative when target and link share a volume");
            }

            var options = new SymbolicLinkOptions
            {
                Style = parse.GetValue(relative) ? TargetStyle.Relative : parse.GetValue(absolute) ? TargetStyle.Absolute : TargetStyle.Auto,
                TargetIsDirectory = parse.GetValue(directory) ? true : null,
                ReplaceExisting = parse.GetValue(force),
            };
            return Run(reporter, parse.GetValue(paths)!, parse.GetValue(dryRun), (linkPath, target) => Link.PlanSymbolicLink(linkPath, target, options), cancellation);
        }
    }

    public static Command Hardlink(CliConsole console)
    {
        var paths = LinkPaths("TARGET: an existing file to give another name. LINK: the new name, or an existing directory to create the names in");
        var force = CommonOptions.Force();
        var dryRun = CommonOptions.DryRun();
        var json = CommonOptions.Json();
        var command = new Command("hardlink", "Create hard links: more names for existing files, on the same volume")
        {
            paths, force, dryRun, json,
        };
        command.SetAction((parse, cancellation) =>
        {
            var reporter = new Reporter(console, parse.GetValue(json));
            var replace = parse.GetValue(force);
            return Task.FromResult(Run(reporter, parse.GetValue(paths)!, parse.GetValue(dryRun), (linkPath, target) => Link.PlanHardLink(linkPath, target, replace), cancellation));
        });
        return command;
    }

    public static Command Junction(CliConsole console)
    {
        var target = new Argument<string>("TARGET") { Description = "The directory the junction points to" };
        var link = new Argument<string>("LINK") { Description = "The junction's name, or an existing directory to create it in" };
        var strict = new Option<bool>("--strict") { Description = "Fail (exit 3) where junctions do not exist, instead of making an absolute directory symlink" };
        var force = CommonOptions.Force();
        var dryRun = CommonOptions.DryRun();
        var json = CommonOptions.Json();
        var command = new Command("junction", "Create a junction (Windows); elsewhere an absolute directory symlink stands in")
        {
            target, link, strict, force, dryRun, json,
        };
        command.SetAction((parse, cancellation) =>
        {
            var reporter = new Reporter(console, parse.GetValue(json));
            var replace = parse.GetValue(force);
            var isStrict = parse.GetValue(strict);
            return Task.FromResult(Run(reporter, [parse.GetValue(target)!, parse.GetValue(link)!], parse.GetValue(dryRun), (linkPath, targetPath) => Link.PlanJunction(linkPath, targetPath, replace, isStrict), cancellation));
        });
        return command;
    }

    /// <summary>
    /// Plans one link per target (into LINK when it is a real directory, as ln does), then creates
    /// them, reporting each failure and going on with the rest.
    /// </summary>
    /// <summary>TARGET... LINK|DIR as one argument: the parser cannot give "all but the last" to one argument.</summary>
    private static Argument<string[]> LinkPaths(string description) => new("TARGET... LINK|DIR")
    {
        Arity = new ArgumentArity(2, ArgumentArity.OneOrMore.MaximumNumberOfValues),
        Description = description,
    };

    private static int Run(Reporter reporter, string[] paths, bool dryRun, Func<string, string, LinkPlan> plan, CancellationToken cancellation)
    {
        var targets = paths[..^1];
        var last = paths[^1];
        LinkKind lastKind;
        try
        {
            lastKind = Link.Inspect(last).Kind;
        }
        catch (LinksmithException error)
        {
            reporter.Fail(error);
            return Finish(reporter, dryRun, []);
        }

        var intoDirectory = lastKind == LinkKind.Directory;
        if (targets.Length > 1 && !intoDirectory)
        {
            reporter.Fail(new NotADirectoryException(last, lastKind));
            return Finish(reporter, dryRun, []);
        }

        var done = new List<LinkPlan>();
        foreach (var target in targets)
        {
            if (StopBetweenItems.Now(reporter, done.Count, targets.Length, "link", cancellation))
            {
                return ExitCodes.Interrupted;
            }

            var linkPath = intoDirectory ? Path.Join(last, Path.GetFileName(Path.TrimEndingDirectorySeparator(target))) : last;
            try
            {
                var linkPlan = plan(linkPath, target);
                if (dryRun)
                {
                    reporter.Line($"would create {Describe(linkPlan)}");
                }
                else
                {
                    Link.Create(linkPlan);
                    reporter.Line($"created {Describe(linkPlan)}");
                }

                if (linkPlan.IsJunctionSubstitute)
                {
                    reporter.Notice($"{Display.Path(linkPlan.LinkPath)}: junctions exist only on Windows; {(dryRun ? "would make" : "made")} an absolute directory symlink instead (--strict makes this an error)");
                }

                done.Add(linkPlan);
            }
            catch (LinksmithException error)
            {
                reporter.Fail(error);
            }
        }

        return Finish(reporter, dryRun, done);
    }

    internal static string Describe(LinkPlan plan)
    {
        var what = plan.Type switch
        {
            LinkType.HardLink => "hard link",
            LinkType.Junction when plan.IsJunctionSubstitute => "directory symlink (for a junction)",
            LinkType.Junction => "junction",
            _ => plan.TargetIsDirectory ? "directory symlink" : "symlink",
        };
        var arrow = plan.Type == LinkType.HardLink ? "=>" : "->";
        var replacing = plan.ReplacesExisting ? $" (replacing a {plan.Replaces.Describe()})" : string.Empty;
        return $"{what} {Display.Path(plan.LinkPath)} {arrow} {Display.Path(plan.TargetText)}{replacing}";
    }

    private static int Finish(Reporter reporter, bool dryRun, List<LinkPlan> plans)
    {
        JsonOutput.WriteChangeReport(reporter, dryRun, writer => writer.WriteObjects("links", plans, WritePlan));
        return reporter.ExitCode;
    }

    internal static void WritePlan(Utf8JsonWriter writer, LinkPlan plan)
    {
        writer.WritePath("path", plan.LinkPath);
        writer.WriteString("type", plan.Type switch
        {
            LinkType.HardLink => "hardlink",
            LinkType.Junction when !plan.IsJunctionSubstitute => "junction",
            _ => "symlink",
        });
        writer.WritePath("target", plan.TargetText);
        writer.WritePath("targetPath", plan.TargetPath);
        writer.WriteBoolean("directory", plan.TargetIsDirectory);
        writer.WriteString("replaced", plan.ReplacesExisting ? plan.Replaces.ToJsonName() : null);
        writer.WriteBoolean("junctionSubstitute", plan.IsJunctionSubstitute);
    }
}
