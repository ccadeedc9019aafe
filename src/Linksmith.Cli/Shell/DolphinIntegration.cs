using System.Text;

namespace Linksmith.Cli.Shell;

/// <summary>
/// Dolphin (KDE Plasma 6): service menus in <c>~/.local/share/kio/servicemenus/</c>, which
/// KIO runs only when the file is executable. One for "Pick Link Source" and "Delete (never
/// through links)" on every file and folder, one with a "Drop As" submenu on folders (Dolphin also offers it on the background of
/// the folder shown, for that folder), one with "Verify snapshots" on folders (a backup repository).
/// </summary>
internal sealed class DolphinIntegration : FileManagerIntegration
{
    private const string Prefix = "linksmith-";

    public override string Name => "dolphin";

    public static string Folder => Path.Combine(XdgDirectories.DataHome, "kio", "servicemenus");

    public override string Location => Display.Path(Folder);

    public override bool IsPresent() => IsOnPath("dolphin");

    public override void Install(ShellCommandLine command, ShellChanges changes)
    {
        var wanted = Files(command);
        foreach (var stale in OurFiles().Where(file => !wanted.ContainsKey(file)))
        {
            changes.DeleteFile(stale);
        }

        foreach (var (path, content) in wanted)
        {
            changes.WriteFile(path, content, executable: true);
        }
    }

    public override void Uninstall(ShellChanges changes)
    {
        foreach (var file in OurFiles())
        {
            changes.DeleteFile(file);
        }

        changes.DeleteEmptyDirectories(Folder, upTo: Path.Combine(XdgDirectories.DataHome, "kio"));
    }

    public override IReadOnlyList<string> InstalledEntries() => OurFiles().ToList();

    internal static Dictionary<string, string> Files(ShellCommandLine command)
    {
        var exec = command.ForDesktopExec();
        var pick = new StringBuilder();
        pick.Append("# ").Append(MenuEntries.Marker).Append('\n');
        pick.Append("[Desktop Entry]\n");
        pick.Append("Type=Service\n");
        pick.Append("Name=Linksmith\n");
        // KDE's own names for "every file and folder"; X-KDE-Priority puts the entry on the top level.
        pick.Append("MimeType=all/all;\n");
        pick.Append("Actions=pick;delete;\n");
        pick.Append("X-KDE-Priority=TopLevel\n");
        // Local files only: for another protocol KIO would hand %F over as downloaded temporary
        // copies, and delete would remove those and report success.
        pick.Append("X-KDE-Protocols=file\n");
        pick.Append('\n');
        pick.Append("[Desktop Action pick]\n");
        pick.Append("Name=").Append(MenuEntries.PickLabel).Append('\n');
        pick.Append("Icon=").Append(MenuEntries.Icon).Append('\n');
        pick.Append("Exec=").Append(exec).Append(" pick --notify -- %F\n");
        pick.Append('\n');
        pick.Append("[Desktop Action delete]\n");
        pick.Append("Name=").Append(MenuEntries.DeleteLabel).Append('\n');
        pick.Append("Icon=").Append(MenuEntries.DeleteIcon).Append('\n');
        pick.Append("Exec=").Append(exec).Append(" delete --notify -- %F\n");

        var drop = new StringBuilder();
        drop.Append("# ").Append(MenuEntries.Marker).Append('\n');
        drop.Append("[Desktop Entry]\n");
        drop.Append("Type=Service\n");
        drop.Append("Name=Linksmith ").Append(MenuEntries.DropMenuLabel).Append('\n');
        drop.Append("MimeType=inode/directory;\n");
        drop.Append("Actions=").Append(string.Concat(MenuEntries.LinuxDropKinds.Select(entry => entry.Kind + ";"))).Append('\n');
        drop.Append("X-KDE-Submenu=").Append(MenuEntries.DropMenuLabel).Append('\n');
        drop.Append("X-KDE-Priority=TopLevel\n");
        drop.Append("Icon=").Append(MenuEntries.Icon).Append('\n');
        foreach (var entry in MenuEntries.LinuxDropKinds)
        {
            drop.Append('\n');
            drop.Append("[Desktop Action ").Append(entry.Kind).Append("]\n");
            drop.Append("Name=").Append(entry.Label).Append('\n');
            drop.Append("Icon=").Append(MenuEntries.Icon).Append('\n');
            // %f: one folder; with several selected KIO runs the command once per folder.
            drop.Append("Exec=").Append(exec).Append(" drop --notify --as ").Append(entry.Kind).Append(" -- %f\n");
        }

        var verify = new StringBuilder();
        verify.Append("# ").Append(MenuEntries.Marker).Append('\n');
        verify.Append("[Desktop Entry]\n");
        verify.Append("Type=Service\n");
        verify.Append("Name=Linksmith ").Append(MenuEntries.VerifyLabel).Append('\n');
        verify.Append("MimeType=inode/directory;\n");
        verify.Append("Actions=verify;\n");
        verify.Append("X-KDE-Priority=TopLevel\n");
        verify.Append("X-KDE-Protocols=file\n");
        verify.Append('\n');
        verify.Append("[Desktop Action verify]\n");
        verify.Append("Name=").Append(MenuEntries.VerifyLabel).Append('\n');
        verify.Append("Icon=").Append(MenuEntries.VerifyIcon).Append('\n');
        verify.Append("Exec=").Append(exec).Append(" snapshots verify --notify -- %f\n");

        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [Path.Combine(Folder, Prefix + "pick.desktop")] = pick.ToString(),
            [Path.Combine(Folder, Prefix + "drop.desktop")] = drop.ToString(),
            [Path.Combine(Folder, Prefix + "verify.desktop")] = verify.ToString(),
        };
    }

    private static List<string> OurFiles()
    {
        if (!Directory.Exists(Folder))
        {
            return [];
        }

        return Directory.EnumerateFiles(Folder, Prefix + "*.desktop")
            .Where(file => File.ReadLines(file).FirstOrDefault()?.Contains(MenuEntries.Marker, StringComparison.Ordinal) == true)
            .Order(StringComparer.Ordinal)
            .ToList();
    }
}
