using System.CommandLine;
using Linksmith.Cli.Shell;

namespace Linksmith.Cli.Commands;

/// <summary><c>shell install|uninstall|status [--for FILE_MANAGER]</c>: the context-menu entries, for the current user.</summary>
internal static class ShellCommand
{
    private static readonly string[] Names = ["nautilus", "nemo", "dolphin", "thunar", "explorer"];

    public static Command Create(CliConsole console) => new("shell", "Add, remove or show the \"Pick Link Source\" and \"Drop As\" context-menu entries of file managers, for the current user")
    {
        Action(console, "install", "Add the entries for every file manager found (or those named with --for); no root needed"),
        Action(console, "uninstall", "Remove exactly the entries install added (of every file manager, or those named with --for)"),
        Action(console, "status", "Show which file managers are found and where the entries are installed"),
    };

    private static Command Action(CliConsole console, string name, string description)
    {
        var target = new Option<string[]>("--for")
        {
            Description = "Only this file manager (repeatable): " + string.Join(", ", Names),
            HelpName = "FILE_MANAGER",
        };
        target.AcceptOnlyFromAmong(Names);
        var json = CommonOptions.Json();
        var dryRun = CommonOptions.DryRun();
        var command = new Command(name, description) { target, json };
        if (name != "status")
        {
            command.Options.Add(dryRun);
        }

        command.SetAction(parse =>
        {
            var reporter = new Reporter(console, parse.GetValue(json));
            var named = parse.GetValue(target) ?? [];
            var chosen = FileManagerIntegration.All().Where(integration => named.Length == 0 || named.Contains(integration.Name)).ToList();
            return name switch
            {
                "install" => Install(reporter, chosen, explicitlyNamed: named.Length > 0, parse.GetValue(dryRun)),
                "uninstall" => Uninstall(reporter, chosen, parse.GetValue(dryRun)),
                _ => Status(reporter, chosen),
            };
        });
        return command;
    }

    private static int Install(Reporter reporter, List<FileManagerIntegration> chosen, bool explicitlyNamed, bool dryRun)
    {
        if (!explicitlyNamed)
        {
            chosen = chosen.Where(integration => integration.IsPresent()).ToList();
            if (chosen.Count == 0)
            {
                return Fail(reporter, ExitCodes.Failed, "no supported file manager was found (nautilus, nemo, dolphin, thunar on PATH; Explorer on Windows)", "name one with --for to install its entries anyway");
            }
        }

        if (chosen.FirstOrDefault(NotForThisPlatform) is { } misplaced)
        {
            return Fail(reporter, ExitCodes.NotPossibleHere, $"{misplaced.Name} integration is not possible on this platform", OperatingSystem.IsWindows() ? "on Windows, use --for explorer" : "Explorer integration needs Windows");
        }

        var command = ShellCommandLine.Current();
        var changes = new ShellChanges(dryRun);
        var installed = new List<FileManagerIntegration>();
        foreach (var integration in chosen)
        {
            try
            {
                integration.Install(command, changes);
                installed.Add(integration);
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException or System.Security.SecurityException)
            {
                reporter.Fail(LinksmithException.FromSystemError(error, integration.Location));
            }
        }

        return Finish(reporter, changes, installed, dryRun ? "would install" : "installed", command);
    }

    private static int Uninstall(Reporter reporter, List<FileManagerIntegration> chosen, bool dryRun)
    {
        var changes = new ShellChanges(dryRun);
        var done = new List<FileManagerIntegration>();
        foreach (var integration in chosen)
        {
            try
            {
                var before = changes.Done.Count;
                integration.Uninstall(changes);
                if (changes.Done.Count > before)
                {
                    done.Add(integration);
                }
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException or System.Security.SecurityException)
            {
                reporter.Fail(LinksmithException.FromSystemError(error, integration.Location));
            }
        }

        return Finish(reporter, changes, done, dryRun ? "would uninstall" : "uninstalled", command: null);
    }

    private static int Status(Reporter reporter, List<FileManagerIntegration> chosen)
    {
        var rows = new List<(FileManagerIntegration Integration, bool Present, IReadOnlyList<string> Entries, string? Error)>();
        foreach (var integration in chosen)
        {
            try
            {
                rows.Add((integration, integration.IsPresent(), integration.InstalledEntries(), null));
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException or System.Security.SecurityException)
            {
                rows.Add((integration, integration.IsPresent(), [], LinksmithException.FromSystemError(error, integration.Location).Reason));
            }
        }

        if (reporter.Json)
        {
            JsonOutput.Write(reporter.Console.Out, writer =>
            {
                writer.WriteStartObject();
                writer.WriteStartArray("fileManagers");
                foreach (var (integration, present, entries, error) in rows)
                {
                    writer.WriteStartObject();
                    writer.WriteString("name", integration.Name);
                    writer.WriteBoolean("found", present);
                    writer.WriteBoolean("installed", entries.Count > 0);
                    writer.WritePath("location", integration.Location);
                    writer.WriteStartArray("entries");
                    foreach (var entry in entries)
                    {
                        writer.WritePathValue(entry);
                    }

                    writer.WriteEndArray();
                    writer.WriteString("error", error);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            });
            return ExitCodes.Success;
        }

        foreach (var (integration, present, entries, error) in rows)
        {
            var state = error is not null ? $"unreadable ({error})" : entries.Count > 0 ? $"installed ({entries.Count} {(entries.Count == 1 ? "entry" : "entries")} in {integration.Location})" : "not installed";
            reporter.Line($"{integration.Name,-9} {(present ? "found    " : "not found")}  {state}");
            foreach (var entry in entries)
            {
                reporter.Line($"          {entry}");
            }
        }

        // status reports; it never fails for what it finds.
        return ExitCodes.Success;
    }

    private static bool NotForThisPlatform(FileManagerIntegration integration) =>
        OperatingSystem.IsWindows() ? integration.Name != "explorer" : integration.Name == "explorer";

    private static int Finish(Reporter reporter, ShellChanges changes, List<FileManagerIntegration> integrations, string verb, ShellCommandLine? command)
    {
        if (reporter.Json)
        {
            JsonOutput.Write(reporter.Console.Out, writer =>
            {
                writer.WriteStartObject();
                writer.WriteBoolean("dryRun", changes.DryRun);
                writer.WriteStartArray("fileManagers");
                foreach (var integration in integrations)
                {
                    writer.WriteStringValue(integration.Name);
                }

                writer.WriteEndArray();
                if (command is not null)
                {
                    writer.WriteStartArray("command");
                    foreach (var word in command.Words)
                    {
                        writer.WritePathValue(word);
                    }

                    writer.WriteEndArray();
                }

                writer.WriteStartArray("changes");
                foreach (var change in changes.Done)
                {
                    writer.WriteStringValue(change);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            });
            return reporter.ExitCode;
        }

        foreach (var change in changes.Done)
        {
            reporter.Line(change);
        }

        reporter.Line(integrations.Count > 0
            ? $"{verb} the context-menu entries for {string.Join(", ", integrations.Select(integration => integration.Name))}"
            : "no Linksmith context-menu entries were installed; nothing to do");

        if (command is not null && integrations.Any(integration => integration.Name == "thunar"))
        {
            reporter.Notice("Thunar reads its custom actions when it starts: run `thunar -q` to see the entries");
        }

        return reporter.ExitCode;
    }

    private static int Fail(Reporter reporter, int exitCode, string message, string hint)
    {
        reporter.Console.Error.WriteLine($"linksmith: error: {message}");
        if (hint.Length > 0)
        {
            reporter.Console.Error.WriteLine($"hint: {hint}");
        }

        return ExitCodes.Worst(reporter.ExitCode, exitCode);
    }
}
