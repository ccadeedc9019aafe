using System.Text.Json;

namespace Linksmith.Tests.Cli;

public sealed class DeleteCliTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Delete_removes_a_tree_and_only_the_links_inside_it_never_what_they_point_to()
    {
        temp.File("tree/sub/a.txt", "a");
        temp.File("outside/keep.txt", "keep");
        File.CreateSymbolicLink(temp["tree/sub/out"], temp["outside"]);
        File.CreateSymbolicLink(temp["tree/keep"], "../outside/keep.txt");

        var result = CliRunner.Run(temp.Path, "delete", "tree");

        Assert.Equal(0, result.ExitCode);
        Assert.False(Directory.Exists(temp["tree"]));
        Assert.Equal("keep", File.ReadAllText(temp["outside/keep.txt"]));
        Assert.Contains("deleted 5 entries", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Delete_of_a_link_removes_the_link_alone()
    {
        temp.File("dir/a.txt");
        File.CreateSymbolicLink(temp["link"], temp["dir"]);

        var result = CliRunner.Run(temp.Path, "delete", "link");

        Assert.Equal(0, result.ExitCode);
        Assert.False(File.Exists(temp["link"]) || Directory.Exists(temp["link"]));
        Assert.True(File.Exists(temp["dir/a.txt"]));
    }

    [Fact]
    public void A_dry_run_lists_every_entry_and_changes_nothing()
    {
        temp.File("tree/a.txt", "abc");
        temp.File("tree/sub/b.txt", "de");

        var result = CliRunner.Run(temp.Path, "delete", "--dry-run", "tree");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"would delete file {temp["tree/sub/b.txt"]}", result.Out, StringComparison.Ordinal);
        Assert.Contains($"would delete directory {temp["tree"]}", result.Out, StringComparison.Ordinal);
        Assert.Contains("would delete 4 entries, 5 B", result.Out, StringComparison.Ordinal);
        Assert.True(File.Exists(temp["tree/sub/b.txt"]));
    }

    [Fact]
    public void Json_reports_what_was_deleted_and_the_bytes_freed()
    {
        temp.File("tree/a.txt", "abc");
        Link.CreateHardLink(temp["other-name"], temp["tree/a.txt"]);
        temp.File("tree/b.txt", "12345");

        var result = CliRunner.Run(temp.Path, "delete", "--json", "tree");

        Assert.Equal(0, result.ExitCode);
        using var document = JsonDocument.Parse(result.Out);
        var root = document.RootElement;
        Assert.False(root.GetProperty("dryRun").GetBoolean());
        Assert.Equal(3, root.GetProperty("deleted").GetInt32());
        // a.txt keeps its data under its other name: only b.txt's bytes are freed.
        Assert.Equal(5, root.GetProperty("bytes").GetInt32());
        Assert.Equal(0, root.GetProperty("errors").GetArrayLength());
    }

    [Fact]
    public void The_root_and_the_home_directory_are_refused_with_exit_1()
    {
        Platform.SkipOnWindows("the test's home is set with HOME, which Windows does not read (USERPROFILE), and its root is '/'");
        var home = temp.Dir("home");

        var result = CliRunner.RunWithEnvironment(temp.Path, new Dictionary<string, string> { ["HOME"] = home }, "delete", "/", home, "--dry-run");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("linksmith: error: /: is the root of a file system", result.Error, StringComparison.Ordinal);
        Assert.Contains($"linksmith: error: {home}: is your home directory", result.Error, StringComparison.Ordinal);
        Assert.True(Directory.Exists(home));
    }

    [Fact]
    public void A_missing_path_is_an_error_and_the_others_are_still_deleted()
    {
        temp.File("a.txt");

        var result = CliRunner.Run(temp.Path, "delete", "missing", "a.txt");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("linksmith: error: missing: no such file or directory", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(temp["a.txt"]));
    }

    [Fact]
    public void A_file_uri_names_the_local_file_it_encodes_and_another_scheme_is_refused()
    {
        // A Windows name cannot hold a double quote or a newline; there the URI of C:\dir is file:///C:/dir.
        var file = OperatingSystem.IsWindows() ? temp.File("it's 100% odd name.txt") : temp.File("it's 100% \"odd\"\nname.txt");
        var uri = OperatingSystem.IsWindows()
            ? FileManagerExpansion.GioFileUri("/" + file.Replace('\\', '/'))
            : FileManagerExpansion.GioFileUri(file).Replace("%0A", "%0a", StringComparison.Ordinal);

        var result = CliRunner.Run(temp.Path, "delete", uri, "smb://server/share/a.txt");

        Assert.Equal(1, result.ExitCode);
        Assert.False(File.Exists(file));
        Assert.Contains("linksmith: error: smb://server/share/a.txt: is not a file on this computer; refusing to delete it", result.Error, StringComparison.Ordinal);
        Assert.Contains("1 errors", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Nothing_to_delete_is_a_usage_error()
    {
        var result = CliRunner.Run(temp.Path, "delete");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("linksmith: error: nothing to delete", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Entries_in_read_only_folders_the_user_owns_are_deleted()
    {
        Platform.SkipOnWindows("no Unix mode bits, so a folder cannot be made read-only with chmod (File.SetUnixFileMode throws)");
        temp.File("tree/locked/a.txt");
        File.SetUnixFileMode(temp["tree/locked"], UnixFileMode.UserRead | UnixFileMode.UserExecute);

        var result = CliRunner.Run(temp.Path, "delete", "tree");

        Assert.Equal(0, result.ExitCode);
        Assert.False(Directory.Exists(temp["tree"]));
    }
}
