namespace Linksmith.Tests.Cli;


public sealed class CreatingLinksCliTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Symlink_stores_a_relative_target_by_default_and_confirms()
    {
        temp.File("data.txt");

        var result = CliRunner.Run(temp.Path, "symlink", "data.txt", "link");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("data.txt", new FileInfo(temp["link"]).LinkTarget);
        Assert.Contains($"created symlink {temp["link"]} -> data.txt", result.Out, StringComparison.Ordinal);
        Assert.Empty(result.Error);
    }

    [Fact]
    public void Symlink_absolute_stores_the_full_path()
    {
        temp.File("data.txt");

        var result = CliRunner.Run(temp.Path, "symlink", "--absolute", "data.txt", "link");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(temp["data.txt"], new FileInfo(temp["link"]).LinkTarget);
    }

    [Fact]
    public void Several_targets_and_a_directory_last_put_the_links_inside_it()
    {
        temp.File("one.txt");
        temp.File("two.txt");
        temp.Dir("links");

        var result = CliRunner.Run(temp.Path, "symlink", "one.txt", "two.txt", "links");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(TempDirectory.Native("../one.txt"), new FileInfo(temp["links/one.txt"]).LinkTarget);
        Assert.Equal(TempDirectory.Native("../two.txt"), new FileInfo(temp["links/two.txt"]).LinkTarget);
    }

    [Fact]
    public void Several_targets_without_a_directory_last_fail_with_exit_1()
    {
        temp.File("one.txt");
        temp.File("two.txt");

        var result = CliRunner.Run(temp.Path, "hardlink", "one.txt", "two.txt", "nothere");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("linksmith: error: nothere: no such directory", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(temp["nothere"]));
    }

    [Fact]
    public void A_symlink_to_a_directory_as_the_last_argument_is_the_name_not_a_folder_to_fill()
    {
        temp.File("data.txt");
        temp.Dir("dir");
        File.CreateSymbolicLink(temp["dirlink"], "dir");

        var result = CliRunner.Run(temp.Path, "symlink", "data.txt", "dirlink");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("dirlink: already exists (a symbolic link)", result.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(temp["dir"]));
    }

    [Fact]
    public void An_existing_name_fails_with_exit_1_and_a_hint_about_force()
    {
        temp.File("data.txt");
        temp.File("taken", "old");

        var result = CliRunner.Run(temp.Path, "symlink", "data.txt", "taken");

        Assert.Equal(1, result.ExitCode);
        var lines = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("linksmith: error: taken: already exists (a file)", lines[0]);
        Assert.StartsWith("hint: ", lines[1], StringComparison.Ordinal);
        Assert.Contains("--force", lines[1], StringComparison.Ordinal);
        Assert.Equal("old", File.ReadAllText(temp["taken"]));
    }

    [Fact]
    public void Force_replaces_an_existing_file()
    {
        temp.File("data.txt", "new");
        temp.File("taken", "old");

        var result = CliRunner.Run(temp.Path, "hardlink", "--force", "data.txt", "taken");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(Link.Inspect(temp["data.txt"]).Identity, Link.Inspect(temp["taken"]).Identity);
        Assert.Contains("(replacing a file)", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Force_never_replaces_a_non_empty_directory()
    {
        temp.File("data.txt");
        temp.File("dir/data.txt/keep.txt");

        // "dir" is a real directory, so the link's name is dir/data.txt, which is a non-empty directory.
        var result = CliRunner.Run(temp.Path, "symlink", "--force", "data.txt", "dir");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(TempDirectory.Native("dir/data.txt") + ": is a non-empty directory", result.Error, StringComparison.Ordinal);
        Assert.True(File.Exists(temp["dir/data.txt/keep.txt"]));
    }

    [Fact]
    public void A_hard_link_across_file_systems_exits_3_with_a_clear_error()
    {
        var other = temp.OtherVolume("other");
        temp.File("data.txt");
        var link = Path.Combine(other, "link");

        var result = CliRunner.Run(temp.Path, "hardlink", "data.txt", link);

        Assert.Equal(3, result.ExitCode);
        Assert.StartsWith($"linksmith: error: {link}: cannot hard-link to 'data.txt': it is on another volume", result.Error, StringComparison.Ordinal);
        Assert.Contains("linksmith symlink", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(other, "link")));
    }

    [Fact]
    public void A_hard_link_to_a_missing_file_exits_1()
    {
        var result = CliRunner.Run(temp.Path, "hardlink", "missing", "link");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("linksmith: error: missing: no such file or directory", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_junction_off_Windows_is_a_directory_symlink_with_a_notice_and_strict_exits_3()
    {
        Platform.SkipOnWindows("checks the stand-in for a junction off Windows; WindowsCliTests checks real junctions");
        temp.Dir("dir");

        var loose = CliRunner.Run(temp.Path, "junction", "dir", "j");
        var strict = CliRunner.Run(temp.Path, "junction", "--strict", "dir", "k");

        Assert.Equal(0, loose.ExitCode);
        Assert.Equal(temp["dir"], new DirectoryInfo(temp["j"]).LinkTarget);
        Assert.Contains("junctions exist only on Windows", loose.Error, StringComparison.Ordinal);
        Assert.Equal(3, strict.ExitCode);
        Assert.False(Path.Exists(temp["k"]));
    }

    [Fact]
    public void Dry_run_prints_the_plan_and_changes_nothing()
    {
        temp.File("data.txt");
        temp.File("taken");
        temp.Dir("dir");
        var before = TreeSnapshot.Take(temp.Path);

        var symlink = CliRunner.Run(temp.Path, "symlink", "--dry-run", "data.txt", "link");
        var hardlink = CliRunner.Run(temp.Path, "hardlink", "-n", "--force", "data.txt", "taken");
        var junction = CliRunner.Run(temp.Path, "junction", "--dry-run", "dir", "j");
        var mklink = CliRunner.Run(temp.Path, "mklink", "/H", "--dry-run", "h", "data.txt");
        var unlink = CliRunner.Run(temp.Path, "unlink", "--dry-run", "taken");

        Assert.Equal(before, TreeSnapshot.Take(temp.Path));
        Assert.Equal($"would create symlink {temp["link"]} -> data.txt\n", symlink.Out);
        Assert.Equal($"would create hard link {temp["taken"]} => {temp["data.txt"]} (replacing a file)\n", hardlink.Out);
        Assert.StartsWith(OperatingSystem.IsWindows() ? "would create junction" : "would create directory symlink (for a junction)", junction.Out, StringComparison.Ordinal);
        Assert.StartsWith("would create hard link", mklink.Out, StringComparison.Ordinal);
        Assert.Equal(1, unlink.ExitCode);
        Assert.All([symlink, hardlink, junction, mklink], r => Assert.Equal(0, r.ExitCode));
    }

    [Fact]
    public void Dry_run_with_json_prints_the_plan_as_json()
    {
        temp.File("data.txt");

        var result = CliRunner.Run(temp.Path, "symlink", "--dry-run", "--json", "data.txt", "link");

        using var document = System.Text.Json.JsonDocument.Parse(result.Out);
        Assert.True(document.RootElement.GetProperty("dryRun").GetBoolean());
        var link = document.RootElement.GetProperty("links")[0];
        Assert.Equal(temp["link"], link.GetProperty("path").GetString());
        Assert.Equal("data.txt", link.GetProperty("target").GetString());
        Assert.False(Path.Exists(temp["link"]));
    }
}
