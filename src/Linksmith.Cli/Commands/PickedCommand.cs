using System.CommandLine;

namespace Linksmith.Cli.Commands;

/// <summary><c>picked</c>: the link sources a <c>drop</c> would use now.</summary>
internal static class PickedCommand
{
    public static Command Create(CliConsole console)
    {
        var json = CommonOptions.Json();
        var command = new Command("picked", "Show the picked link sources, oldest first") { json };
        command.SetAction(parse =>
        {
            var reporter = new Reporter(console, parse.GetValue(json));
            IReadOnlyList<Pick> picks;
            try
            {
                using var list = PickList.Open();
                picks = list.List();
            }
            catch (StateDatabaseException error)
            {
                reporter.Fail(error);
                return reporter.ExitCode;
            }

            if (reporter.Json)
            {
                JsonOutput.Write(console.Out, writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteStartArray("picks");
                    foreach (var pick in picks)
                    {
                        writer.WriteStartObject();
                        writer.WritePath("path", pick.Path);
                        writer.WriteString("kind", Link.Inspect(pick.Path).Kind.ToJsonName());
                        writer.WriteString("pickedAt", pick.PickedAt);
                        writer.WriteEndObject();
                    }

                    writer.WriteEndArray();
                    writer.WriteErrors(reporter.Errors);
                    writer.WriteEndObject();
                });
                return reporter.ExitCode;
            }

            foreach (var pick in picks)
            {
                reporter.Line(Display.Path(pick.Path));
            }

            if (picks.Count == 0)
            {
                reporter.Notice("nothing is picked; pick link sources with `linksmith pick PATH...`");
            }

            return reporter.ExitCode;
        });
        return command;
    }
}
