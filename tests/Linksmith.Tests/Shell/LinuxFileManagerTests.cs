using System.Xml.Linq;

namespace Linksmith.Tests.Shell;

/// <summary>
/// <c>linksmith shell install</c> for the Linux file managers, checked the way each file manager
/// would use the result: the formats validated by their real tools, and the entries run with
/// their placeholders expanded as the file manager expands them.
/// </summary>
// Linux only: Linux file managers. The Wine pass (.ci/wine-tests.sh) leaves out this trait.
[Trait("Platform", "Linux")]
public sealed class LinuxFileManagerTests : IDisposable
{
    private readonly DesktopSandbox sandbox = new();

    public void Dispose() => sandbox.Dispose();

    private string NautilusScripts => Path.Combine(sandbox.DataHome, "nautilus", "scripts", "Linksmith");

    private string NemoActions => Path.Combine(sandbox.DataHome, "nemo", "actions");

    private string ServiceMenus => Path.Combine(sandbox.DataHome, "kio", "servicemenus");

    private string UcaXml => Path.Combine(sandbox.ConfigHome, "Thunar", "uca.xml");

    private string Notifications => File.Exists(sandbox.NotificationLog) ? File.ReadAllText(sandbox.NotificationLog) : string.Empty;

    /// <summary>
    /// What "Delete (never through links)" is given: names a file manager's quoting can get wrong
    /// (quotes, $, a backslash, a tab, a newline), each beside a bystander named like what a
    /// wrong split or unescape would make of it, which must survive. The entries are run in the
    /// folder shown (<see cref="SourcesFolder"/>), where a split-off relative name would land.
    /// </summary>
    private (List<string> Selection, List<string> Bystanders) DeleteTargets()
    {
        var (file, folder) = Sources();
        List<string> selection = [file, folder, sandbox.Temp.File("sources/a\\b.txt", "x"), sandbox.Temp.File("sources/tab\there.txt", "x"), sandbox.Temp.File("sources/gone\nkeep.txt", "x")];
        List<string> bystanders = [sandbox.Temp.File("sources/ab.txt", "keep"), sandbox.Temp.File("sources/here.txt", "keep"), sandbox.Temp.File("sources/keep.txt", "keep")];
        return (selection, bystanders);
    }

    private string SourcesFolder => sandbox.Temp["sources"];

    private void AssertDeleted(List<string> selection, List<string> bystanders)
    {
        Assert.All(selection, path => Assert.False(File.Exists(path) || Directory.Exists(path), path));
        Assert.All(bystanders, path => Assert.Equal("keep", File.ReadAllText(path)));
        Assert.Contains($"Deleted {selection.Count} items", Notifications, StringComparison.Ordinal);
    }

    private (string File, string Folder) Sources()
    {
        var file = sandbox.Temp.File("sources/it's a \"report\" $HOME.txt", "report");
        var folder = sandbox.Temp.Dir("sources/photos 2024");
        sandbox.Temp.File("sources/photos 2024/a.jpg", "jpeg");
        return (file, folder);
    }

    private void Install(string fileManager)
    {
        var result = sandbox.Cli("shell", "install", "--for", fileManager);
        Assert.True(result.ExitCode == 0, result.Error);
    }

    private static void AssertSucceeded(ProcessResult result) => Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}\n{result.Out}\n{result.Error}");

    private static void RequireTool(string tool)
    {
        if (!Processes.Run("sh", ["-c", $"command -v {tool}"]).Out.Contains(tool, StringComparison.Ordinal))
        {
            Assert.Skip($"needs {tool} (.ci/run installs it)");
        }
    }

    [Fact]
    public void Nautilus_scripts_pick_the_selection_and_drop_into_the_current_folder()
    {
        Platform.RequireLinux();
        var (file, folder) = Sources();
        var destination = sandbox.Temp.Dir("drop here");
        Install("nautilus");
        var pick = Path.Combine(NautilusScripts, "Pick Link Source");
        var dropSymlink = Path.Combine(NautilusScripts, "Drop As", "Symbolic Link");
        Assert.True((File.GetUnixFileMode(pick) & UnixFileMode.UserExecute) != 0);
        Assert.Equal(0, Processes.Run("sh", ["-n", pick]).ExitCode);
        Assert.Equal(0, Processes.Run("sh", ["-n", dropSymlink]).ExitCode);

        // Nautilus runs the script itself, with the selection one path per line (and a final newline).
        AssertSucceeded(sandbox.Run([pick], new Dictionary<string, string> { ["NAUTILUS_SCRIPT_SELECTED_FILE_PATHS"] = $"{file}\n{folder}\n" }));
        AssertSucceeded(sandbox.Run([dropSymlink], new Dictionary<string, string>
        {
            ["NAUTILUS_SCRIPT_SELECTED_FILE_PATHS"] = string.Empty,
            ["NAUTILUS_SCRIPT_CURRENT_URI"] = new Uri(destination).AbsoluteUri,
        }));

        Assert.Equal(file, Link.Inspect(Path.Combine(destination, Path.GetFileName(file))).ResolvedTarget);
        Assert.Equal(LinkKind.SymbolicLink, Link.Inspect(Path.Combine(destination, "photos 2024")).Kind);
        Assert.Equal(folder, Link.Inspect(Path.Combine(destination, "photos 2024")).ResolvedTarget);
    }

    [Fact]
    public void A_nautilus_drop_with_a_folder_selected_drops_into_that_folder()
    {
        Platform.RequireLinux();
        var (file, _) = Sources();
        var selected = sandbox.Temp.Dir("shown/selected");
        Install("nautilus");
        AssertSucceeded(sandbox.Cli("pick", file));

        AssertSucceeded(sandbox.Run([Path.Combine(NautilusScripts, "Drop As", "Hard Link")], new Dictionary<string, string>
        {
            ["NAUTILUS_SCRIPT_SELECTED_FILE_PATHS"] = selected + "\n",
            ["NAUTILUS_SCRIPT_CURRENT_URI"] = new Uri(sandbox.Temp["shown"]).AbsoluteUri,
        }));

        var dropped = Link.Inspect(Path.Combine(selected, Path.GetFileName(file)));
        Assert.Equal(Link.Inspect(file).Identity, dropped.Identity);
        Assert.Equal(2, dropped.LinkCount);
    }

    [Fact]
    public void The_nautilus_delete_script_deletes_exactly_the_selection_even_with_a_newline_in_a_name()
    {
        Platform.RequireLinux();
        sandbox.FakeTool("notify-send", sandbox.NotificationLog);
        var (selection, bystanders) = DeleteTargets();
        Install("nautilus");
        var delete = Path.Combine(NautilusScripts, "Delete (never through links)");
        Assert.True((File.GetUnixFileMode(delete) & UnixFileMode.UserExecute) != 0);
        Assert.Equal(0, Processes.Run("sh", ["-n", delete]).ExitCode);
        Assert.Contains(" delete --notify -- $NAUTILUS_SCRIPT_SELECTED_URIS", File.ReadAllText(delete), StringComparison.Ordinal);

        // As Nautilus runs it: both lists, one entry per line, in the folder shown, where the path
        // list's second line of "gone\nkeep.txt" names the bystander keep.txt.
        AssertSucceeded(sandbox.Run([delete], new Dictionary<string, string>
        {
            ["NAUTILUS_SCRIPT_SELECTED_FILE_PATHS"] = string.Concat(selection.Select(path => path + "\n")),
            ["NAUTILUS_SCRIPT_SELECTED_URIS"] = string.Concat(selection.Select(path => FileManagerExpansion.GioFileUri(path) + "\n")),
            ["NAUTILUS_SCRIPT_CURRENT_URI"] = new Uri(SourcesFolder).AbsoluteUri,
        }, workingDirectory: SourcesFolder));

        AssertDeleted(selection, bystanders);
    }

    [Fact]
    public void The_nautilus_delete_script_with_nothing_selected_says_so_and_deletes_nothing()
    {
        Platform.RequireLinux();
        sandbox.FakeTool("notify-send", sandbox.NotificationLog);
        var shown = sandbox.Temp.Dir("shown");
        sandbox.Temp.File("shown/a.txt");
        Install("nautilus");

        var result = sandbox.Run([Path.Combine(NautilusScripts, "Delete (never through links)")], new Dictionary<string, string>
        {
            ["NAUTILUS_SCRIPT_SELECTED_FILE_PATHS"] = string.Empty,
            ["NAUTILUS_SCRIPT_SELECTED_URIS"] = string.Empty,
            ["NAUTILUS_SCRIPT_CURRENT_URI"] = new Uri(shown).AbsoluteUri,
        }, workingDirectory: shown);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("nothing to delete", Notifications, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(shown, "a.txt")));
    }

    [Fact]
    public void The_nemo_delete_action_passes_uris_so_no_name_is_split_or_unescaped()
    {
        Platform.RequireLinux();
        sandbox.FakeTool("notify-send", sandbox.NotificationLog);
        var (selection, bystanders) = DeleteTargets();
        Install("nemo");
        var action = Path.Combine(NemoActions, "linksmith-delete.nemo_action");

        Assert.Equal("Delete (never through links)", FileManagerExpansion.KeyFileValue(action, "Nemo Action", "Name"));
        Assert.Equal("notnone", FileManagerExpansion.KeyFileValue(action, "Nemo Action", "Selection"));
        Assert.Equal("any;", FileManagerExpansion.KeyFileValue(action, "Nemo Action", "Extensions"));
        Assert.Equal("double", FileManagerExpansion.KeyFileValue(action, "Nemo Action", "Quote"));
        var exec = FileManagerExpansion.KeyFileValue(action, "Nemo Action", "Exec");
        Assert.EndsWith(" delete --notify -- %U", exec, StringComparison.Ordinal);

        AssertSucceeded(sandbox.Run(FileManagerExpansion.Nemo(exec, selection, SourcesFolder, quote: "\""), workingDirectory: SourcesFolder));

        AssertDeleted(selection, bystanders);
    }

    [Fact]
    public void The_dolphin_delete_action_sits_beside_pick_and_deletes_what_kio_passes()
    {
        Platform.RequireLinux();
        sandbox.FakeTool("notify-send", sandbox.NotificationLog);
        var (selection, bystanders) = DeleteTargets();
        Install("dolphin");
        var menu = Path.Combine(ServiceMenus, "linksmith-pick.desktop");

        Assert.Equal("pick;delete;", FileManagerExpansion.KeyFileValue(menu, "Desktop Entry", "Actions"));
        Assert.Equal("all/all;", FileManagerExpansion.KeyFileValue(menu, "Desktop Entry", "MimeType"));
        Assert.Equal("file", FileManagerExpansion.KeyFileValue(menu, "Desktop Entry", "X-KDE-Protocols"));
        Assert.Equal("Delete (never through links)", FileManagerExpansion.KeyFileValue(menu, "Desktop Action delete", "Name"));
        Assert.Equal("edit-delete", FileManagerExpansion.KeyFileValue(menu, "Desktop Action delete", "Icon"));
        var argv = FileManagerExpansion.DesktopExec(FileManagerExpansion.KeyFileValue(menu, "Desktop Action delete", "Exec"), selection);
        Assert.Equal(["delete", "--notify", "--", .. selection], argv.Skip(argv.Count - selection.Count - 3));

        AssertSucceeded(sandbox.Run(argv, workingDirectory: SourcesFolder));

        AssertDeleted(selection, bystanders);
    }

    [Fact]
    public void The_thunar_delete_action_is_beside_pick_on_every_file_and_folder()
    {
        Platform.RequireLinux();
        RequireTool("xmllint");
        sandbox.FakeTool("notify-send", sandbox.NotificationLog);
        var (selection, bystanders) = DeleteTargets();
        Install("thunar");

        Assert.Equal(0, Processes.Run("xmllint", ["--noout", UcaXml]).ExitCode);
        var actions = XDocument.Load(UcaXml).Root!.Elements("action").Select(action => action.Element("unique-id")!.Value).ToList();
        Assert.Equal(actions.IndexOf("linksmith-pick") + 1, actions.IndexOf("linksmith-delete"));
        var delete = XDocument.Load(UcaXml).Root!.Elements("action").Single(action => action.Element("unique-id")!.Value == "linksmith-delete");
        Assert.Equal("Delete (never through links)", delete.Element("name")!.Value);
        Assert.Equal(string.Empty, delete.Element("submenu")!.Value);
        Assert.Equal("edit-delete", delete.Element("icon")!.Value);
        Assert.NotNull(delete.Element("directories"));
        Assert.NotNull(delete.Element("other-files"));
        Assert.EndsWith(" delete --notify -- %F", delete.Element("command")!.Value, StringComparison.Ordinal);

        AssertSucceeded(sandbox.Run(FileManagerExpansion.Thunar(delete.Element("command")!.Value, selection), workingDirectory: SourcesFolder));

        AssertDeleted(selection, bystanders);
    }

    [Fact]
    public void A_stale_install_without_the_delete_entries_gets_them_and_uninstall_takes_them_away_again()
    {
        Platform.RequireLinux();
        AssertSucceeded(sandbox.Cli("shell", "install", "--for", "nautilus", "--for", "nemo", "--for", "dolphin", "--for", "thunar"));
        var deleteScript = Path.Combine(NautilusScripts, "Delete (never through links)");
        var nemoDelete = Path.Combine(NemoActions, "linksmith-delete.nemo_action");
        var dolphinMenu = Path.Combine(ServiceMenus, "linksmith-pick.desktop");
        // An install from before delete existed: no delete script, action or Thunar entry, and
        // Dolphin's pick menu with the pick action alone.
        File.Delete(deleteScript);
        File.Delete(nemoDelete);
        var dolphinText = File.ReadAllText(dolphinMenu);
        File.WriteAllText(dolphinMenu, dolphinText[..dolphinText.IndexOf("\n[Desktop Action delete]", StringComparison.Ordinal)].Replace("Actions=pick;delete;", "Actions=pick;", StringComparison.Ordinal) + "\n");
        var uca = XDocument.Load(UcaXml, LoadOptions.PreserveWhitespace);
        uca.Root!.Elements("action").Single(action => action.Element("unique-id")!.Value == "linksmith-delete").Remove();
        uca.Save(UcaXml);
        // The user's own entries beside Linksmith's.
        var ownScript = Path.Combine(NautilusScripts, "My Delete");
        File.WriteAllText(ownScript, "#!/bin/sh\nrm -- \"$@\"\n");
        var ownAction = Path.Combine(NemoActions, "linksmith-mine.nemo_action");
        File.WriteAllText(ownAction, "[Nemo Action]\nName=Mine\nExec=true %F\nSelection=any\nExtensions=any;\n");
        var stale = sandbox.Cli("shell", "status");
        Assert.DoesNotContain(deleteScript, stale.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("linksmith-delete", stale.Out, StringComparison.Ordinal);

        AssertSucceeded(sandbox.Cli("shell", "install", "--for", "nautilus", "--for", "nemo", "--for", "dolphin", "--for", "thunar"));

        Assert.True(File.Exists(deleteScript));
        Assert.True(File.Exists(nemoDelete));
        Assert.Equal("pick;delete;", FileManagerExpansion.KeyFileValue(dolphinMenu, "Desktop Entry", "Actions"));
        Assert.Single(XDocument.Load(UcaXml).Root!.Elements("action"), action => action.Element("unique-id")!.Value == "linksmith-delete");
        var status = sandbox.Cli("shell", "status");
        Assert.Contains(deleteScript, status.Out, StringComparison.Ordinal);
        Assert.Contains(nemoDelete, status.Out, StringComparison.Ordinal);
        Assert.Contains("uca.xml: linksmith-delete", status.Out, StringComparison.Ordinal);

        AssertSucceeded(sandbox.Cli("shell", "uninstall"));
        Assert.False(File.Exists(deleteScript));
        Assert.False(File.Exists(nemoDelete));
        Assert.False(File.Exists(dolphinMenu));
        Assert.False(File.Exists(UcaXml));
        Assert.True(File.Exists(ownScript));
        Assert.True(File.Exists(ownAction));
    }

    [Fact]
    public void Nemo_actions_are_valid_key_files_and_their_commands_work_as_nemo_expands_them()
    {
        Platform.RequireLinux();
        RequireTool("desktop-file-validate");
        var (file, folder) = Sources();
        var background = sandbox.Temp.Dir("current folder");
        var selectedFolder = sandbox.Temp.Dir("selected folder");
        Install("nemo");

        foreach (var action in Directory.EnumerateFiles(NemoActions, "*.nemo_action"))
        {
            var validation = Processes.Run("desktop-file-validate", [action]);
            // The validator knows only Desktop Entry files; these three complaints are about the
            // [Nemo Action] format itself. Anything else (syntax, escapes, keys) is a real error.
            var errors = validation.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Where(line => !line.Contains("first group is not \"Desktop Entry\"", StringComparison.Ordinal)
                    && !line.Contains("groups extending the format should start with \"X-\"", StringComparison.Ordinal)
                    && !line.Contains("does not have a .desktop extension", StringComparison.Ordinal));
            Assert.Empty(errors);
            var icon = Path.GetFileName(action) switch
            {
                "linksmith-delete.nemo_action" => "edit-delete",
                "linksmith-verify.nemo_action" or "linksmith-verify-here.nemo_action" => "edit-find",
                _ => "insert-link",
            };
            Assert.Equal(icon, FileManagerExpansion.KeyFileValue(action, "Nemo Action", "Icon-Name"));
        }

        var pickExec = FileManagerExpansion.KeyFileValue(Path.Combine(NemoActions, "linksmith-pick.nemo_action"), "Nemo Action", "Exec");
        AssertSucceeded(sandbox.Run(FileManagerExpansion.Nemo(pickExec, [file, folder], background)));
        var dropHere = Path.Combine(NemoActions, "linksmith-drop-symlink-here.nemo_action");
        Assert.Equal("none", FileManagerExpansion.KeyFileValue(dropHere, "Nemo Action", "Selection"));
        AssertSucceeded(sandbox.Run(FileManagerExpansion.Nemo(FileManagerExpansion.KeyFileValue(dropHere, "Nemo Action", "Exec"), [], background)));
        Assert.Equal(file, Link.Inspect(Path.Combine(background, Path.GetFileName(file))).ResolvedTarget);
        Assert.Equal(folder, Link.Inspect(Path.Combine(background, "photos 2024")).ResolvedTarget);

        AssertSucceeded(sandbox.Run(FileManagerExpansion.Nemo(pickExec, [folder], background)));
        var dropInto = Path.Combine(NemoActions, "linksmith-drop-copy.nemo_action");
        Assert.Equal("dir;", FileManagerExpansion.KeyFileValue(dropInto, "Nemo Action", "Extensions"));
        AssertSucceeded(sandbox.Run(FileManagerExpansion.Nemo(FileManagerExpansion.KeyFileValue(dropInto, "Nemo Action", "Exec"), [selectedFolder], background)));
        Assert.Equal("jpeg", File.ReadAllText(Path.Combine(selectedFolder, "photos 2024", "a.jpg")));
        Assert.Equal(LinkKind.Directory, Link.Inspect(Path.Combine(selectedFolder, "photos 2024")).Kind);
    }

    [Fact]
    public void Dolphin_service_menus_are_executable_desktop_files_whose_commands_work_as_kio_expands_them()
    {
        Platform.RequireLinux();
        RequireTool("desktop-file-validate");
        var (file, folder) = Sources();
        var destination = sandbox.Temp.Dir("dolphin's folder");
        Install("dolphin");
        var pickMenu = Path.Combine(ServiceMenus, "linksmith-pick.desktop");
        var dropMenu = Path.Combine(ServiceMenus, "linksmith-drop.desktop");

        foreach (var menu in new[] { pickMenu, dropMenu })
        {
            // Plasma 6 runs a service menu only when it is executable.
            Assert.True((File.GetUnixFileMode(menu) & UnixFileMode.UserExecute) != 0);
            var validation = Processes.Run("desktop-file-validate", [menu]);
            // KDE's service menus extend the spec (Type=Service with MimeType and Actions, KDE's
            // all/all type): the validator, made for applications, names exactly these; the rest
            // of the file (syntax, Exec quoting and field codes, action groups) must be clean.
            var errors = validation.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Where(line => !line.Contains("the type is \"Service\" while this key is only valid for type \"Application\"", StringComparison.Ordinal)
                    && !line.Contains("\"all\" is an unregistered media type", StringComparison.Ordinal));
            Assert.Empty(errors);
        }

        Assert.Equal("Drop As", FileManagerExpansion.KeyFileValue(dropMenu, "Desktop Entry", "X-KDE-Submenu"));
        Assert.Equal("inode/directory;", FileManagerExpansion.KeyFileValue(dropMenu, "Desktop Entry", "MimeType"));
        AssertSucceeded(sandbox.Run(FileManagerExpansion.DesktopExec(FileManagerExpansion.KeyFileValue(pickMenu, "Desktop Action pick", "Exec"), [file, folder])));
        AssertSucceeded(sandbox.Run(FileManagerExpansion.DesktopExec(FileManagerExpansion.KeyFileValue(dropMenu, "Desktop Action clone", "Exec"), [destination])));

        Assert.Equal(Link.Inspect(file).Identity, Link.Inspect(Path.Combine(destination, Path.GetFileName(file))).Identity);
        Assert.Equal(Link.Inspect(Path.Combine(folder, "a.jpg")).Identity, Link.Inspect(Path.Combine(destination, "photos 2024", "a.jpg")).Identity);
    }

    [Fact]
    public void Thunar_actions_are_merged_into_uca_xml_and_a_users_own_action_is_kept()
    {
        Platform.RequireLinux();
        RequireTool("xmllint");
        var (file, folder) = Sources();
        var destination = sandbox.Temp.Dir("thunar's folder");
        var own = """
            <?xml version="1.0" encoding="UTF-8"?>
            <actions>
            <action>
            	<icon>utilities-terminal</icon>
            	<name>Open Terminal Here</name>
            	<submenu></submenu>
            	<unique-id>1700000000000000-1</unique-id>
            	<command>exo-open --working-directory %f --launch TerminalEmulator</command>
            	<description>Example for a custom action &amp; more</description>
            	<range></range>
            	<patterns>*</patterns>
            	<startup-notify/>
            	<directories/>
            </action>
            </actions>

            """;
        Directory.CreateDirectory(Path.GetDirectoryName(UcaXml)!);
        File.WriteAllText(UcaXml, own);
        Install("thunar");

        Assert.Equal(0, Processes.Run("xmllint", ["--noout", UcaXml]).ExitCode);
        var actions = XDocument.Load(UcaXml).Root!.Elements("action").ToList();
        Assert.Contains(actions, action => action.Element("unique-id")!.Value == "1700000000000000-1");
        var pick = actions.Single(action => action.Element("unique-id")!.Value == "linksmith-pick");
        var drop = actions.Single(action => action.Element("unique-id")!.Value == "linksmith-drop-mirror");
        Assert.Equal("Drop As", drop.Element("submenu")!.Value);
        Assert.NotNull(drop.Element("directories"));

        AssertSucceeded(sandbox.Run(FileManagerExpansion.Thunar(pick.Element("command")!.Value, [file, folder])));
        AssertSucceeded(sandbox.Run(FileManagerExpansion.Thunar(drop.Element("command")!.Value, [destination])));
        Assert.Equal("report", File.ReadAllText(Path.Combine(destination, Path.GetFileName(file))));
        Assert.Equal("jpeg", File.ReadAllText(Path.Combine(destination, "photos 2024", "a.jpg")));

        AssertSucceeded(sandbox.Cli("shell", "uninstall", "--for", "thunar"));
        Assert.Equal(own, File.ReadAllText(UcaXml));
    }

    [Fact]
    public void Uninstall_leaves_nothing_behind_and_status_says_what_is_installed()
    {
        Platform.RequireLinux();
        // A home as a desktop session leaves it: the base folders exist.
        Directory.CreateDirectory(sandbox.ConfigHome);
        Directory.CreateDirectory(Path.Combine(sandbox.DataHome, "nautilus", "scripts"));
        File.WriteAllText(Path.Combine(sandbox.DataHome, "nautilus", "scripts", "my own script"), "#!/bin/sh\necho mine\n");
        var before = sandbox.HomeContents();

        AssertSucceeded(sandbox.Cli("shell", "install", "--for", "nautilus", "--for", "nemo", "--for", "dolphin", "--for", "thunar"));
        var status = sandbox.Cli("shell", "status", "--json");
        AssertSucceeded(status);
        using (var json = System.Text.Json.JsonDocument.Parse(status.Out))
        {
            var installed = json.RootElement.GetProperty("fileManagers").EnumerateArray()
                .Where(manager => manager.GetProperty("installed").GetBoolean())
                .Select(manager => manager.GetProperty("name").GetString())
                .ToList();
            Assert.Equal(["nautilus", "nemo", "dolphin", "thunar"], installed);
        }

        var uninstall = sandbox.Cli("shell", "uninstall");
        AssertSucceeded(uninstall);
        Assert.Equal(before, sandbox.HomeContents());
        var after = sandbox.Cli("shell", "status");
        AssertSucceeded(after);
        Assert.DoesNotContain("installed (", after.Out, StringComparison.Ordinal);
        Assert.Contains("not installed", after.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Install_without_for_installs_for_the_file_managers_found_and_fails_when_there_is_none()
    {
        Platform.RequireLinux();
        var none = sandbox.CliWithPath(sandbox.Bin, "shell", "install");
        Assert.Equal(1, none.ExitCode);
        Assert.Contains("no supported file manager was found", none.Error, StringComparison.Ordinal);

        sandbox.FakeTool("nemo");
        var found = sandbox.CliWithPath(sandbox.Bin, "shell", "install");

        AssertSucceeded(found);
        Assert.True(File.Exists(Path.Combine(NemoActions, "linksmith-pick.nemo_action")));
        Assert.False(Directory.Exists(NautilusScripts));
        Assert.False(File.Exists(UcaXml));
    }

    [Fact]
    public void Explorer_integration_off_windows_is_not_possible_here()
    {
        Platform.RequireLinux();
        var result = sandbox.Cli("shell", "install", "--for", "explorer");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("explorer integration is not possible on this platform", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_dry_run_install_writes_nothing()
    {
        Platform.RequireLinux();
        var before = sandbox.HomeContents();

        var result = sandbox.Cli("shell", "install", "--for", "dolphin", "--dry-run");

        AssertSucceeded(result);
        Assert.Contains($"would write {Path.Combine(ServiceMenus, "linksmith-drop.desktop")}", result.Out, StringComparison.Ordinal);
        Assert.Equal(before, sandbox.HomeContents());
    }
}
