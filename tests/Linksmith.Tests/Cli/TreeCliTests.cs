using System.Text.Json;

namespace Linksmith.Tests.Cli;

public sealed class TreeCliTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Copy_prints_a_summary_and_exits_0()
    {
        temp.File("src/a.txt", "a");
        temp.File("src/sub/b.txt", "b");

        var result = CliRunner.Run(temp.Path, "copy", "src", "dst");

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"copied\s+2 files", result.Out);
        Assert.Equal("b", File.ReadAllText(temp["dst/sub/b.txt"]));
    }

    [Fact]
    public void Copy_json_gives_the_summary_fields_scripts_rely_on()
    {
        temp.File("src/a.txt", "abc");
        Link.CreateHardLink(temp["src/b.txt"], temp["src/a.txt"]);
        File.CreateSymbolicLink(temp["src/link"], "a.txt");

        var result = CliRunner.Run(temp.Path, "copy", "--json", "src", "dst");

        using var document = JsonDocument.Parse(result.Out);
        var root = document.RootElement;
        Assert.Equal(1, root.GetProperty("copied").GetInt32());
        Assert.Equal(1, root.GetProperty("linked").GetInt32());
        Assert.Equal(1, root.GetProperty("symlinked").GetInt32());
        Assert.Equal(3, root.GetProperty("bytes").GetInt32());
        Assert.Equal(0, root.GetProperty("deleted").GetInt32());
        Assert.Equal(0, root.GetProperty("skipped").GetInt32());
        Assert.Equal(0, root.GetProperty("errors").GetArrayLength());
    }

    [Fact]
    public void Copying_a_directory_into_itself_exits_1_and_says_why()
    {
        temp.File("src/a.txt");

        var result = CliRunner.Run(temp.Path, "copy", "src", "src/inside");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("linksmith: error: src/inside: is inside the source 'src'", result.Error, StringComparison.Ordinal);
        Assert.False(Path.Exists(temp["src/inside"]));
    }

    [Fact]
    public void A_missing_source_exits_1()
    {
        var result = CliRunner.Run(temp.Path, "mirror", "missing", "dst");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("linksmith: error: missing: no such file or directory", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_outer_policy_exits_2()
    {
        var result = CliRunner.Run(temp.Path, "copy", "--outer", "sideways", "src", "dst");

        Assert.Equal(2, result.ExitCode);
    }

    [Fact]
    public void Mirror_dry_run_prints_every_deletion_and_changes_nothing()
    {
        temp.File("src/keep.txt");
        temp.File("dst/keep.txt");
        temp.File("dst/old/gone.txt");
        File.SetLastWriteTimeUtc(temp["dst/keep.txt"], File.GetLastWriteTimeUtc(temp["src/keep.txt"]));
        var before = TreeSnapshot.Take(temp.Path);

        var result = CliRunner.Run(temp.Path, "mirror", "--dry-run", "src", "dst");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(before, TreeSnapshot.Take(temp.Path));
        Assert.Contains($"would delete file {temp["dst/old/gone.txt"]}", result.Out, StringComparison.Ordinal);
        Assert.Contains($"would delete directory {temp["dst/old"]}", result.Out, StringComparison.Ordinal);
        Assert.Contains("dry run: nothing was changed", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Backup_keep_must_be_positive()
    {
        var result = CliRunner.Run(temp.Path, "backup", "--keep", "0", "src", "repo");

        Assert.Equal(2, result.ExitCode);
    }

    [Fact]
    public void Backup_reports_its_snapshot()
    {
        temp.File("src/a.txt");

        var result = CliRunner.Run(temp.Path, "backup", "--json", "src", "repo");

        using var document = JsonDocument.Parse(result.Out);
        var snapshot = document.RootElement.GetProperty("snapshot").GetString()!;
        Assert.True(File.Exists(Path.Combine(snapshot, "a.txt")));
        Assert.Equal(temp["repo"], Path.GetDirectoryName(snapshot));
    }

    // A copy's file is made with the mode and group the kernel gives it, and set only where they
    // differ from the source's: whatever the umask, a set-group-ID folder or a default ACL says,
    // every file ends with the source's mode (and, as root, its group).
    [Theory]
    [InlineData("umask 077", "")]
    [InlineData("umask 022", "")]
    [InlineData("umask 002", "chgrp 4242 into && chmod 2775 into")]
    [InlineData("umask 022", "setfacl -d -m u:nobody:rwx,g::rwx,o::rwx into")]
    public void Copied_files_keep_the_source_mode_and_group_whatever_the_umask_or_folder_says(string umask, string prepareFolder)
    {
        Platform.RequireLinux("umask, set-group-ID folders and POSIX ACLs are Linux's");
        if (prepareFolder.StartsWith("setfacl", StringComparison.Ordinal) && Processes.Run("sh", ["-c", "command -v setfacl"]).ExitCode != 0)
        {
            Assert.Skip("needs setfacl (package acl) to give the folder a default ACL");
        }

        if (prepareFolder.StartsWith("chgrp", StringComparison.Ordinal) && !Platform.IsRoot)
        {
            Assert.Skip("needs root to give the folder a group the user is not in");
        }

        string[] modes = ["644", "755", "600", "640", "444", "700", "666", "777", "4755", "2750"];
        foreach (var mode in modes)
        {
            temp.File($"src/d/f{mode}", mode);
        }

        var groups = Platform.IsRoot ? new[] { "0", "4242", "100" } : [];
        var script = string.Join(" && ", modes.Select((mode, i) => $"chmod {mode} src/d/f{mode}"
            + (groups.Length > 0 ? $" && chown 0:{groups[i % groups.Length]} src/d/f{mode}" : string.Empty)));
        Directory.CreateDirectory(temp["into"]);
        var result = CliRunner.RunInBash(temp.Path, $"{script} && {(prepareFolder.Length > 0 ? prepareFolder + " && " : string.Empty)}{umask} && $LINKSMITH copy src into/out");

        Assert.True(result.ExitCode == 0, result.Error);
        foreach (var mode in modes)
        {
            var source = Processes.Run("stat", ["-c", "%a %u %g", temp[$"src/d/f{mode}"]]).Out.Trim();
            var copy = Processes.Run("stat", ["-c", "%a %u %g", temp[$"into/out/d/f{mode}"]]).Out.Trim();
            Assert.Equal(source, copy);
        }
    }
}
