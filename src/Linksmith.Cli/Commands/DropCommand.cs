using System.CommandLine;
using Linksmith.Cli.Shell;

namespace Linksmith.Cli.Commands;

/// <summary><c>drop DEST_DIR --as KIND</c>: put the picked link sources into DEST_DIR ("Drop As").</summary>
internal static class DropCommand
{
    /// <summary>The <c>--as</c> values, in the order help lists them.</summary>
    internal static readonly IReadOnlyList<(string Name, DropKind Kind, string Done, string Doing)> Kinds =
    [
        ("symlink", DropKind.SymbolicLink, "symbolic links", "linking"),
        ("hardlink", DropKind.HardLink, "hard links", "linking"),
        ("junction", DropKind.Junction, "junctions", "linking"),
        ("copy", DropKind.Copy, "copies", "copying"),
        ("mirror", DropKind.Mirror, "mirrors", "mirroring"),
        ("clone", DropKind.Clone, "hardlink clones", "cloning"),
        ("symbolic-clone", DropKind.SymbolicClone, "symbolic clones", "cloning"),
        ("reflink-clone", DropKind.ReflinkClone, "reflink clones", "cloning"),
        ("backup", DropKind.Backup, "backups", "backing up"),
        ("move", DropKind.Move, "moves", "moving"),
    ];

    /// <summary>
    /// A drop that has run this long gets a progress window (only with --notify). Tests set
    /// LINKSMITH_TEST_PROGRESS_DELAY_MS to see it without a slow drop.
    /// </summary>
    private static TimeSpan ProgressDelay =>
        int.TryParse(Environment.GetEnvironmentVariable("LINKSMITH_TEST_PROGRESS_DELAY_MS"), out var milliseconds) ? TimeSpan.FromMilliseconds(milliseconds) : TimeSpan.FromSeconds(1);

    public static Command Create(CliConsole console)
    {
        var destination = new Argument<string>("DEST_DIR") { Description = "The existing folder to drop into (a file:// URI is accepted, as file managers pass it)" };
        var kind = new Option<string>("--as")
        {
            Description = "What to make of each pick: " + string.Join(", ", Kinds.Select(k => k.Name)),
            HelpName = "KIND",
            Required = true,
        };
        kind.AcceptOnlyFromAmong([.. Kinds.Select(k => k.Name)]);
        var dryRun = CommonOptions.DryRun();
        var json = CommonOptions.Json();
        var notify = CommonOptions.Notify();
        var command = new Command("drop", "Drop the picked link sources into DEST_DIR as links, copies, clones or backups (\"Drop As\"); taken names get \" - Link\" suffixes")
        {
            destination, kind, dryRun, json, notify,
        };
        command.SetAction((parse, cancellation) =>
        {
            var feedback = parse.GetValue(notify) ? new DesktopFeedback() : null;
            var reporter = new Reporter(feedback?.Wrap(console) ?? console, parse.GetValue(json));
            var chosen = Kinds.First(k => k.Name == parse.GetValue(kind));
            var (code, message) = Run(reporter, parse.GetValue(destination)!, chosen, parse.GetValue(dryRun), feedback is not null, cancellation);
            return Task.FromResult(feedback?.Finish(code, message) ?? code);
        });
        return command;
    }

    private static (int Code, string? Notification) Run(
        Reporter reporter,
        string destinationArgument,
        (string Name, DropKind Kind, string Done, string Doing) kind,
        bool dryRun,
        bool notify,
        CancellationToken cancellation)
    {
        if (!FileUri.TryGetLocalPath(destinationArgument, out var destination))
        {
            reporter.Console.Error.WriteLine($"linksmith: error: {Display.Path(destinationArgument)}: is not a local folder");
            reporter.Console.Error.WriteLine("hint: links can only be dropped into a folder on this computer's file systems");
            return (ExitCodes.Failed, null);
        }

        var folderName = Path.GetFileName(Path.TrimEndingDirectorySeparator(destination));
        var isTreeKind = kind.Kind is DropKind.Copy or DropKind.Mirror or DropKind.Clone or DropKind.SymbolicClone or DropKind.ReflinkClone or DropKind.Backup or DropKind.Move;
        ProgressLine? progress = null;
        DropPicksResult result;
        try
        {
            result = PickAndDrop.Drop(new DropPicksJob
            {
                DestinationDirectory = destination,
                Kind = kind.Kind,
                DryRun = dryRun,
                Cancellation = cancellation,
                OnStart = sources => progress = dryRun ? null : ProgressLine.Start(
                    reporter.Console,
                    notify && isTreeKind ? DesktopFeedback.StartProgress($"{Capitalize(kind.Doing)} {Display.Count(sources.Count, "item")} into {folderName}…", ProgressDelay) : null),
                OnItem = item =>
                {
                    progress?.Clear();
                    Report(reporter, item, kind.Kind, dryRun);
                },
                OnProgress = tree => progress?.Show(() => $"{folderName}: {tree.Copied + tree.Linked + tree.Symlinked:N0} files, {HumanSize.Format(tree.Bytes)}"),
            });
        }
        catch (StateDatabaseException error)
        {
            reporter.Fail(error);
            return (reporter.ExitCode, null);
        }
        catch (NotADirectoryException error)
        {
            reporter.Fail(error);
            reporter.Console.Error.WriteLine("hint: drop into an existing folder; the picks are kept");
            return (reporter.ExitCode, null);
        }
        finally
        {
            progress?.Dispose();
        }

        if (result.Picked.Count == 0)
        {
            return (NothingPicked(reporter, dryRun), null);
        }

        if (result.ForgetError is { } forgetError)
        {
            reporter.Fail(forgetError);
        }

        if (result.Interrupted)
        {
            reporter.Notice($"interrupted after dropping {result.Dropped} of {Display.Count(result.Picked.Count, "item")}; the items not dropped yet are still picked");
            return (ExitCodes.Interrupted, null);
        }

        var items = result.Items;
        if (reporter.Json)
        {
            WriteJson(reporter, kind.Name, destination, dryRun, items, result.Summary);
        }
        else
        {
            reporter.Line($"{(dryRun ? "would drop" : "dropped")} {result.Dropped} of {Display.Count(items.Count, "item")} as {kind.Done} into {Display.Path(destination)}"
                + (result.Dropped < items.Count ? "; the others are still picked" : string.Empty)
                + (dryRun ? " (dry run: nothing was changed, nothing was unpicked)" : string.Empty));
        }

        var message = $"Dropped {Display.Count(result.Dropped, "item")} as {kind.Done} into {Path.TrimEndingDirectorySeparator(destination)}";
        return (reporter.ExitCode, message);
    }

    private static int NothingPicked(Reporter reporter, bool dryRun)
    {
        if (reporter.Json)
        {
            JsonOutput.Write(reporter.Console.Out, writer =>
            {
                writer.WriteStartObject();
                writer.WriteBoolean("dryRun", dryRun);
                writer.WriteStartArray("items");
                writer.WriteEndArray();
                writer.WriteStartArray("errors");
                writer.WriteStartObject();
                writer.WriteNull("path");
                writer.WriteString("message", "nothing is picked");
                writer.WriteEndObject();
                writer.WriteEndArray();
                writer.WriteEndObject();
            });
        }

        reporter.Console.Error.WriteLine("linksmith: error: nothing is picked, so there is nothing to drop");
        reporter.Console.Error.WriteLine("hint: pick link sources first: `linksmith pick PATH...`, or \"Pick Link Source\" in the file manager");
        return ExitCodes.Failed;
    }

    private static void Report(Reporter reporter, DropItemResult result, DropKind kind, bool dryRun)
    {
        if (result.Link is { } plan)
        {
            reporter.Line($"{(dryRun ? "would create" : "created")} {LinkCommands.Describe(plan)}");
            if (plan.IsJunctionSubstitute)
            {
                reporter.Notice($"{Display.Path(plan.LinkPath)}: junctions exist only on Windows; {(dryRun ? "would make" : "made")} an absolute directory symlink instead");
            }
        }
        else if (result.Tree is { } tree && result.DestinationPath is { } destinationPath)
        {
            var verb = kind switch
            {
                DropKind.Mirror => "mirror",
                DropKind.Clone or DropKind.SymbolicClone or DropKind.ReflinkClone when result.SourceIsDirectory || result.UpdatedExisting => "clone",
                DropKind.Backup => "back up",
                DropKind.Move => "move",
                _ => "copy",
            };
            var past = verb switch { "mirror" => "mirrored", "clone" => "cloned", "back up" => "backed up", "move" => "moved", _ => "copied" };
            var into = kind == DropKind.Backup ? $"into {Display.Path(destinationPath)}{(tree.SnapshotPath is { } snapshot ? $" (snapshot {Path.GetFileName(snapshot)})" : string.Empty)}" : $"-> {Display.Path(destinationPath)}";
            var relinked = tree.Relinked > 0 ? $", {tree.Relinked:N0} relinked" : string.Empty;
            var deleted = tree.Deleted > 0 ? $", {tree.Deleted:N0} deleted" : string.Empty;
            var counts = $"{tree.Copied:N0} copied, {tree.Linked:N0} hard-linked, {tree.Symlinked:N0} symlinked{relinked}, {tree.Skipped:N0} unchanged{deleted}, {HumanSize.Format(tree.Bytes)}";
            var linkLeft = kind == DropKind.Move ? " (a link stays at the old place)" : string.Empty;
            reporter.Line($"{(dryRun ? "would " + verb : past)} {Display.Path(result.SourcePath)} {into}{linkLeft}{(result.UpdatedExisting ? " (updating what is there)" : string.Empty)}: {counts}");
        }

        foreach (var error in result.Errors)
        {
            reporter.Fail(error);
        }
    }

    private static void WriteJson(Reporter reporter, string kind, string destination, bool dryRun, IReadOnlyList<DropItemResult> results, TreeSummary summary) =>
        JsonOutput.Write(reporter.Console.Out, writer =>
        {
            writer.WriteStartObject();
            writer.WriteBoolean("dryRun", dryRun);
            writer.WriteString("kind", kind);
            writer.WritePath("destination", Path.GetFullPath(destination));
            writer.WriteStartArray("items");
            foreach (var result in results)
            {
                writer.WriteStartObject();
                writer.WritePath("path", result.SourcePath);
                writer.WritePath("droppedAs", result.DestinationPath);
                writer.WriteBoolean("dropped", result.Succeeded);
                writer.WriteBoolean("updatedExisting", result.UpdatedExisting);
                if (result.Link is { } plan)
                {
                    writer.WritePropertyName("link");
                    writer.WriteStartObject();
                    LinkCommands.WritePlan(writer, plan);
                    writer.WriteEndObject();
                }

                if (result.Tree?.SnapshotPath is { } snapshot)
                {
                    writer.WritePath("snapshot", snapshot);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteNumber("copied", summary.Copied);
            writer.WriteNumber("linked", summary.Linked + results.Count(r => r.Link is { Type: LinkType.HardLink }));
            writer.WriteNumber("symlinked", summary.Symlinked + results.Count(r => r.Link is { Type: not LinkType.HardLink }));
            writer.WriteNumber("skipped", summary.Skipped);
            writer.WriteNumber("relinked", summary.Relinked);
            writer.WriteNumber("unchanged", summary.Unchanged);
            writer.WriteNumber("deleted", summary.Deleted);
            writer.WriteNumber("bytes", summary.Bytes);
            writer.WriteErrors(reporter.Errors);
            writer.WriteEndObject();
        });

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
