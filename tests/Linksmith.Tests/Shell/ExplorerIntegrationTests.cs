using Linksmith.Cli.Shell;
using Linksmith.Tests.Windows;
using Microsoft.Win32;

namespace Linksmith.Tests.Shell;

/// <summary>
/// Explorer's context-menu entries in the registry, written and read back through the real
/// advapi32 (on Windows, or under Wine, which keeps a faithful registry). Read back through HKCU,
/// not HKCR: Wine's HKCR does not show HKCU\Software\Classes (notes/wine.md).
/// </summary>
[Trait("Platform", "Windows")]
public sealed class ExplorerIntegrationTests : IDisposable
{
    private static readonly ShellCommandLine Command = new([@"C:\Program Files\Linksmith\linksmith.exe"]);

    private readonly string isolatedClasses = $@"Software\LinksmithTests\{Guid.NewGuid():N}\Classes";

    public void Dispose()
    {
        if (OperatingSystem.IsWindows())
        {
            Registry.CurrentUser.DeleteSubKeyTree(Path.GetDirectoryName(isolatedClasses)!, throwOnMissingSubKey: false);
        }
    }

    [Fact]
    public async Task Install_writes_pick_and_delete_verbs_and_a_cascading_drop_menu_that_read_back_as_written()
    {
        await WindowsHost.RequireWindowsAsync();
        var explorer = new ExplorerIntegration(isolatedClasses);

        explorer.Install(Command, new ShellChanges(dryRun: false));

        using var classes = Registry.CurrentUser.OpenSubKey(isolatedClasses)!;
        foreach (var pickKey in new[] { @"*\shell\Linksmith.Pick", @"Directory\shell\Linksmith.Pick" })
        {
            using var pick = classes.OpenSubKey(pickKey)!;
            Assert.Equal("Pick Link Source", pick.GetValue("MUIVerb"));
            // Player: the verb is offered for any number of selected items, one process each.
            Assert.Equal("Player", pick.GetValue("MultiSelectModel"));
            using var command = pick.OpenSubKey("command")!;
            Assert.Equal("\"C:\\Program Files\\Linksmith\\linksmith.exe\" pick --notify -- \"%1\"", command.GetValue(string.Empty));
        }

        foreach (var deleteKey in new[] { @"*\shell\Linksmith.Delete", @"Directory\shell\Linksmith.Delete" })
        {
            using var delete = classes.OpenSubKey(deleteKey)!;
            Assert.Equal("Delete (never through links)", delete.GetValue("MUIVerb"));
            Assert.Equal("Player", delete.GetValue("MultiSelectModel"));
            Assert.Null(delete.GetValue("SubCommands"));
            using var command = delete.OpenSubKey("command")!;
            Assert.Equal("\"C:\\Program Files\\Linksmith\\linksmith.exe\" delete --notify -- \"%1\"", command.GetValue(string.Empty));
        }

        // Never on the folder background, where %V is the folder shown.
        Assert.Null(classes.OpenSubKey(@"Directory\Background\shell\Linksmith.Delete"));

        foreach (var (dropKey, placeholder) in new[] { (@"Directory\shell\Linksmith.DropAs", "%1"), (@"Directory\Background\shell\Linksmith.DropAs", "%V") })
        {
            using var drop = classes.OpenSubKey(dropKey)!;
            Assert.Equal("Drop As", drop.GetValue("MUIVerb"));
            Assert.Equal(string.Empty, drop.GetValue("SubCommands"));
            using var entries = drop.OpenSubKey("shell")!;
            Assert.Equal(
                ["01-symlink", "02-hardlink", "03-junction", "04-copy", "05-mirror", "06-clone", "07-symbolic-clone", "08-reflink-clone", "09-backup", "10-move"],
                entries.GetSubKeyNames().Order(StringComparer.Ordinal));
            using var junction = entries.OpenSubKey(@"03-junction")!;
            Assert.Equal("Junction", junction.GetValue("MUIVerb"));
            using var junctionCommand = junction.OpenSubKey("command")!;
            Assert.Equal($"\"C:\\Program Files\\Linksmith\\linksmith.exe\" drop --notify --as junction -- \"{placeholder}\"", junctionCommand.GetValue(string.Empty));
        }

        Assert.Equal(8, explorer.InstalledEntries().Count);
    }

    [Fact]
    public async Task Uninstall_removes_every_key_install_wrote_and_leaves_other_verbs()
    {
        await WindowsHost.RequireWindowsAsync();
        var explorer = new ExplorerIntegration(isolatedClasses);
        using (var own = Registry.CurrentUser.CreateSubKey($@"{isolatedClasses}\Directory\shell\MyOwnVerb\command"))
        {
            own.SetValue(string.Empty, "notepad.exe \"%1\"");
        }

        explorer.Install(Command, new ShellChanges(dryRun: false));
        var changes = new ShellChanges(dryRun: false);
        explorer.Uninstall(changes);

        Assert.Empty(explorer.InstalledEntries());
        Assert.Equal(8, changes.Done.Count);
        using var classes = Registry.CurrentUser.OpenSubKey(isolatedClasses)!;
        Assert.Null(classes.OpenSubKey(@"*\shell\Linksmith.Pick"));
        Assert.Null(classes.OpenSubKey(@"*\shell\Linksmith.Delete"));
        Assert.Null(classes.OpenSubKey(@"Directory\shell\Linksmith.Delete"));
        Assert.Null(classes.OpenSubKey(@"Directory\Background\shell\Linksmith.DropAs"));
        using var kept = classes.OpenSubKey(@"Directory\shell\MyOwnVerb\command")!;
        Assert.Equal("notepad.exe \"%1\"", kept.GetValue(string.Empty));
    }

    [Fact]
    public async Task Install_over_an_install_without_delete_adds_the_delete_verbs()
    {
        await WindowsHost.RequireWindowsAsync();
        var explorer = new ExplorerIntegration(isolatedClasses);
        explorer.Install(Command, new ShellChanges(dryRun: false));
        using (var classes = Registry.CurrentUser.OpenSubKey(isolatedClasses, writable: true)!)
        {
            // What an install from before delete left.
            classes.DeleteSubKeyTree(@"*\shell\Linksmith.Delete");
            classes.DeleteSubKeyTree(@"Directory\shell\Linksmith.Delete");
        }

        Assert.Equal(6, explorer.InstalledEntries().Count);

        explorer.Install(Command, new ShellChanges(dryRun: false));

        Assert.Equal(8, explorer.InstalledEntries().Count);
        using var reread = Registry.CurrentUser.OpenSubKey(isolatedClasses)!;
        using var command = reread.OpenSubKey(@"*\shell\Linksmith.Delete\command")!;
        Assert.Equal("\"C:\\Program Files\\Linksmith\\linksmith.exe\" delete --notify -- \"%1\"", command.GetValue(string.Empty));
    }

    [Fact]
    public async Task The_real_per_user_classes_key_takes_the_entries_and_gives_them_back()
    {
        await WindowsHost.RequireWindowsAsync();
        if (!WindowsHost.IsWine)
        {
            Assert.Skip("writes to the real HKCU\\Software\\Classes: only in Wine's throw-away prefix");
        }

        var explorer = new ExplorerIntegration();
        try
        {
            explorer.Install(Command, new ShellChanges(dryRun: false));

            using var verb = Registry.CurrentUser.OpenSubKey(@"Software\Classes\Directory\Background\shell\Linksmith.DropAs\shell\01-symlink\command")!;
            Assert.Equal("\"C:\\Program Files\\Linksmith\\linksmith.exe\" drop --notify --as symlink -- \"%V\"", verb.GetValue(string.Empty));
        }
        finally
        {
            explorer.Uninstall(new ShellChanges(dryRun: false));
        }

        Assert.Empty(explorer.InstalledEntries());
    }

    [Fact]
    public async Task A_dry_run_writes_no_key()
    {
        await WindowsHost.RequireWindowsAsync();
        var explorer = new ExplorerIntegration(isolatedClasses);
        var changes = new ShellChanges(dryRun: true);

        explorer.Install(Command, changes);

        Assert.Empty(explorer.InstalledEntries());
        Assert.All(changes.Done, line => Assert.StartsWith("would write HKEY_CURRENT_USER\\", line, StringComparison.Ordinal));
    }
}
