using System.Text.Json;
using Linksmith.Tests.Trees;

namespace Linksmith.Tests.Backups;

/// <summary>
/// <c>snapshots restore REPO SNAPSHOT/PATH DEST</c> where PATH is one file or symbolic link: it goes
/// into DEST under its own name, as <c>cp FILE DIR</c> and rsync put it, through the real CLI.
/// </summary>
public sealed class RestoreEntryTests : IDisposable
{
    private static readonly DateTime Then = new(2020, 5, 17, 8, 30, 0, DateTimeKind.Utc);

    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void One_file_is_restored_into_DEST_under_its_own_name_as_a_copy_with_its_time()
    {
        temp.File("src/docs/report.txt", "quarterly figures");
        temp.File("src/docs/other.txt", "not asked for");
        File.SetLastWriteTimeUtc(temp["src/docs/report.txt"], Then);
        Backup();
        // Two snapshots: the file in the newest is a hard link to the older one's.
        var snapshot = Backup();

        var result = CliRunner.Run(temp.Path, "snapshots", "restore", "repo", Path.GetFileName(snapshot) + "/docs/report.txt", "out", "--json");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal(["report.txt"], TempDirectory.Names(temp["out"]));
        Assert.Equal("quarterly figures", File.ReadAllText(temp["out/report.txt"]));
        Assert.Equal(Then, File.GetLastWriteTimeUtc(temp["out/report.txt"]));
        Assert.NotEqual(FixtureTree.Identity(Path.Combine(snapshot, "docs", "report.txt")), FixtureTree.Identity(temp["out/report.txt"]));
        using var report = JsonDocument.Parse(result.Out);
        Assert.Equal(1, report.RootElement.GetProperty("copied").GetInt64());
        Assert.Equal(17, report.RootElement.GetProperty("bytes").GetInt64());
        Assert.Equal(0, report.RootElement.GetProperty("warnings").GetArrayLength());
    }

    [Fact]
    public void Restoring_a_file_again_leaves_an_unchanged_one_alone_and_replaces_a_changed_one()
    {
        temp.File("src/a.txt", "from the snapshot");
        var snapshot = Path.GetFileName(Backup());
        temp.File("out/keep.txt", "the user's own");
        Assert.Equal(0, CliRunner.Run(temp.Path, "snapshots", "restore", "repo", snapshot + "/a.txt", "out").ExitCode);

        var again = CliRunner.Run(temp.Path, "snapshots", "restore", "repo", snapshot + "/a.txt", "out", "--json");
        File.WriteAllText(temp["out/a.txt"], "edited since");
        var replaced = CliRunner.Run(temp.Path, "snapshots", "restore", "repo", snapshot + "/a.txt", "out", "--json");

        Assert.Equal(0, again.ExitCode);
        Assert.Equal(0, JsonDocument.Parse(again.Out).RootElement.GetProperty("copied").GetInt64());
        Assert.Equal(1, JsonDocument.Parse(again.Out).RootElement.GetProperty("unchanged").GetInt64());
        Assert.Equal(0, replaced.ExitCode);
        Assert.Equal(1, JsonDocument.Parse(replaced.Out).RootElement.GetProperty("copied").GetInt64());
        Assert.Equal("from the snapshot", File.ReadAllText(temp["out/a.txt"]));
        Assert.Equal("the user's own", File.ReadAllText(temp["out/keep.txt"]));
    }

    [Fact]
    public void A_dry_run_of_a_file_restore_says_what_it_would_copy_and_creates_nothing()
    {
        temp.File("src/d/a.txt", "alpha");
        var snapshot = Backup();

        var text = CliRunner.Run(temp.Path, "snapshots", "restore", "repo", Path.GetFileName(snapshot) + "/d/a.txt", "out", "--dry-run");
        var json = CliRunner.Run(temp.Path, "snapshots", "restore", "repo", Path.GetFileName(snapshot) + "/d/a.txt", "out", "--dry-run", "--json");

        Assert.Equal(0, text.ExitCode);
        Assert.Contains($"would copy {Path.Combine(snapshot, "d", "a.txt")} -> {temp["out/a.txt"]}", text.Out, StringComparison.Ordinal);
        Assert.Equal(0, json.ExitCode);
        using var report = JsonDocument.Parse(json.Out);
        Assert.True(report.RootElement.GetProperty("dryRun").GetBoolean());
        var plan = report.RootElement.GetProperty("plan").EnumerateArray().Select(a => (a.GetProperty("action").GetString(), a.GetProperty("path").GetString())).ToList();
        Assert.Equal([("createDirectory", temp["out"]), ("copy", temp["out/a.txt"])], plan);
        Assert.False(Directory.Exists(temp["out"]));
    }

    [Fact]
    public void A_file_restored_into_an_existing_folder_leaves_the_folders_own_time_alone()
    {
        temp.File("src/a.txt", "alpha");
        Directory.SetLastWriteTimeUtc(temp["src"], Then);
        var snapshot = Path.GetFileName(Backup());
        Assert.Equal(Then, Directory.GetLastWriteTimeUtc(Path.Combine(temp["repo"], snapshot)));
        temp.Dir("home");

        var result = CliRunner.Run(temp.Path, "snapshots", "restore", "repo", snapshot + "/a.txt", "home");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal("alpha", File.ReadAllText(temp["home/a.txt"]));
        // A folder restore puts the snapshot folder's time on DEST; one file's restore does not.
        Assert.NotEqual(Then, Directory.GetLastWriteTimeUtc(temp["home"]));
    }

    [Fact]
    public void A_file_restore_into_a_DEST_that_is_a_file_or_of_a_missing_path_fails_naming_the_path()
    {
        temp.File("src/a.txt", "alpha");
        var snapshot = Path.GetFileName(Backup());
        temp.File("taken", "a file, not a folder");

        var intoFile = CliRunner.Run(temp.Path, "snapshots", "restore", "repo", snapshot + "/a.txt", "taken");
        var missing = CliRunner.Run(temp.Path, "snapshots", "restore", "repo", snapshot + "/nothing.txt", "out");

        Assert.Equal(1, intoFile.ExitCode);
        Assert.StartsWith("linksmith: error: taken: ", intoFile.Error, StringComparison.Ordinal);
        Assert.Contains("restored into a folder", intoFile.Error, StringComparison.Ordinal);
        Assert.Equal("a file, not a folder", File.ReadAllText(temp["taken"]));
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("nothing.txt", missing.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(temp["out"]));
    }

    [Fact]
    public void A_symbolic_link_is_restored_as_the_link_with_its_own_text_never_what_it_points_to()
    {
        temp.File("src/d/f.txt", "target");
        TempDirectory.Symlink(temp["src/rel"], TempDirectory.Native("d/f.txt"));
        TempDirectory.Symlink(temp["src/dirlink"], "d");
        var snapshot = Path.GetFileName(Backup());

        var file = CliRunner.Run(temp.Path, "snapshots", "restore", "repo", snapshot + "/rel", "out", "--json");
        var folder = CliRunner.Run(temp.Path, "snapshots", "restore", "repo", snapshot + "/dirlink", "out");

        Assert.True(file.ExitCode == 0, file.Error);
        Assert.Equal(1, JsonDocument.Parse(file.Out).RootElement.GetProperty("symlinked").GetInt64());
        Assert.Equal(TempDirectory.Native("d/f.txt"), new FileInfo(temp["out/rel"]).LinkTarget);
        Assert.True(folder.ExitCode == 0, folder.Error);
        Assert.Equal("d", new FileInfo(temp["out/dirlink"]).LinkTarget);
        Assert.Equal(["dirlink", "rel"], TempDirectory.Names(temp["out"]).Order(StringComparer.Ordinal));
    }

    private string Backup()
    {
        var summary = TreeOperations.Run(new TreeJob { Kind = TreeJobKind.Backup, SourcePath = temp["src"], DestinationPath = temp["repo"] });
        Assert.Equal(0, summary.Errors);
        // Snapshot names have whole seconds: the next backup gets a name of its own (-2) either way.
        return summary.SnapshotPath!;
    }
}
