using System.CommandLine;
using System.Text.Json;

namespace Linksmith.Cli.Commands;

/// <summary><c>size DIR...</c>: true size, each hard-linked file once, no link followed; and what deleting would free.</summary>
internal static class SizeCommand
{
    public static Command Create(CliConsole console)
    {
        var directories = new Argument<string[]>("DIR") { Arity = ArgumentArity.OneOrMore, Description = "Trees to measure (each judged alone; the total counts shared files once)" };
        var json = CommonOptions.Json();
        var command = new Command("size", "True size of trees: named, apparent and allocated bytes (= du -sB1), and what deleting each would free")
        {
            directories, json,
        };
        command.SetAction(parse => Run(new Reporter(console, parse.GetValue(json)), parse.GetValue(directories)!));
        return command;
    }

    private static int Run(Reporter reporter, string[] directories)
    {
        SizeReport report;
        try
        {
            report = TreeSize.Measure(directories);
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
        writer.WriteEndObject();
    }
}
