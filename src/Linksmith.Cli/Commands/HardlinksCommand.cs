using System.CommandLine;

namespace Linksmith.Cli.Commands;

/// <summary><c>hardlinks FILE</c>: every name of a file.</summary>
internal static class HardlinksCommand
{
    public static Command Create(CliConsole console)
    {
        var file = new Argument<string>("FILE") { Description = "The file whose names to list" };
        var within = CommonOptions.Within();
        var json = CommonOptions.Json();
        var command = new Command("hardlinks", "List every name of a file (without --within: its whole file system)")
        {
            file, within, json,
        };
        command.SetAction(parse => Run(new Reporter(console, parse.GetValue(json)), parse.GetValue(file)!, parse.GetValue(within)));
        return command;
    }

    private static int Run(Reporter reporter, string file, string? within)
    {
        try
        {
            var info = Link.Inspect(file);
            if (within is null && !Link.SystemListsNames && info.LinkCount > 1)
            {
                reporter.Notice($"searching the whole file system mounted at {Display.Path(Link.GetSearchRoot(file))}; this may take a while (--within DIR searches less)");
            }

            var names = Link.FindHardLinkNames(file, within);
            if (reporter.Json)
            {
                JsonOutput.Write(reporter.Console.Out, writer =>
                {
                    writer.WriteStartObject();
                    writer.WritePath("path", info.Path);
                    writer.WriteNumber("linkCount", info.LinkCount);
                    writer.WriteStartArray("names");
                    foreach (var name in names)
                    {
                        writer.WritePathValue(name);
                    }

                    writer.WriteEndArray();
                    writer.WriteErrors(reporter.Errors);
                    writer.WriteEndObject();
                });
            }
            else
            {
                foreach (var name in names)
                {
                    reporter.Line(Display.Path(name));
                }
            }

            if (names.Count < info.LinkCount)
            {
                reporter.Notice($"found {names.Count} of {info.LinkCount} names; the others are {(within is null ? "in places that could not be read" : "outside " + Display.Path(within) + " or could not be read")}");
            }
        }
        catch (LinksmithException error)
        {
            reporter.Fail(error);
        }

        return reporter.ExitCode;
    }
}
