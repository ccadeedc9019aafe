using System.Text;

namespace Linksmith.Cli.Shell;

/// <summary>
/// Nemo (Cinnamon): <c>.nemo_action</c> key files in <c>~/.local/share/nemo/actions/</c>. Nemo
/// has no submenus for actions, so the drop entries are named "Drop As Symbolic Link" and so on;
/// each comes twice, for a selected folder and for the folder's background.
/// </summary>
/// <remarks>
/// Nemo substitutes %F with the selected paths (with EscapeSpaces, spaces and quotes get a
/// backslash), %U with their file:// URIs, %P with the current folder, then splits the line with
/// g_shell_parse_argv. A backslash, tab or newline in a name is not escaped in %F, so the delete
/// entry takes %U (percent-encoded; Quote=double keeps a <c>'</c> in a URI literal).
/// </remarks>
internal sealed class NemoIntegration : FileManagerIntegration
{
    private const string Prefix = "linksmith-";
    private const string Extension = ".nemo_action";

    public override string Name => "nemo";

    public static string Folder => Path.Combine(XdgDirectories.DataHome, "nemo", "actions");

    public override string Location => Display.Path(Folder);

    public override bool IsPresent() => IsOnPath("nemo");

    public override void Install(ShellCommandLine command, ShellChanges changes)
    {
        var wanted = Files(command);
        foreach (var stale in OurFiles().Where(file => !wanted.ContainsKey(file)))
        {
            changes.DeleteFile(stale);
        }

        foreach (var (path, content) in wanted)
        {
            changes.WriteFile(path, content);
        }
    }

    public override void Uninstall(ShellChanges changes)
    {
        foreach (var file in OurFiles())
        {
            changes.DeleteFile(file);
        }

        changes.DeleteEmptyDirectories(Folder, upTo: Path.Combine(XdgDirectories.DataHome, "nemo"));
    }

    public override IReadOnlyList<string> InstalledEntries() => OurFiles().ToList();

    internal static Dictionary<string, string> Files(ShellCommandLine command)
    {
        var files = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [Path.Combine(Folder, Prefix + "pick" + Extension)] = Action(
                MenuEntries.PickLabel,
                "Remember the selected items as link sources, to drop them later (Linksmith)",
                $"{command.ForPosixShell()} pick --notify -- %F",
                selection: "notnone",
                extensions: "any;"),
            [Path.Combine(Folder, Prefix + "delete" + Extension)] = Action(
                MenuEntries.DeleteLabel,
                MenuEntries.DeleteComment,
                $"{command.ForPosixShell()} delete --notify -- %U",
                selection: "notnone",
                extensions: "any;",
                icon: MenuEntries.DeleteIcon,
                quote: "double"),
        };
        files[Path.Combine(Folder, Prefix + "verify" + Extension)] = Action(MenuEntries.VerifyLabel, MenuEntries.VerifyComment, $"{command.ForPosixShell()} snapshots verify --notify -- %F", selection: "s", extensions: "dir;", icon: MenuEntries.VerifyIcon);
        files[Path.Combine(Folder, Prefix + "verify-here" + Extension)] = Action(MenuEntries.VerifyLabel, MenuEntries.VerifyComment, $"{command.ForPosixShell()} snapshots verify --notify -- %P", selection: "none", extensions: "any;", icon: MenuEntries.VerifyIcon);
        foreach (var entry in MenuEntries.LinuxDropKinds)
        {
            var label = $"{MenuEntries.DropMenuLabel} {entry.Label}";
            var comment = $"Drop the picked link sources here as {entry.Label} (Linksmith)";
            files[Path.Combine(Folder, $"{Prefix}drop-{entry.Kind}{Extension}")] = Action(label, comment, $"{command.ForPosixShell()} drop --notify --as {entry.Kind} -- %F", selection: "s", extensions: "dir;");
            files[Path.Combine(Folder, $"{Prefix}drop-{entry.Kind}-here{Extension}")] = Action(label, comment, $"{command.ForPosixShell()} drop --notify --as {entry.Kind} -- %P", selection: "none", extensions: "any;");
        }

        return files;
    }

    private static string Action(string name, string comment, string exec, string selection, string extensions, string icon = MenuEntries.Icon, string? quote = null)
    {
        var text = new StringBuilder();
        text.Append("# ").Append(MenuEntries.Marker).Append('\n');
        text.Append("[Nemo Action]\n");
        text.Append("Name=").Append(name).Append('\n');
        text.Append("Comment=").Append(comment).Append('\n');
        text.Append("Exec=").Append(ShellCommandLine.KeyFileEscape(exec)).Append('\n');
        text.Append("Icon-Name=").Append(icon).Append('\n');
        text.Append("Selection=").Append(selection).Append('\n');
        text.Append("Extensions=").Append(extensions).Append('\n');
        // Without quotes Nemo inserts raw paths; with EscapeSpaces a space becomes "\ ", which
        // g_shell_parse_argv turns back into a space (Nemo escapes quotes in names either way).
        text.Append("EscapeSpaces=true\n");
        if (quote is not null)
        {
            // Each inserted path or URI in these quotes, which g_shell_parse_argv removes again.
            text.Append("Quote=").Append(quote).Append('\n');
        }
        return text.ToString();
    }

    private static List<string> OurFiles()
    {
        if (!Directory.Exists(Folder))
        {
            return [];
        }

        return Directory.EnumerateFiles(Folder, Prefix + "*" + Extension)
            .Where(file => File.ReadLines(file).FirstOrDefault()?.Contains(MenuEntries.Marker, StringComparison.Ordinal) == true)
            .Order(StringComparer.Ordinal)
            .ToList();
    }
}
