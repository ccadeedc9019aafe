using System.CommandLine;
using System.Text.Json;

namespace Linksmith.Cli.Commands;

/// <summary><c>info PATH...</c>: what each path is, seen without following it.</summary>
internal static class InfoCommand
{
    public static Command Create(CliConsole console)
    {
        var paths = new Argument<string[]>("PATH") { Arity = ArgumentArity.OneOrMore, Description = "Paths to describe" };
        var within = CommonOptions.Within();
        var json = CommonOptions.Json();
        var command = new Command("info", "Describe paths without following them: kind, target, dangling, link count, identity")
        {
            paths, within, json,
        };
        command.SetAction(parse => Run(new Reporter(console, parse.GetValue(json)), parse.GetValue(paths)!, parse.GetValue(within)));
        return command;
    }

    private static int Run(Reporter reporter, string[] paths, string? within)
    {
        var results = new List<(LinkInfo Info, IReadOnlyList<string>? OtherNames)>();
        foreach (var path in paths)
        {
            try
            {
                var info = Link.Inspect(path);
                if (info.Kind == LinkKind.Missing)
                {
                    reporter.Fail(new TargetNotFoundException(path));
                }

                IReadOnlyList<string>? otherNames = null;
                if (info.IsHardLinked && (within is not null || Link.SystemListsNames))
                {
                    otherNames = Link.FindHardLinkNames(info.Path, within).Where(name => name != info.Path).ToList();
                }

                results.Add((info, otherNames));
                if (!reporter.Json)
                {
                    Print(reporter, info, otherNames);
                }
            }
            catch (LinksmithException error)
            {
                reporter.Fail(error);
            }
        }

        if (reporter.Json)
        {
            JsonOutput.Write(reporter.Console.Out, writer =>
            {
                writer.WriteStartArray();
                foreach (var (info, otherNames) in results)
                {
                    Write(writer, info, otherNames);
                }

                writer.WriteEndArray();
            });
        }

        return reporter.ExitCode;
    }

    private static void Print(Reporter reporter, LinkInfo info, IReadOnlyList<string>? otherNames)
    {
        var lines = new List<string> { Display.Path(info.Path) };
        var kind = info.Kind switch
        {
            LinkKind.SymbolicLink or LinkKind.Junction => $"{info.Kind.Describe()} to {(info.TargetIsDirectory ? "a directory" : "a file")}",
            LinkKind.File when info.IsHardLinked => "file (hard-linked)",
            _ => info.Kind.Describe(),
        };
        lines.Add($"  kind:        {kind}");
        if (info.Target is not null)
        {
            lines.Add($"  target:      {Display.Path(info.Target)} ({(info.IsRelative == true ? "relative" : "absolute")})");
            lines.Add($"  resolves to: {Display.Path(info.ResolvedTarget!)}");
            lines.Add($"  dangling:    {(info.IsLoop ? "yes (a loop of links)" : info.IsDangling ? "yes (nothing there)" : "no")}");
        }

        if (info.Kind != LinkKind.Missing)
        {
            lines.Add($"  link count:  {info.LinkCount}");
            lines.Add($"  identity:    volume {info.Identity?.VolumeText}, file id {info.Identity?.FileIdText}");
        }

        if (info.IsHardLinked)
        {
            lines.Add(otherNames is null
                ? "  other names: not searched (give --within DIR, or use `linksmith hardlinks`)"
                : $"  other names: {(otherNames.Count == 0 ? "none found" : string.Join(", ", otherNames.Select(Display.Path)))}");
        }

        foreach (var line in lines)
        {
            reporter.Line(line);
        }
    }

    private static void Write(Utf8JsonWriter writer, LinkInfo info, IReadOnlyList<string>? otherNames)
    {
        writer.WriteStartObject();
        writer.WritePath("path", info.Path);
        writer.WriteString("kind", info.Kind.ToJsonName());
        writer.WritePath("target", info.Target);
        writer.WritePath("resolvedTarget", info.ResolvedTarget);
        if (info.IsRelative is { } relative)
        {
            writer.WriteBoolean("relative", relative);
        }
        else
        {
            writer.WriteNull("relative");
        }

        writer.WriteBoolean("dangling", info.IsDangling);
        writer.WriteBoolean("loop", info.IsLoop);
        writer.WriteBoolean("targetIsDirectory", info.TargetIsDirectory);
        writer.WriteNumber("linkCount", info.LinkCount);
        writer.WriteString("volume", info.Identity?.VolumeText);
        writer.WriteString("fileId", info.Identity?.FileIdText);
        writer.WriteNumber("size", info.Size);
        writer.WriteStartArray("otherNames");
        foreach (var name in otherNames ?? [])
        {
            writer.WritePathValue(name);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
