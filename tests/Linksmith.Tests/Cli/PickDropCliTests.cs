using System.Text.Json;

namespace Linksmith.Tests.Cli;

/// <summary><c>pick</c>, <c>picked</c> and <c>drop</c>, run as the real CLI with its own state database.</summary>
public sealed class PickDropCliTests : IDisposable
{
    private readonly DesktopSandbox sandbox = new();

    public void Dispose() => sandbox.Dispose();

    private TempDirectory Temp => sandbox.Temp;

    private ProcessResult Run(params string[] arguments) => sandbox.Cli(arguments);

    private List<string> Picked()
    {
        var result = Run("picked", "--json");
        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Out);
        return json.RootElement.GetProperty("picks").EnumerateArray().Select(pick => pick.GetProperty("path").GetString()!).ToList();
    }

    [Fact]
    public void State_shows_where_the_database_is_and_what_it_holds_without_making_it()
    {
        var before = Run("state", "--json");
        Temp.File("a.txt");
        Temp.File("b.txt");
        Run("pick", "a.txt");
        Run("pick", "b.txt");
        Temp.File("tree/one", "same text");
        Temp.File("tree/two", "same text");
        Assert.Equal(0, Run("dedupe", "tree").ExitCode);

        var after = Run("state", "--json");
        var text = Run("state");

        Assert.Equal((0, 0, 0), (before.ExitCode, after.ExitCode, text.ExitCode));
        var empty = JsonDocument.Parse(before.Out).RootElement;
        var path = empty.GetProperty("path").GetString()!;
        Assert.False(empty.GetProperty("exists").GetBoolean());
        Assert.EndsWith("state.db", path, StringComparison.Ordinal);
        var full = JsonDocument.Parse(after.Out).RootElement;
        Assert.Equal(path, full.GetProperty("path").GetString());
        Assert.True(File.Exists(path));
        Assert.Equal(new FileInfo(path).Length + (File.Exists(path + "-wal") ? new FileInfo(path + "-wal").Length : 0), full.GetProperty("sizeBytes").GetInt64());
        Assert.Equal(2, full.GetProperty("picks").GetProperty("count").GetInt64());
        Assert.True(full.GetProperty("picks").GetProperty("oldest").GetDateTimeOffset() <= full.GetProperty("picks").GetProperty("newest").GetDateTimeOffset());
        Assert.Equal(0, full.GetProperty("moves").GetProperty("count").GetInt64());
        Assert.Equal(2, full.GetProperty("cachedHashes").GetProperty("count").GetInt64());
        Assert.StartsWith($"{path}: ", text.Out, StringComparison.Ordinal);
        Assert.Contains("  picks: 2 (oldest ", text.Out, StringComparison.Ordinal);
        Assert.Contains("  cached hashes: 2\n", text.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void State_clear_deletes_the_cached_hashes_only_and_its_dry_run_nothing()
    {
        Temp.File("a.txt");
        Run("pick", "a.txt");
        Temp.File("tree/one", "same text");
        Temp.File("tree/two", "same text");
        Assert.Equal(0, Run("dedupe", "tree").ExitCode);

        var dry = Run("state", "--clear", "--dry-run");
        var afterDry = JsonDocument.Parse(Run("state", "--json").Out).RootElement;
        var cleared = Run("state", "--clear", "--json");
        var alone = Run("state", "--dry-run");

        Assert.Equal((0, 0, 2), (dry.ExitCode, cleared.ExitCode, alone.ExitCode));
        Assert.StartsWith("would delete 2 cached hashes\n", dry.Out, StringComparison.Ordinal);
        Assert.Equal(2, afterDry.GetProperty("cachedHashes").GetProperty("count").GetInt64());
        var after = JsonDocument.Parse(cleared.Out).RootElement;
        Assert.Equal((false, 2L), (after.GetProperty("dryRun").GetBoolean(), after.GetProperty("clearedHashes").GetInt64()));
        Assert.Equal(0, after.GetProperty("cachedHashes").GetProperty("count").GetInt64());
        Assert.Equal(1, after.GetProperty("picks").GetProperty("count").GetInt64());
        Assert.Contains("linksmith: error: --dry-run goes with --clear", alone.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_path_picked_twice_is_listed_once_and_picked_shows_the_picks_in_order()
    {
        var first = Temp.File("a.txt");
        var second = Temp.Dir("folder");

        Assert.Equal(0, Run("pick", "a.txt", "folder/").ExitCode);
        var again = Run("pick", first);

        Assert.Equal(0, again.ExitCode);
        Assert.Contains($"already picked {first}", again.Out, StringComparison.Ordinal);
        Assert.Equal([first, second], Picked());
        Assert.Equal($"{first}\n{second}\n", Run("picked").Out);
    }

    [Fact]
    public void Twenty_pickers_at_once_lose_nothing()
    {
        var files = Enumerable.Range(1, 20).Select(i => Temp.File($"item {i:00}.txt", "x")).ToList();

        var results = new ProcessResult[files.Count];
        Parallel.For(0, files.Count, new ParallelOptions { MaxDegreeOfParallelism = files.Count }, i => results[i] = Run("pick", files[i]));

        Assert.All(results, result => Assert.True(result.ExitCode == 0, result.Error));
        Assert.Equal(files.Order(StringComparer.Ordinal), Picked().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_missing_path_is_reported_and_the_others_are_picked()
    {
        var file = Temp.File("here.txt");

        var result = Run("pick", "gone.txt", "here.txt");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("linksmith: error: gone.txt: no such file or directory", result.Error, StringComparison.Ordinal);
        Assert.Equal([file], Picked());
    }

    [Fact]
    public void Drop_with_nothing_picked_exits_1_saying_so()
    {
        Temp.Dir("dest");

        var result = Run("drop", "dest", "--as", "symlink");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("nothing is picked", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Taken_names_get_link_suffixes_before_the_extension_and_a_drop_clears_the_picks()
    {
        var file = Temp.File("src/report.final.txt", "report");
        var folder = Temp.Dir("src/photos");
        var dotfile = Temp.File("src/.bashrc", "rc");
        Temp.File("dest/report.final.txt", "someone else's");
        Temp.File("dest/report.final - Link.txt", "taken too");
        Temp.Dir("dest/photos");
        Temp.File("dest/.bashrc", "mine");
        Assert.Equal(0, Run("pick", file, folder, dotfile).ExitCode);

        var result = Run("drop", "dest", "--as", "symlink");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(file, Link.Inspect(Temp["dest/report.final - Link (2).txt"]).ResolvedTarget);
        Assert.Equal(folder, Link.Inspect(Temp["dest/photos - Link"]).ResolvedTarget);
        Assert.Equal(dotfile, Link.Inspect(Temp["dest/.bashrc - Link"]).ResolvedTarget);
        Assert.Equal("someone else's", File.ReadAllText(Temp["dest/report.final.txt"]));
        Assert.Empty(Picked());
    }

    [Fact]
    public void Two_picks_with_the_same_name_do_not_collide()
    {
        var first = Temp.File("one/notes.txt", "1");
        var second = Temp.File("two/notes.txt", "2");
        Temp.Dir("dest");
        Assert.Equal(0, Run("pick", first, second).ExitCode);

        Assert.Equal(0, Run("drop", "dest", "--as", "hardlink").ExitCode);

        Assert.Equal("1", File.ReadAllText(Temp["dest/notes.txt"]));
        Assert.Equal("2", File.ReadAllText(Temp["dest/notes - Link.txt"]));
        Assert.Equal(2, Link.Inspect(first).LinkCount);
    }

    [Fact]
    public void Dropping_as_move_moves_the_folder_and_leaves_a_link_behind()
    {
        Temp.File("home/games/save.dat", "progress");
        var destination = Temp.Dir("disk");
        Assert.Equal(0, Run("pick", Temp["home/games"]).ExitCode);

        var result = Run("drop", destination, "--as", "move");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("(a link stays at the old place)", result.Out, StringComparison.Ordinal);
        Assert.Equal("progress", File.ReadAllText(Path.Combine(destination, "games/save.dat")));
        // A move leaves a junction for a folder on Windows, an absolute symlink elsewhere (PRODUCT.md).
        Assert.Equal(OperatingSystem.IsWindows() ? LinkKind.Junction : LinkKind.SymbolicLink, Link.Inspect(Temp["home/games"]).Kind);
        Assert.Equal("progress", File.ReadAllText(Temp["home/games/save.dat"]));
        Assert.Empty(Picked());
    }

    [Fact]
    public void A_dry_run_changes_nothing_and_keeps_the_picks()
    {
        var file = Temp.File("src/a.txt");
        var destination = Temp.Dir("dest");
        Assert.Equal(0, Run("pick", file).ExitCode);

        var result = Run("drop", "dest", "--as", "copy", "--dry-run");
        var json = Run("drop", "dest", "--as", "symlink", "--dry-run", "--json");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"would copy {file} -> {Path.Combine(destination, "a.txt")}", result.Out, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(destination));
        Assert.Equal([file], Picked());
        using var document = JsonDocument.Parse(json.Out);
        Assert.True(document.RootElement.GetProperty("dryRun").GetBoolean());
        Assert.Equal(Path.Combine(destination, "a.txt"), document.RootElement.GetProperty("items")[0].GetProperty("droppedAs").GetString());
    }

    [Fact]
    public void Copy_clone_and_symbolic_clone_make_dest_dir_slash_name()
    {
        var folder = Temp.Dir("src/project");
        var file = Temp.File("src/project/main.c", "int main;");
        Temp.Dir("copies");
        Temp.Dir("clones");
        Temp.Dir("symbolic");

        foreach (var (kind, destination) in new[] { ("copy", "copies"), ("clone", "clones"), ("symbolic-clone", "symbolic") })
        {
            Assert.Equal(0, Run("pick", folder).ExitCode);
            var result = Run("drop", destination, "--as", kind);
            Assert.True(result.ExitCode == 0, result.Error);
        }

        Assert.Equal("int main;", File.ReadAllText(Temp["copies/project/main.c"]));
        Assert.NotEqual(Link.Inspect(file).Identity, Link.Inspect(Temp["copies/project/main.c"]).Identity);
        Assert.Equal(Link.Inspect(file).Identity, Link.Inspect(Temp["clones/project/main.c"]).Identity);
        Assert.Equal(file, Link.Inspect(Temp["symbolic/project/main.c"]).ResolvedTarget);
    }

    [Fact]
    public void Mirror_updates_an_existing_dest_dir_slash_name_and_backup_adds_snapshots_to_it()
    {
        var folder = Temp.Dir("src/docs");
        Temp.File("src/docs/keep.txt", "v1");
        Temp.File("mirror/docs/stale.txt", "old");
        Temp.Dir("repos");

        Assert.Equal(0, Run("pick", folder).ExitCode);
        Assert.Equal(0, Run("drop", "mirror", "--as", "mirror").ExitCode);
        Assert.Equal(0, Run("pick", folder).ExitCode);
        Assert.Equal(0, Run("drop", "repos", "--as", "backup").ExitCode);
        Assert.Equal(0, Run("pick", folder).ExitCode);
        var second = Run("drop", "repos", "--as", "backup", "--json");

        Assert.Equal(0, second.ExitCode);
        Assert.Equal("v1", File.ReadAllText(Temp["mirror/docs/keep.txt"]));
        Assert.False(File.Exists(Temp["mirror/docs/stale.txt"]));
        Assert.False(Directory.Exists(Temp["mirror/docs - Link"]));
        var snapshots = Directory.GetDirectories(Temp["repos/docs"]);
        Assert.Equal(2, snapshots.Length);
        Assert.All(snapshots, snapshot => Assert.Equal("v1", File.ReadAllText(Path.Combine(snapshot, "keep.txt"))));
        Assert.Equal(Link.Inspect(Path.Combine(snapshots[0], "keep.txt")).Identity, Link.Inspect(Path.Combine(snapshots[1], "keep.txt")).Identity);
        using var json = JsonDocument.Parse(second.Out);
        Assert.True(json.RootElement.GetProperty("items")[0].GetProperty("updatedExisting").GetBoolean());
    }

    [Fact]
    public void A_hard_link_onto_another_volume_exits_3_suggesting_a_symbolic_link_and_stays_picked()
    {
        var otherVolume = Temp.OtherVolume("other");
        var file = Temp.File("data.bin", "data");
        Assert.Equal(0, Run("pick", file).ExitCode);

        var result = Run("drop", otherVolume, "--as", "hardlink");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("another volume", result.Error, StringComparison.Ordinal);
        Assert.Contains("symlink", result.Error, StringComparison.Ordinal);
        Assert.Equal([file], Picked());
    }

    [Fact]
    public void Items_that_cannot_be_dropped_as_the_kind_fail_alone()
    {
        var folder = Temp.Dir("src/folder");
        var file = Temp.File("src/file.txt");
        Temp.Dir("dest");
        Assert.Equal(0, Run("pick", folder, file).ExitCode);

        var result = Run("drop", "dest", "--as", "hardlink");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"linksmith: error: {folder}: is a folder, and hard links name files only", result.Error, StringComparison.Ordinal);
        Assert.Equal(2, Link.Inspect(file).LinkCount);
        Assert.Equal([folder], Picked());
    }

    [Fact]
    public void Drop_takes_a_file_uri_as_file_managers_pass_it_and_refuses_remote_ones()
    {
        var file = Temp.File("a.txt");
        var destination = Temp.Dir("dest dir é");
        Assert.Equal(0, Run("pick", file).ExitCode);

        var remote = Run("drop", "sftp://host/dir", "--as", "symlink");
        var local = Run("drop", new Uri(destination).AbsoluteUri, "--as", "symlink");

        Assert.Equal(1, remote.ExitCode);
        Assert.Contains("is not a local folder", remote.Error, StringComparison.Ordinal);
        Assert.Equal(0, local.ExitCode);
        Assert.Equal(file, Link.Inspect(Path.Combine(destination, "a.txt")).ResolvedTarget);
    }

    [Fact]
    public void Pick_clear_forgets_and_an_unknown_kind_is_a_usage_error()
    {
        Temp.File("a.txt");
        Assert.Equal(0, Run("pick", "a.txt").ExitCode);

        var clear = Run("pick", "--clear");
        var unknown = Run("drop", ".", "--as", "teleport");

        Assert.Equal(0, clear.ExitCode);
        Assert.Empty(Picked());
        Assert.Equal(2, unknown.ExitCode);
    }
}
