using System.Text.Json;
using Linksmith.Tests.Trees;

namespace Linksmith.Tests.Backups;

public sealed class VerifyDiffRestoreTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Verify_of_an_intact_repository_exits_0()
    {
        temp.File("src/a.txt", "alpha");
        temp.File("src/d/b.txt", "beta");
        Backup();
        Backup();

        var result = CliRunner.Run(temp.Path, "snapshots", "verify", "repo", "--json");

        Assert.Equal(0, result.ExitCode);
        using var report = JsonDocument.Parse(result.Out);
        var snapshots = report.RootElement.GetProperty("snapshots").EnumerateArray().ToList();
        Assert.Equal(2, snapshots.Count);
        Assert.All(snapshots, s => Assert.True(s.GetProperty("intact").GetBoolean()));
        Assert.All(snapshots, s => Assert.Equal(2, s.GetProperty("files").GetInt64()));
        // The files are shared by both snapshots (hard links): read once.
        Assert.Equal(9, snapshots.Sum(s => s.GetProperty("bytesRead").GetInt64()));
    }

    [Fact]
    public void Verify_finds_a_flipped_byte_a_truncated_file_and_a_missing_file_and_exits_1()
    {
        temp.File("src/flipped.bin", new string('f', 10_000));
        temp.File("src/truncated.bin", new string('t', 10_000));
        temp.File("src/missing.txt", "gone soon");
        temp.File("src/touched.txt", "same contents");
        temp.File("src/fine.txt", "fine");
        var snapshot = Backup();
        var flipped = Path.Combine(snapshot, "flipped.bin");
        var time = File.GetLastWriteTimeUtc(flipped);
        using (var stream = new FileStream(flipped, FileMode.Open, FileAccess.ReadWrite))
        {
            stream.Position = 5000;
            var b = stream.ReadByte();
            stream.Position = 5000;
            stream.WriteByte((byte)(b ^ 0x01));
        }

        // Bit rot keeps the modification time: only the contents tell.
        File.SetLastWriteTimeUtc(flipped, time);
        using (var stream = new FileStream(Path.Combine(snapshot, "truncated.bin"), FileMode.Open))
        {
            stream.SetLength(4096);
        }

        File.Delete(Path.Combine(snapshot, "missing.txt"));
        File.SetLastWriteTimeUtc(Path.Combine(snapshot, "touched.txt"), new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        File.WriteAllText(Path.Combine(snapshot, "planted.txt"), "not from the backup");

        var result = CliRunner.Run(temp.Path, "snapshots", "verify", "repo", Path.GetFileName(snapshot), "--json");

        Assert.Equal(1, result.ExitCode);
        using var report = JsonDocument.Parse(result.Out);
        var one = report.RootElement.GetProperty("snapshots")[0];
        Assert.False(one.GetProperty("intact").GetBoolean());
        Assert.Equal(["flipped.bin", "truncated.bin"], one.GetProperty("corrupt").EnumerateArray().Select(p => p.GetProperty("path").GetString()));
        Assert.Equal(["missing.txt"], one.GetProperty("missing").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(["planted.txt", "touched.txt"], one.GetProperty("changed").EnumerateArray().Select(p => p.GetProperty("path").GetString()));

        var text = CliRunner.Run(temp.Path, "snapshots", "verify", "repo");
        Assert.Equal(1, text.ExitCode);
        Assert.Contains("corrupt  flipped.bin", text.Out, StringComparison.Ordinal);
        Assert.Contains("missing  missing.txt", text.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("fine.txt", text.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void A_snapshot_without_a_manifest_is_reported_as_not_verifiable()
    {
        temp.File("src/a.txt", "alpha");
        var snapshot = Backup();
        File.Delete(snapshot + ".linksmith-snapshot");

        var result = CliRunner.Run(temp.Path, "snapshots", "verify", "repo");
        var list = CliRunner.Run(temp.Path, "snapshots", "list", "repo");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no manifest; cannot verify", result.Out, StringComparison.Ordinal);
        Assert.Contains("no manifest", list.Out, StringComparison.Ordinal);
        Assert.Equal(1, CliRunner.Run(temp.Path, "snapshots", "verify", "repo", "1999-01-01_000000").ExitCode);
    }

    [Fact]
    public void A_damaged_manifest_is_reported_and_the_other_snapshots_are_still_verified()
    {
        temp.File("src/a.txt", "alpha");
        var first = Backup();
        Backup();
        File.AppendAllText(first + ".linksmith-snapshot", "not a manifest line\n");

        var result = CliRunner.Run(temp.Path, "snapshots", "verify", "repo");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"linksmith: error: {first}.linksmith-snapshot: line 3 of the snapshot manifest", result.Error, StringComparison.Ordinal);
        Assert.Contains("ok: 1 files as recorded", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Diff_reports_added_removed_changed_and_renamed_files_and_exits_0()
    {
        temp.File("src/keep.txt", "same");
        temp.File("src/edit.txt", "before");
        temp.File("src/drop.txt", "dropped");
        temp.File("src/old/name.bin", new string('n', 5000));
        var first = Backup();
        temp.File("src/edit.txt", "after!!");
        File.SetLastWriteTimeUtc(temp["src/edit.txt"], DateTime.UtcNow.AddMinutes(1));
        File.Delete(temp["src/drop.txt"]);
        temp.File("src/new.txt", "new");
        Directory.CreateDirectory(temp["src/moved"]);
        File.Move(temp["src/old/name.bin"], temp["src/moved/other.bin"]);
        var second = Backup();

        var result = CliRunner.Run(temp.Path, "snapshots", "diff", "repo", Path.GetFileName(first), second, "--json");

        Assert.Equal(0, result.ExitCode);
        using var diff = JsonDocument.Parse(result.Out);
        var root = diff.RootElement;
        Assert.True(root.GetProperty("byHash").GetBoolean());
        Assert.Equal(["new.txt"], root.GetProperty("added").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(["drop.txt"], root.GetProperty("removed").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(["edit.txt"], root.GetProperty("changed").EnumerateArray().Select(p => p.GetString()));
        var renamed = Assert.Single(root.GetProperty("renamed").EnumerateArray());
        Assert.Equal(TempDirectory.Native("old/name.bin"), renamed.GetProperty("from").GetString());
        Assert.Equal(TempDirectory.Native("moved/other.bin"), renamed.GetProperty("to").GetString());

        var same = CliRunner.Run(temp.Path, "snapshots", "diff", "repo", Path.GetFileName(second), Path.GetFileName(second));
        Assert.Equal(0, same.ExitCode);
        Assert.Contains("0 added, 0 removed, 0 changed, 0 renamed", same.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Restore_round_trips_a_tree_with_hard_link_groups_and_inner_symlinks()
    {
        temp.File("src/a/f.txt", "group");
        temp.Dir("src/b");
        Link.CreateHardLink(temp["src/b/g.txt"], temp["src/a/f.txt"]);
        temp.File("src/c.txt", "cee");
        TempDirectory.Symlink(temp["src/rel"], TempDirectory.Native("a/f.txt"));
        TempDirectory.Symlink(temp["src/abs"], temp["src/c.txt"]);
        var snapshot = Backup();

        var result = CliRunner.Run(temp.Path, "snapshots", "restore", "repo", Path.GetFileName(snapshot), "out");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("group", File.ReadAllText(temp["out/b/g.txt"]));
        Assert.Equal(FixtureTree.Identity(temp["out/a/f.txt"]), FixtureTree.Identity(temp["out/b/g.txt"]));
        Assert.NotEqual(FixtureTree.Identity(Path.Combine(snapshot, "a/f.txt")), FixtureTree.Identity(temp["out/a/f.txt"]));
        Assert.Equal(TempDirectory.Native("a/f.txt"), new FileInfo(temp["out/rel"]).LinkTarget);
        Assert.Equal(temp["out/c.txt"], new FileInfo(temp["out/abs"]).LinkTarget);
        // The manifest stays in REPO: never a file of the restored tree.
        Assert.Equal(["a", "abs", "b", "c.txt", "rel"], TempDirectory.Names(temp["out"]).Order(StringComparer.Ordinal));

        var part = CliRunner.Run(temp.Path, "snapshots", "restore", "repo", Path.GetFileName(snapshot) + "/a", "part");
        Assert.Equal(0, part.ExitCode);
        Assert.Equal("group", File.ReadAllText(temp["part/f.txt"]));
    }

    [Fact]
    public void Restore_refuses_a_destination_inside_the_repository_and_a_dry_run_changes_nothing()
    {
        temp.File("src/a.txt", "alpha");
        var snapshot = Path.GetFileName(Backup());

        var inside = CliRunner.Run(temp.Path, "snapshots", "restore", "repo", snapshot, "repo/restored");
        var dry = CliRunner.Run(temp.Path, "snapshots", "restore", "repo", snapshot, "out", "--dry-run");
        var unknown = CliRunner.Run(temp.Path, "snapshots", "restore", "repo", "2001-01-01_000000", "out");

        Assert.Equal(2, inside.ExitCode);
        Assert.StartsWith("linksmith: error: repo", inside.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(temp["repo/restored"]));
        Assert.Equal(0, dry.ExitCode);
        Assert.Contains("would copy", dry.Out, StringComparison.Ordinal);
        Assert.False(Directory.Exists(temp["out"]));
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("is not a snapshot", unknown.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_manifest_is_not_counted_by_list()
    {
        temp.File("src/a.txt", "alpha");
        Backup();

        var result = CliRunner.Run(temp.Path, "snapshots", "list", "repo", "--json");

        using var list = JsonDocument.Parse(result.Out);
        var only = Assert.Single(list.RootElement.GetProperty("snapshots").EnumerateArray());
        Assert.Equal(1, only.GetProperty("files").GetInt64());
        Assert.Equal(5, only.GetProperty("bytes").GetInt64());
        Assert.True(only.GetProperty("manifest").GetBoolean());
    }

    private string Backup()
    {
        var summary = TreeOperations.Run(new TreeJob { Kind = TreeJobKind.Backup, SourcePath = temp["src"], DestinationPath = temp["repo"] });
        Assert.Equal(0, summary.Errors);
        return summary.SnapshotPath!;
    }
}
