using System.Xml.Linq;

namespace Linksmith.Tests.Shell;

/// <summary>
/// "Verify snapshots" on a backup repository in each Linux file manager's menu, run the way the
/// file manager runs it: a notification says the snapshots are intact, or which are not.
/// </summary>
// Linux only: Linux file managers. The Wine pass (.ci/wine-tests.sh) leaves out this trait.
[Trait("Platform", "Linux")]
public sealed class VerifySnapshotsMenuTests : IDisposable
{
    private readonly DesktopSandbox sandbox = new();

    public VerifySnapshotsMenuTests()
    {
        sandbox.FakeTool("notify-send", sandbox.NotificationLog);
    }

    public void Dispose() => sandbox.Dispose();

    private string Notifications => File.Exists(sandbox.NotificationLog) ? File.ReadAllText(sandbox.NotificationLog) : string.Empty;

    /// <summary>A repository with one snapshot, in a folder whose name a shell or a key file could get wrong.</summary>
    private string Repository()
    {
        sandbox.Temp.File("data/a.txt", "alpha");
        sandbox.Temp.File("data/b.txt", "beta");
        var repository = sandbox.Temp["backups/it's \"mine\" $HOME"];
        var backup = sandbox.Cli("backup", sandbox.Temp["data"], repository);
        Assert.True(backup.ExitCode == 0, backup.Error);
        return repository;
    }

    private static void Corrupt(string repository)
    {
        var snapshot = Directory.GetDirectories(repository).Single();
        File.WriteAllText(Path.Combine(snapshot, "b.txt"), "bet4");
    }

    [Fact]
    public void Nautilus_verifies_the_selected_folder_or_the_folder_shown()
    {
        Platform.RequireLinux();
        var repository = Repository();
        AssertSucceeded(sandbox.Cli("shell", "install", "--for", "nautilus"));
        var script = Path.Combine(sandbox.DataHome, "nautilus", "scripts", "Linksmith", "Verify snapshots");
        Assert.Equal(0, Processes.Run("sh", ["-n", script]).ExitCode);

        AssertSucceeded(sandbox.Run([script], new Dictionary<string, string> { ["NAUTILUS_SCRIPT_SELECTED_FILE_PATHS"] = repository + "\n" }));
        Assert.Contains("1 snapshot verified: every file as recorded", Notifications, StringComparison.Ordinal);

        Corrupt(repository);
        var failed = sandbox.Run([script], new Dictionary<string, string>
        {
            ["NAUTILUS_SCRIPT_SELECTED_FILE_PATHS"] = string.Empty,
            ["NAUTILUS_SCRIPT_CURRENT_URI"] = new Uri(repository).AbsoluteUri,
        });
        Assert.Equal(1, failed.ExitCode);
        Assert.Contains("1 corrupt", Notifications, StringComparison.Ordinal);
    }

    [Fact]
    public void Nemo_offers_it_on_a_folder_and_on_the_folder_shown()
    {
        Platform.RequireLinux();
        var repository = Repository();
        AssertSucceeded(sandbox.Cli("shell", "install", "--for", "nemo"));
        var actions = Path.Combine(sandbox.DataHome, "nemo", "actions");
        var onFolder = Path.Combine(actions, "linksmith-verify.nemo_action");
        var here = Path.Combine(actions, "linksmith-verify-here.nemo_action");
        Assert.Equal("Verify snapshots", FileManagerExpansion.KeyFileValue(onFolder, "Nemo Action", "Name"));
        Assert.Equal("dir;", FileManagerExpansion.KeyFileValue(onFolder, "Nemo Action", "Extensions"));
        Assert.Equal("none", FileManagerExpansion.KeyFileValue(here, "Nemo Action", "Selection"));

        AssertSucceeded(sandbox.Run(FileManagerExpansion.Nemo(FileManagerExpansion.KeyFileValue(onFolder, "Nemo Action", "Exec"), [repository], sandbox.Temp.Path)));
        Corrupt(repository);
        var failed = sandbox.Run(FileManagerExpansion.Nemo(FileManagerExpansion.KeyFileValue(here, "Nemo Action", "Exec"), [], repository));

        Assert.Equal(1, failed.ExitCode);
        Assert.Contains("every file as recorded", Notifications, StringComparison.Ordinal);
        Assert.Contains("1 corrupt", Notifications, StringComparison.Ordinal);
    }

    [Fact]
    public void Dolphin_has_a_verify_service_menu_on_folders()
    {
        Platform.RequireLinux();
        var repository = Repository();
        AssertSucceeded(sandbox.Cli("shell", "install", "--for", "dolphin"));
        var menu = Path.Combine(sandbox.DataHome, "kio", "servicemenus", "linksmith-verify.desktop");
        Assert.True((File.GetUnixFileMode(menu) & UnixFileMode.UserExecute) != 0);
        Assert.Equal("inode/directory;", FileManagerExpansion.KeyFileValue(menu, "Desktop Entry", "MimeType"));
        Assert.Equal("Verify snapshots", FileManagerExpansion.KeyFileValue(menu, "Desktop Action verify", "Name"));
        var argv = FileManagerExpansion.DesktopExec(FileManagerExpansion.KeyFileValue(menu, "Desktop Action verify", "Exec"), [repository]);
        Assert.Equal(["snapshots", "verify", "--notify", "--", repository], argv.Skip(argv.Count - 5));

        AssertSucceeded(sandbox.Run(argv));

        Assert.Contains("every file as recorded", Notifications, StringComparison.Ordinal);
        AssertSucceeded(sandbox.Cli("shell", "uninstall", "--for", "dolphin"));
        Assert.False(File.Exists(menu));
    }

    [Fact]
    public void Thunar_has_a_verify_action_on_folders()
    {
        Platform.RequireLinux();
        var repository = Repository();
        AssertSucceeded(sandbox.Cli("shell", "install", "--for", "thunar"));
        var uca = Path.Combine(sandbox.ConfigHome, "Thunar", "uca.xml");
        var verify = XDocument.Load(uca).Root!.Elements("action").Single(action => action.Element("unique-id")!.Value == "linksmith-verify");
        Assert.Equal("Verify snapshots", verify.Element("name")!.Value);
        Assert.NotNull(verify.Element("directories"));
        Assert.Null(verify.Element("other-files"));
        Corrupt(repository);

        var failed = sandbox.Run(FileManagerExpansion.Thunar(verify.Element("command")!.Value, [repository]));

        Assert.Equal(1, failed.ExitCode);
        Assert.Contains("1 corrupt", Notifications, StringComparison.Ordinal);
    }

    private static void AssertSucceeded(ProcessResult result) => Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}\n{result.Out}\n{result.Error}");
}
