using System.CommandLine;
using System.Text.Json;

namespace Linksmith.Cli.Commands;

/// <summary><c>size DIR...</c>: true size, each hard-linked file once, no link followed; and what deleting would free.</summary>
internal static class SizeCommand
{
    public static Command Create(CliConsole console)
    {
        var directories = new Argument<string[]>("DIR") { Arity = ArgumentArity.OneOrMore, Description = "Trees to measure (each judged alone; the total counts shared files once)" };
        var depth = CommonOptions.WholeNumber("--depth", "Also a row per subdirectory down to N levels, each judged alone (its reclaimable figure is what deleting it would free), largest first");
        var shared = new Option<bool>("--shared") { Description = "Also split the allocation into bytes shared with other files (reflinks, snapshots; each extent once) and exclusive bytes, from each file's extent map (Linux FIEMAP)" };
        var json = CommonOptions.Json();
        var command = new Command("size", "True size of trees: named, apparent and allocated bytes (= du -sB1), and what deleting each would free")
        {
            directories, depth, shared, json,
        };
        command.SetAction(parse =>
        {
            var reporter = new Reporter(console, parse.GetValue(json));
            if (parse.GetValue(depth) is < 0)
            {
                return reporter.Usage("--depth must be 0 or more", "1 gives a row per child directory, 2 their children too");
            }

            return Run(reporter, parse.GetValue(directories)!, new SizeOptions { Depth = parse.GetValue(depth) ?? 0, Shared = parse.GetValue(shared) });
        });
        return command;
    }

    private static int Run(Reporter reporter, string[] directories, SizeOptions options)
    {
        SizeReport report;
        try
        {
            report = TreeSize.Measure(directories, options);
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
            JsonOutput.Write(reporter.Console.Out, writer =>
            {
                writer.WriteStartObject();
                writer.WriteStartArray("sizes");
                foreach (var tree in report.Trees)
                {
                    Write(writer, tree);
                }

                writer.WriteEndArray();
                writer.WritePropertyName("total");
                Write(writer, report.Total);
                writer.WriteErrors(reporter.Errors);
                writer.WriteEndObject();
            });
            return reporter.ExitCode;
        }

        foreach (var tree in report.Trees)
        {
            Print(reporter, Display.Path(tree.Path!), tree);
            PrintRows(reporter, tree, tree.Children, 1);
        }

        if (report.Trees.Count > 1)
        {
            Print(reporter, "total", report.Total);
        }

        return reporter.ExitCode;
    }

    private static void Print(Reporter reporter, string title, SizeFigures figures)
    {
        reporter.Line($"{title}: {figures.Files} files, {figures.Dirs} dirs, {figures.Links} links");
        reporter.Line($"  allocated {HumanSize.Format(figures.AllocatedBytes)} ({figures.AllocatedBytes} bytes on disk, each file once)");
        reporter.Line($"  apparent {HumanSize.Format(figures.ApparentBytes)}, named {HumanSize.Format(figures.NamedBytes)} (every name counted)");
        reporter.Line($"  reclaimable {HumanSize.Format(figures.ReclaimableBytes)} (freed by deleting it: files with no names outside)");
        if (figures.SharedBytes is { } sharedBytes)
        {
            reporter.Line($"  shared {HumanSize.Format(sharedBytes)} ({sharedBytes} bytes in extents shared with other files, each once), exclusive {HumanSize.Format(figures.ExclusiveBytes ?? 0)} ({figures.ExclusiveBytes} bytes)");
        }

        if (figures.SharedUnknownBytes is > 0)
        {
            reporter.Line($"  sharing unknown for {HumanSize.Format(figures.SharedUnknownBytes.Value)} (its file system has no extent map)");
        }
    }

    private const int BarWidth = 20;

    /// <summary>A row per subdirectory, indented by level, largest first; on a terminal with a bar of its share of the tree.</summary>
    private static void PrintRows(Reporter reporter, SizeFigures tree, IReadOnlyList<SizeFigures> rows, int level)
    {
        foreach (var row in rows)
        {
            var bar = reporter.Console.IsTerminal ? $"{Bar(row.AllocatedBytes, tree.AllocatedBytes)}  " : string.Empty;
            var name = System.IO.Path.GetRelativePath(tree.Path!, row.Path!);
            var shared = row.SharedBytes is { } sharedBytes ? $", shared {HumanSize.Format(sharedBytes)}" : string.Empty;
            reporter.Line($"{new string(' ', 2 * level)}{HumanSize.Format(row.AllocatedBytes),10}  {bar}{Display.Path(name)}  (reclaimable {HumanSize.Format(row.ReclaimableBytes)}{shared})");
            PrintRows(reporter, tree, row.Children, level + 1);
        }
    }

    private static string Bar(long part, long whole)
    {
        var filled = whole <= 0 ? 0 : (int)Math.Round((double)BarWidth * Math.Clamp(part, 0, whole) / whole);
        return string.Concat(new string('█', filled), new string('░', BarWidth - filled));
    }

    private static void Write(Utf8JsonWriter writer, SizeFigures figures)
    {
        writer.WriteStartObject();
        if (figures.Path is not null)
        {
            writer.WritePath("path", figures.Path);
        }

        writer.WriteNumber("files", figures.Files);
        writer.WriteNumber("dirs", figures.Dirs);
        writer.WriteNumber("links", figures.Links);
        writer.WriteNumber("namedBytes", figures.NamedBytes);
        writer.WriteNumber("apparentBytes", figures.ApparentBytes);
        writer.WriteNumber("allocatedBytes", figures.AllocatedBytes);
        writer.WriteNumber("reclaimableBytes", figures.ReclaimableBytes);
        if (figures.SharedBytes is { } shared)
        {
            writer.WriteNumber("sharedBytes", shared);
            writer.WriteNumber("exclusiveBytes", figures.ExclusiveBytes ?? 0);
            writer.WriteNumber("sharedUnknownBytes", figures.SharedUnknownBytes ?? 0);
        }
        if (figures.Children.Count > 0)
        {
            writer.WriteStartArray("children");
            foreach (var child in figures.Children)
            {
                Write(writer, child);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }
}
