using System.CommandLine;
using Linksmith.Cli.Shell;

namespace Linksmith.Cli.Commands;

/// <summary><c>pick PATH...</c> and <c>pick --clear</c>: the link sources a later <c>drop</c> uses.</summary>
internal static class PickCommand
{
    /// <summary>
    /// How long a picker from a file manager waits before it decides whether it was the last of a
    /// burst (Explorer starts one process per selected item): only the last one shows the notification.
    /// </summary>
    private static readonly TimeSpan BurstWindow = TimeSpan.FromMilliseconds(600);

    public static Command Create(CliConsole console)
    {
        var paths = new Argument<string[]>("PATH") { Description = "Files or folders to remember as link sources", Arity = ArgumentArity.ZeroOrMore };
        var clear = new Option<bool>("--clear") { Description = "Forget every pick first (alone: just forget them)" };
        var notify = CommonOptions.Notify();
        var command = new Command("pick", "Remember link sources for `linksmith drop` (\"Pick Link Source\"); several processes may pick at once")
        {
            paths, clear, notify,
        };
        command.SetAction(parse =>
        {
            var feedback = parse.GetValue(notify) ? new DesktopFeedback() : null;
            var reporter = new Reporter(feedback?.Wrap(console) ?? console, json: false);
            var (code, message) = Run(reporter, parse.GetValue(paths) ?? [], parse.GetValue(clear), feedback is not null);
            return feedback?.Finish(code, message) ?? code;
        });
        return command;
    }

    private static (int Code, string? Notification) Run(Reporter reporter, string[] paths, bool clear, bool notify)
    {
        if (paths.Length == 0 && !clear)
        {
            return (reporter.Usage("nothing to pick", "give the files or folders to pick (in a file manager: select them first), or --clear to forget the picks"), null);
        }

        PickResult result;
        try
        {
            result = PickAndDrop.Pick(new PickJob
            {
                Paths = paths,
                Clear = clear,
                BurstWindow = notify ? BurstWindow : null,
                OnCleared = forgotten => reporter.Line($"forgot {Display.Count(forgotten, "pick")}"),
                OnItem = item =>
                {
                    if (item.Error is { } error)
                    {
                        reporter.Fail(error);
                    }
                    else
                    {
                        reporter.Line($"{(item.Added ? "picked" : "already picked")} {Display.Path(item.FullPath!)}");
                    }
                },
            });
        }
        catch (StateDatabaseException error)
        {
            reporter.Fail(error);
            return (reporter.ExitCode, null);
        }

        var total = result.Total;
        if (paths.Length > 0)
        {
            reporter.Line($"{Display.Count(total, "link source")} picked; drop {(total == 1 ? "it" : "them")} with `linksmith drop DEST_DIR --as KIND`");
        }

        if (!result.IsLastOfBurst)
        {
            return (reporter.ExitCode, null);
        }

        var message = paths.Length == 0
            ? "Picks forgotten"
            : $"{Display.Count(total, "link source")} picked. Right-click a folder and choose {MenuEntries.DropMenuLabel} to drop {(total == 1 ? "it" : "them")}.";
        return (reporter.ExitCode, message);
    }
}
