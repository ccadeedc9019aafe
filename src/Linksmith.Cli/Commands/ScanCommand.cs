using System.CommandLine;
using System.Text.Json;

namespace Linksmith.Cli.Commands;

/// <summary><c>scan DIR</c>: inventory of a tree's links and hard-link groups.</summary>
internal static class ScanCommand
{
    public static Command Create(CliConsole console)
    {
        var directory = new Argument<string>("DIR") { Description = "The tree to scan (its root is the anchor for inner/outer)" };
        var json = CommonOptions.Json();
        var command = new Command("scan", "Inventory a tree: symlinks and junctions (inner/outer, relative/absolute, dangling, loops) and hard-link groups")
        {
            directory, json,
        };
        command.SetAction(parse => Run(new Reporter(console, parse.GetValue(json)), parse.GetValue(directory)!));
        return command;
    }

    private static int Run(Reporter reporter, string directory)
    {
        ScanReport report;
        try
        {
            report = LinkScanner.Scan(directory);
        }
        catch (LinksmithException error)
        {
            reporter.Fail(error);
            return reporter.ExitCode;
        }

        foreach (var error in report.Errors)
        {
            reporter.Fail(error);
        }

        if (reporter.Json)
        {
            JsonOutput.Write(reporter.Console.Out, writer => WriteJson(writer, report, reporter.Errors));
        }
        else
        {
            Print(reporter, report);
        }

        return reporter.ExitCode;
    }

    private static void Print(Reporter reporter, ScanReport report)
    {
        foreach (var link in report.Links)
        {
            var state = link.IsLoop ? "loop" : link.IsDangling ? "dangling" : "ok";
            var kind = link.Kind == LinkKind.Junction ? "junction" : "symlink";
            reporter.Line($"{kind,-8} {(link.IsRelative ? "relative" : "absolute")} {(link.IsInner ? "inner" : "outer")} {state,-8} {Display.Path(link.LinkPath)} -> {Display.Path(link.Target)}");
        }

        foreach (var group in report.HardLinkGroups)
        {
            var names = string.Join(", ", group.Names.Select(Display.Path));
            reporter.Line($"hard-link group, {group.Names.Count} of {group.LinkCount} names here, {(group.IsSaturated ? "saturated" : "unsaturated")}: {names}");
        }

        var s = report.Summary;
        reporter.Line(
            $"{s.Links} link{Plural(s.Links)} ({s.Relative} relative, {s.Absolute} absolute; {s.Inner} inner, {s.Outer} outer; " +
            $"{s.Dangling} dangling, of which {s.Loops} loop{Plural(s.Loops)}); " +
            $"{s.HardLinkGroups} hard-link group{Plural(s.HardLinkGroups)} ({s.Saturated} saturated, {s.Unsaturated} unsaturated); {s.Entries} paths scanned");
    }

    private static string Plural(int count) => count == 1 ? string.Empty : "s";

    private static void WriteJson(Utf8JsonWriter writer, ScanReport report, IReadOnlyList<LinksmithException> errors)
    {
        writer.WriteStartObject();
        writer.WritePath("path", report.AnchorPath);
        writer.WriteStartArray("links");
        foreach (var link in report.Links)
        {
            writer.WriteStartObject();
            writer.WritePath("path", link.LinkPath);
            writer.WriteString("kind", link.Kind.ToJsonName());
            writer.WritePath("target", link.Target);
            writer.WritePath("resolvedTarget", link.ResolvedTarget);
            writer.WriteBoolean("relative", link.IsRelative);
            writer.WriteBoolean("inner", link.IsInner);
            writer.WriteBoolean("dangling", link.IsDangling);
            writer.WriteBoolean("loop", link.IsLoop);
            writer.WriteEndObject();
            writer.FlushIfLarge();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("hardLinkGroups");
        foreach (var group in report.HardLinkGroups)
        {
            writer.WriteStartObject();
            writer.WriteStartArray("names");
            foreach (var name in group.Names)
            {
                writer.WritePathValue(name);
            }

            writer.WriteEndArray();
            writer.WriteNumber("linkCount", group.LinkCount);
            writer.WriteBoolean("saturated", group.IsSaturated);
            writer.WriteEndObject();
            writer.FlushIfLarge();
        }

        writer.WriteEndArray();
        var s = report.Summary;
        writer.WriteStartObject("summary");
        writer.WriteNumber("links", s.Links);
        writer.WriteNumber("relative", s.Relative);
        writer.WriteNumber("absolute", s.Absolute);
        writer.WriteNumber("inner", s.Inner);
        writer.WriteNumber("outer", s.Outer);
        writer.WriteNumber("dangling", s.Dangling);
        writer.WriteNumber("loops", s.Loops);
        writer.WriteNumber("hardLinkGroups", s.HardLinkGroups);
        writer.WriteNumber("saturated", s.Saturated);
        writer.WriteNumber("unsaturated", s.Unsaturated);
        writer.WriteNumber("entries", s.Entries);
        writer.WriteEndObject();
        writer.WriteErrors(errors);
        writer.WriteEndObject();
    }
}
