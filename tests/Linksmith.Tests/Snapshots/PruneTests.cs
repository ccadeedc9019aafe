using System.Text.Json;

namespace Linksmith.Tests.Backups;

/// <summary><c>snapshots prune</c> and <c>backup --keep-…</c> on real snapshot folders whose names (and so dates) the test makes.</summary>
public sealed class PruneTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private void MakeSnapshots(params string[] names)
    {
        foreach (var name in names)
        {
            temp.File($"repo/{name}/data/file.txt", name);
        }
    }

    private List<string> Names() => Snapshots.List(temp["repo"]).Select(Path.GetFileName).ToList()!;

    [Fact]
    public void Prune_keeps_the_newest_of_each_day_and_never_follows_a_link()
    {
        MakeSnapshots("2025-03-01_100000", "2025-03-02_090000", "2025-03-02_180000", "2025-03-03_120000");
        var sentinel = temp.File("sentinel/keep-me.txt", "must survive");
        TempDirectory.Symlink(temp["repo/2025-03-01_100000/escape"], temp["sentinel"]);
        File.CreateSymbolicLink(temp["repo/2025-03-01_100000/data/file-link"], sentinel);
        temp.File("repo/notes.txt", "not a snapshot");

        var result = CliRunner.Run(temp.Path, "snapshots", "prune", "repo", "--keep-daily", "2");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["2025-03-02_180000", "2025-03-03_120000"], Names());
        Assert.Equal("must survive", File.ReadAllText(sentinel));
        Assert.True(File.Exists(temp["repo/notes.txt"]));
        Assert.Contains($"deleting snapshot {temp["repo/2025-03-01_100000"]}", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(Directory.GetFileSystemEntries(temp["repo"]), e => Path.GetFileName(e).StartsWith(".partial-", StringComparison.Ordinal));
    }

    [Fact]
    public void Prune_dry_run_lists_what_would_go_and_changes_nothing()
    {
        MakeSnapshots("2025-03-01_100000", "2025-03-02_090000", "2025-03-03_120000");

        var result = CliRunner.Run(temp.Path, "snapshots", "prune", "repo", "--keep", "1", "--dry-run", "--json");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(3, Names().Count);
        using var document = JsonDocument.Parse(result.Out);
        Assert.True(document.RootElement.GetProperty("dryRun").GetBoolean());
        Assert.Equal(
            [temp["repo/2025-03-01_100000"], temp["repo/2025-03-02_090000"]],
            document.RootElement.GetProperty("removed").EnumerateArray().Select(e => e.GetString()));
        var kept = Assert.Single(document.RootElement.GetProperty("kept").EnumerateArray());
        Assert.Equal(temp["repo/2025-03-03_120000"], kept.GetProperty("path").GetString());
    }

    [Fact]
    public void Prune_without_a_rule_or_with_a_bad_one_is_a_usage_error()
    {
        MakeSnapshots("2025-03-01_100000");

        var none = CliRunner.Run(temp.Path, "snapshots", "prune", "repo");
        var zero = CliRunner.Run(temp.Path, "snapshots", "prune", "repo", "--keep-weekly", "0");
        var duration = CliRunner.Run(temp.Path, "snapshots", "prune", "repo", "--keep-within", "soon");

        Assert.Equal(2, none.ExitCode);
        Assert.Contains("linksmith: error: no retention rule given", none.Error, StringComparison.Ordinal);
        Assert.Equal(2, zero.ExitCode);
        Assert.Contains("--keep-weekly must be 1 or more", zero.Error, StringComparison.Ordinal);
        Assert.Equal(2, duration.ExitCode);
        Assert.Contains("--keep-within: 'soon' is not a duration", duration.Error, StringComparison.Ordinal);
        Assert.Contains("hint: ", duration.Error, StringComparison.Ordinal);
        Assert.Single(Names());
    }

    [Fact]
    public void Prune_of_a_missing_repository_exits_1_with_its_path()
    {
        var result = CliRunner.Run(temp.Path, "snapshots", "prune", "nowhere", "--keep", "1");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("linksmith: error: nowhere:", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Backup_prunes_by_its_rules_after_the_new_snapshot_and_reports_it()
    {
        // Old snapshots on three past days; the new one is today, so --keep-daily 2 keeps it and the newest old one.
        MakeSnapshots("2020-01-01_100000", "2020-01-02_100000", "2020-01-03_100000");
        temp.File("src/a.txt", "new");

        var result = CliRunner.Run(temp.Path, "backup", "src", "repo", "--keep-daily", "2", "--json");

        Assert.Equal(0, result.ExitCode);
        using var document = JsonDocument.Parse(result.Out);
        var snapshot = document.RootElement.GetProperty("snapshot").GetString()!;
        Assert.Equal(["2020-01-03_100000", Path.GetFileName(snapshot)], Names());
        Assert.Equal(
            [temp["repo/2020-01-01_100000"], temp["repo/2020-01-02_100000"]],
            document.RootElement.GetProperty("pruned").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void Backup_dry_run_counts_the_new_snapshot_as_the_newest()
    {
        MakeSnapshots("2020-01-01_100000", "2020-01-02_100000");
        temp.File("src/a.txt", "new");

        var result = CliRunner.Run(temp.Path, "backup", "src", "repo", "--keep", "2", "--dry-run");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"would prune {temp["repo/2020-01-01_100000"]}", result.Out, StringComparison.Ordinal);
        Assert.Equal(2, Names().Count);
    }

    [Fact]
    public void A_kill_while_pruning_leaves_only_complete_or_partial_snapshots()
    {
        MakeSnapshots("2025-03-01_100000", "2025-03-02_100000", "2025-03-03_100000", "2025-03-04_100000");

        // The prune kills its own process (SIGKILL) after renaming the second snapshot it removes.
        FaultKills.RunKilledAt(temp.Path, new Dictionary<string, string>(), FaultPoints.SnapshotPrune, 2, "snapshots", "prune", "repo", "--keep", "1");

        var entries = Directory.GetFileSystemEntries(temp["repo"]).Select(Path.GetFileName).ToList();
        Assert.All(entries, name => Assert.True(
            name == ".linksmith-backup.lock" || Snapshots.IsSnapshotName(name!) || name!.StartsWith(".partial-", StringComparison.Ordinal), name));
        // Whatever still has a snapshot's name is whole.
        Assert.All(Names(), name => Assert.True(File.Exists(temp[$"repo/{name}/data/file.txt"])));
        Assert.Equal(["2025-03-03_100000", "2025-03-04_100000"], Names());
        Assert.Contains(".partial-2025-03-02_100000", entries);

        // The next backup removes the leftover.
        temp.File("src/a.txt");
        Assert.Equal(0, CliRunner.Run(temp.Path, "backup", "src", "repo").ExitCode);
        Assert.DoesNotContain(Directory.GetFileSystemEntries(temp["repo"]), e => Path.GetFileName(e).StartsWith(".partial-", StringComparison.Ordinal));
    }
}
