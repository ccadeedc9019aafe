using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace Linksmith.Cli.Shell;

/// <summary>
/// Thunar (Xfce): custom actions merged into <c>~/.config/Thunar/uca.xml</c>, the file Thunar's
/// "Configure custom actions" dialog edits. Linksmith's actions are told apart by their
/// <c>unique-id</c>, so the user's own actions, and the layout around them, are kept.
/// </summary>
/// <remarks>
/// Thunar expands %F to every selected path and %f to the first, each quoted with g_shell_quote,
/// then splits the line with g_shell_parse_argv. Actions for directories are also offered on the
/// background of a folder, for that folder. The drop entries use Thunar's <c>submenu</c> element
/// (Thunar 4.18 and later; older versions show them on the top level).
/// </remarks>
internal sealed class ThunarIntegration : FileManagerIntegration
{
    private const string IdPrefix = "linksmith-";

    /// <summary>Marks a uca.xml that Linksmith created, so uninstall can remove it again when only Linksmith's actions were in it.</summary>
    private const string CreatedComment = " Created by `linksmith shell install`; removed by `linksmith shell uninstall` when no action is left. ";

    public override string Name => "thunar";

    public static string File => Path.Combine(XdgDirectories.ConfigHome, "Thunar", "uca.xml");

    public override string Location => Display.Path(File);

    public override bool IsPresent() => IsOnPath("thunar") || IsOnPath("Thunar");

    public override void Install(ShellCommandLine command, ShellChanges changes)
    {
        var document = Load() ?? new XDocument(new XDeclaration("1.0", "UTF-8", null), new XComment(CreatedComment), new XElement("actions"));
        var actions = document.Root!;
        RemoveOurs(actions);
        actions.Add(Action("pick", MenuEntries.PickLabel, string.Empty, $"{command.ForPosixShell()} pick --notify -- %F", "Remember the selected items as link sources, to drop them later (Linksmith)", allFiles: true));
        actions.Add(Action("delete", MenuEntries.DeleteLabel, string.Empty, $"{command.ForPosixShell()} delete --notify -- %F", MenuEntries.DeleteComment, allFiles: true, icon: MenuEntries.DeleteIcon));
        actions.Add(Action("verify", MenuEntries.VerifyLabel, string.Empty, $"{command.ForPosixShell()} snapshots verify --notify -- %f", MenuEntries.VerifyComment, allFiles: false, icon: MenuEntries.VerifyIcon));
        foreach (var entry in MenuEntries.LinuxDropKinds)
        {
            actions.Add(Action("drop-" + entry.Kind, entry.Label, MenuEntries.DropMenuLabel, $"{command.ForPosixShell()} drop --notify --as {entry.Kind} -- %f", $"Drop the picked link sources here as {entry.Label} (Linksmith)", allFiles: false));
        }

        actions.Add(new XText("\n"));
        changes.WriteFile(File, Serialize(document));
    }

    public override void Uninstall(ShellChanges changes)
    {
        if (Load() is not { } document || !Ours(document.Root!).Any())
        {
            return;
        }

        RemoveOurs(document.Root!);
        var createdByUs = document.Nodes().OfType<XComment>().Any(comment => comment.Value == CreatedComment);
        if (createdByUs && !document.Root!.Elements("action").Any())
        {
            changes.DeleteFile(File);
            changes.DeleteEmptyDirectories(Path.GetDirectoryName(File)!, upTo: Path.GetDirectoryName(File)!);
        }
        else
        {
            changes.WriteFile(File, Serialize(document));
        }
    }

    public override IReadOnlyList<string> InstalledEntries() =>
        Load() is { } document ? Ours(document.Root!).Select(action => $"{Display.Path(File)}: {action.Element("unique-id")?.Value}").ToList() : [];

    private static XDocument? Load()
    {
        if (!System.IO.File.Exists(File))
        {
            return null;
        }

        try
        {
            var document = XDocument.Load(File, LoadOptions.PreserveWhitespace);
            return document.Root?.Name == "actions" ? document : throw new InvalidDataException($"{File}: the root element is not <actions>");
        }
        catch (XmlException error)
        {
            // Never overwrite a file we cannot read: the user's actions are in it.
            throw new InvalidDataException($"{File}: not valid XML ({error.Message}); fix or move it, then try again", error);
        }
    }

    private static IEnumerable<XElement> Ours(XElement actions) =>
        actions.Elements("action").Where(action => action.Element("unique-id")?.Value.StartsWith(IdPrefix, StringComparison.Ordinal) == true);

    private static void RemoveOurs(XElement actions)
    {
        foreach (var action in Ours(actions).ToList())
        {
            // The whitespace before it went in with it; take it out too, so install and uninstall leave the file as it was.
            if (action.PreviousNode is XText { Value: var space } text && string.IsNullOrWhiteSpace(space))
            {
                text.Remove();
            }

            action.Remove();
        }

        if (actions.LastNode is XText { Value: var trailing } last && string.IsNullOrWhiteSpace(trailing) && !actions.Elements().Any())
        {
            last.Remove();
        }
    }

    private static XElement Action(string id, string name, string submenu, string command, string description, bool allFiles, string icon = MenuEntries.Icon)
    {
        var action = new XElement(
            "action",
            new XElement("icon", icon),
            new XElement("name", name),
            new XElement("submenu", submenu),
            new XElement("unique-id", IdPrefix + id),
            new XElement("command", command),
            new XElement("description", description),
            new XElement("range", string.Empty),
            new XElement("patterns", "*"),
            new XElement("directories"));
        if (allFiles)
        {
            foreach (var kind in new[] { "audio-files", "image-files", "other-files", "text-files", "video-files" })
            {
                action.Add(new XElement(kind));
            }
        }

        var indented = new XElement("action");
        foreach (var child in action.Elements())
        {
            indented.Add(new XText("\n\t"), child);
        }

        indented.Add(new XText("\n"));
        return indented;
    }

    private static string Serialize(XDocument document)
    {
        // Elements are preceded by a newline so Linksmith's actions sit one per line like Thunar's own.
        foreach (var action in document.Root!.Elements("action").ToList())
        {
            if (action.PreviousNode is not XText)
            {
                action.AddBeforeSelf(new XText("\n"));
            }
        }

        var builder = new StringBuilder();
        var settings = new XmlWriterSettings { Encoding = new UTF8Encoding(false), OmitXmlDeclaration = false, Indent = false };
        using (var writer = XmlWriter.Create(new StringWriter(builder), settings))
        {
            document.Save(writer);
        }

        // StringWriter makes the declaration say utf-16; the file is written as UTF-8. Empty
        // elements are written as Thunar writes them (<directories/>), so the user's actions
        // come back as they were.
        var text = builder.ToString()
            .Replace("encoding=\"utf-16\"", "encoding=\"UTF-8\"", StringComparison.Ordinal)
            .Replace(" />", "/>", StringComparison.Ordinal);
        return text.EndsWith('\n') ? text : text + "\n";
    }
}
