namespace Linksmith.Tests.Shell;

/// <summary>With --notify (what the menu entries pass), results and failures reach the user as desktop notifications.</summary>
// Linux only: notify-send and zenity. The Wine pass (.ci/wine-tests.sh) leaves out this trait.
[Trait("Platform", "Linux")]
public sealed class DesktopFeedbackTests : IDisposable
{
    private readonly DesktopSandbox sandbox = new();

    public void Dispose() => sandbox.Dispose();

    private string Notifications => File.Exists(sandbox.NotificationLog) ? File.ReadAllText(sandbox.NotificationLog) : string.Empty;

    [Fact]
    public void A_failed_drop_is_never_silent()
    {
        Platform.RequireLinux();
        sandbox.FakeTool("notify-send", sandbox.NotificationLog);
        var destination = sandbox.Temp.Dir("dest");

        var result = sandbox.Cli("drop", "--notify", "--as", "symlink", destination);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--urgency=critical", Notifications, StringComparison.Ordinal);
        Assert.Contains("nothing is picked, so there is nothing to drop", Notifications, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hard_link_onto_another_volume_is_reported_with_the_symbolic_link_remedy()
    {
        Platform.RequireLinux();
        var otherVolume = sandbox.Temp.TryMountTmpfs("other-volume");
        if (otherVolume is null)
        {
            Assert.Skip("needs root to mount a tmpfs as a second volume");
        }

        sandbox.FakeTool("notify-send", sandbox.NotificationLog);
        var file = sandbox.Temp.File("data.bin", "data");
        Assert.Equal(0, sandbox.Cli("pick", file).ExitCode);

        var result = sandbox.Cli("drop", "--notify", "--as", "hardlink", otherVolume);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("another volume", Notifications, StringComparison.Ordinal);
        Assert.Contains("symlink", Notifications, StringComparison.Ordinal);
        Assert.Contains(file, sandbox.Cli("picked").Out, StringComparison.Ordinal);
    }

    [Fact]
    public void A_successful_drop_says_what_was_done()
    {
        Platform.RequireLinux();
        sandbox.FakeTool("notify-send", sandbox.NotificationLog);
        var file = sandbox.Temp.File("notes.txt", "notes");
        var destination = sandbox.Temp.Dir("dest");
        Assert.Equal(0, sandbox.Cli("pick", file).ExitCode);

        var result = sandbox.Cli("drop", "--notify", "--as", "symlink", destination);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"Dropped 1 item as symbolic links into {destination}", Notifications, StringComparison.Ordinal);
        Assert.DoesNotContain("critical", Notifications, StringComparison.Ordinal);
    }

    [Fact]
    public void A_delete_from_a_menu_says_what_went()
    {
        Platform.RequireLinux();
        sandbox.FakeTool("notify-send", sandbox.NotificationLog);
        sandbox.Temp.File("photos/a.jpg", "jpeg");
        sandbox.Temp.File("photos/b.jpg", "jpeg");

        var result = sandbox.Cli("delete", "--notify", sandbox.Temp["photos"]);

        Assert.Equal(0, result.ExitCode);
        Assert.False(Directory.Exists(sandbox.Temp["photos"]));
        Assert.Contains("Deleted photos: 3 entries, 8 B freed", Notifications, StringComparison.Ordinal);
        Assert.DoesNotContain("critical", Notifications, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failed_delete_is_never_silent_and_the_rest_still_goes()
    {
        Platform.RequireLinux();
        sandbox.FakeTool("notify-send", sandbox.NotificationLog);
        var file = sandbox.Temp.File("notes.txt", "notes");

        var result = sandbox.Cli("delete", "--notify", sandbox.Temp["missing"], "sftp://host/home/me/x", file);

        Assert.Equal(1, result.ExitCode);
        Assert.False(File.Exists(file));
        Assert.Contains("--urgency=critical", Notifications, StringComparison.Ordinal);
        Assert.Contains($"{sandbox.Temp["missing"]}: no such file or directory", Notifications, StringComparison.Ordinal);
        Assert.Contains("sftp://host/home/me/x: is not a file on this computer", Notifications, StringComparison.Ordinal);
    }

    [Fact]
    public void A_long_delete_shows_a_progress_window()
    {
        Platform.RequireLinux();
        sandbox.FakeTool("notify-send", sandbox.NotificationLog);
        var zenityLog = sandbox.Temp["zenity.log"];
        File.WriteAllText(Path.Combine(sandbox.Bin, "zenity"), $"#!/bin/sh\nprintf '%s\\n' \"$@\" >> '{zenityLog}'\ncat >> '{zenityLog}'\n");
        File.SetUnixFileMode(Path.Combine(sandbox.Bin, "zenity"), (UnixFileMode)0b111_101_101);
        var tree = sandbox.Temp.Dir("big");
        for (var i = 0; i < 50; i++)
        {
            File.WriteAllText(Path.Combine(tree, $"file{i:000}.txt"), "data");
        }

        var environment = sandbox.Environment();
        environment["LINKSMITH_TEST_PROGRESS_DELAY_MS"] = "0";

        var result = CliRunner.RunWithEnvironment(sandbox.Temp.Path, environment, "delete", "--notify", tree);

        Assert.Equal(0, result.ExitCode);
        var zenity = File.ReadAllText(zenityLog);
        Assert.Contains("--progress", zenity, StringComparison.Ordinal);
        Assert.Contains("Deleting 1 item", zenity, StringComparison.Ordinal);
        Assert.Contains("Deleted big: 51 entries", Notifications, StringComparison.Ordinal);
    }

    [Fact]
    public void A_burst_of_pickers_shows_one_notification_with_the_total()
    {
        Platform.RequireLinux();
        sandbox.FakeTool("notify-send", sandbox.NotificationLog);
        var files = Enumerable.Range(1, 5).Select(i => sandbox.Temp.File($"item{i}.txt", "x")).ToList();

        Parallel.ForEach(files, file => Assert.Equal(0, sandbox.Cli("pick", "--notify", file).ExitCode));

        var notifications = Notifications.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(notifications, text => text.Contains("5 link sources picked", StringComparison.Ordinal));
        Assert.True(notifications.Length < files.Count, Notifications);
    }

    [Fact]
    public void A_long_drop_shows_a_progress_window()
    {
        Platform.RequireLinux();
        sandbox.FakeTool("notify-send", sandbox.NotificationLog);
        var zenityLog = sandbox.Temp["zenity.log"];
        // The fake zenity records its arguments and everything the drop writes to it.
        File.WriteAllText(Path.Combine(sandbox.Bin, "zenity"), $"#!/bin/sh\nprintf '%s\\n' \"$@\" >> '{zenityLog}'\ncat >> '{zenityLog}'\n");
        File.SetUnixFileMode(Path.Combine(sandbox.Bin, "zenity"), (UnixFileMode)0b111_101_101);
        var tree = sandbox.Temp.Dir("big");
        for (var i = 0; i < 50; i++)
        {
            File.WriteAllText(Path.Combine(tree, $"file{i:000}.txt"), "data");
        }

        var destination = sandbox.Temp.Dir("dest");
        Assert.Equal(0, sandbox.Cli("pick", tree).ExitCode);
        var environment = sandbox.Environment();
        // The window normally waits a second, so quick drops show none; the test cannot wait that long.
        environment["LINKSMITH_TEST_PROGRESS_DELAY_MS"] = "0";

        var result = CliRunner.RunWithEnvironment(sandbox.Temp.Path, environment, "drop", "--notify", "--as", "copy", destination);

        Assert.Equal(0, result.ExitCode);
        var zenity = File.ReadAllText(zenityLog);
        Assert.Contains("--progress", zenity, StringComparison.Ordinal);
        Assert.Contains("100", zenity, StringComparison.Ordinal);
        Assert.Contains("Dropped 1 item as copies", Notifications, StringComparison.Ordinal);
    }
}
