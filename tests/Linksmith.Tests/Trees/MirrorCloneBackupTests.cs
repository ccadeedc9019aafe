namespace Linksmith.Tests.Trees;

public sealed class MirrorCloneBackupTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private static TreeSummary Run(TreeJobKind kind, string source, string destination, bool dryRun = false, int? keep = null, List<TreeAction>? actions = null) =>
        TreeOperations.Run(new TreeJob { Kind = kind, SourcePath = source, DestinationPath = destination, DryRun = dryRun, Keep = keep, OnAction = a => actions?.Add(a) });

    [Fact]
    public void Mirror_deletes_what_the_source_no_longer_has_and_never_follows_a_link_out_of_the_destination()
    {
        var tree = new FixtureTree(temp);
        var destination = temp["dst"];
        Run(TreeJobKind.Mirror, tree.Source, destination);
        var sentinel = temp.File("sentinel/keep-me.txt", "must survive");
        TempDirectory.Symlink(Path.Combine(destination, "escape"), temp["sentinel"]);
        Directory.CreateDirectory(Path.Combine(destination, TempDirectory.Native("stale/deep")));
        TempDirectory.Symlink(temp["dst/stale/deep/escape"], temp["sentinel"]);
        File.Delete(tree["a/private.txt"]);

        var summary = Run(TreeJobKind.Mirror, tree.Source, destination);

        Assert.Equal("must survive", File.ReadAllText(sentinel));
        Assert.False(Path.Exists(Path.Combine(destination, "escape")));
        Assert.False(Path.Exists(Path.Combine(destination, "stale")));
        Assert.False(Path.Exists(Path.Combine(destination, TempDirectory.Native("a/private.txt"))));
        Assert.Equal(5, summary.Deleted);
        Assert.Equal(0, summary.Copied);
    }

    [Fact]
    public void Mirror_dry_run_lists_every_deletion_and_changes_nothing()
    {
        var tree = new FixtureTree(temp);
        var destination = temp["dst"];
        Run(TreeJobKind.Mirror, tree.Source, destination);
        temp.File("dst/extra/one.txt");
        temp.File("dst/extra/two.txt");
        var before = TreeSnapshot.Take(temp.Path);
        var actions = new List<TreeAction>();

        Run(TreeJobKind.Mirror, tree.Source, destination, dryRun: true, actions: actions);

        Assert.Equal(before, TreeSnapshot.Take(temp.Path));
        Assert.Equal(
            [temp["dst/extra"], temp["dst/extra/one.txt"], temp["dst/extra/two.txt"]],
            actions.Where(a => a.Kind == TreeActionKind.Delete).Select(a => a.Path).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Mirror_replaces_an_entry_whose_kind_changed()
    {
        temp.File("src/thing/inside.txt");
        Run(TreeJobKind.Mirror, temp["src"], temp["dst"]);
        Directory.Delete(temp["src/thing"], recursive: true);
        temp.File("src/thing", "now a file");

        Run(TreeJobKind.Mirror, temp["src"], temp["dst"]);

        Assert.Equal("now a file", File.ReadAllText(temp["dst/thing"]));
    }

    [Fact]
    public void Clone_makes_every_file_a_hard_link_to_its_original()
    {
        var tree = new FixtureTree(temp);
        var destination = temp["clone"];

        var summary = Run(TreeJobKind.Clone, tree.Source, destination);

        Assert.Equal(FixtureTree.Identity(tree["a/f.txt"]), FixtureTree.Identity(Path.Combine(destination, TempDirectory.Native("a/f.txt"))));
        Assert.Equal(FixtureTree.Identity(tree["a/f.txt"]), FixtureTree.Identity(Path.Combine(destination, TempDirectory.Native("a/b/g.txt"))));
        Assert.Equal(4, Link.Inspect(tree["a/f.txt"]).LinkCount);
        Assert.Equal(TempDirectory.Native("a/f.txt"), FixtureTree.LinkText(Path.Combine(destination, "inner-rel")));
        Assert.Equal(Path.Combine(destination, TempDirectory.Native("a/b")), FixtureTree.LinkText(Path.Combine(destination, "inner-abs")));
        Assert.Equal(0, summary.Copied);
    }

    [Fact]
    public void Symbolic_clone_makes_every_file_a_symlink_to_its_original()
    {
        var tree = new FixtureTree(temp);
        var destination = temp["clone"];

        Run(TreeJobKind.SymbolicClone, tree.Source, destination);

        Assert.Equal(tree["a/exec.sh"], FixtureTree.LinkText(Path.Combine(destination, TempDirectory.Native("a/exec.sh"))));
        Assert.Equal(LinkKind.Directory, Link.Inspect(Path.Combine(destination, "a")).Kind);
    }

    [Fact]
    public void Clone_across_file_systems_is_refused_and_symbolic_clone_works()
    {
        var other = temp.OtherVolume("other");
        temp.File("src/file.txt", "x");

        var refused = CliRunner.Run(temp.Path, "clone", "src", Path.Combine(other, "clone"));
        var symbolic = CliRunner.Run(temp.Path, "clone", "--symbolic", "src", Path.Combine(other, "clone"));

        Assert.Equal(3, refused.ExitCode);
        Assert.Contains("--symbolic", refused.Error, StringComparison.Ordinal);
        Assert.Equal(0, symbolic.ExitCode);
        Assert.Equal(temp["src/file.txt"], FixtureTree.LinkText(Path.Combine(other, TempDirectory.Native("clone/file.txt"))));
    }

    [Fact]
    public void Backup_links_unchanged_files_to_the_previous_snapshot_and_copies_changed_ones()
    {
        var tree = new FixtureTree(temp);
        var repository = temp["repo"];
        var first = Run(TreeJobKind.Backup, tree.Source, repository).SnapshotPath!;
        File.WriteAllText(tree["a/private.txt"], "changed");
        File.Delete(tree["old/file.txt"]);
        temp.File("src/added.txt", "new");

        var second = Run(TreeJobKind.Backup, tree.Source, repository);

        var snapshot = second.SnapshotPath!;
        Assert.Equal([first, snapshot], Snapshots.List(repository));
        Assert.Matches(@"^\d{4}-\d{2}-\d{2}_\d{6}(-\d+)?$", Path.GetFileName(snapshot));
        Assert.Equal(FixtureTree.Identity(Path.Combine(first, TempDirectory.Native("a/exec.sh"))), FixtureTree.Identity(Path.Combine(snapshot, TempDirectory.Native("a/exec.sh"))));
        Assert.NotEqual(FixtureTree.Identity(Path.Combine(first, TempDirectory.Native("a/private.txt"))), FixtureTree.Identity(Path.Combine(snapshot, TempDirectory.Native("a/private.txt"))));
        Assert.Equal("changed", File.ReadAllText(Path.Combine(snapshot, TempDirectory.Native("a/private.txt"))));
        Assert.Equal("old", File.ReadAllText(Path.Combine(first, TempDirectory.Native("old/file.txt"))));
        Assert.False(File.Exists(Path.Combine(snapshot, TempDirectory.Native("old/file.txt"))));
        Assert.Equal("new", File.ReadAllText(Path.Combine(snapshot, "added.txt")));
        // The hard-link group stays one group, linked to the previous snapshot as a whole.
        Assert.Equal(FixtureTree.Identity(Path.Combine(snapshot, TempDirectory.Native("a/f.txt"))), FixtureTree.Identity(Path.Combine(snapshot, TempDirectory.Native("a/b/g.txt"))));
        Assert.Equal(FixtureTree.Identity(Path.Combine(first, TempDirectory.Native("a/f.txt"))), FixtureTree.Identity(Path.Combine(snapshot, TempDirectory.Native("a/f.txt"))));
        // Inner absolute links point into their own snapshot, not into an unfinished name.
        Assert.Equal(Path.Combine(snapshot, TempDirectory.Native("a/b")), FixtureTree.LinkText(Path.Combine(snapshot, "inner-abs")));
        Assert.Equal(2, second.Copied);
    }

    [Fact]
    public void A_file_changed_inside_the_previous_snapshot_after_its_manifest_was_written_is_copied_not_linked()
    {
        temp.File("src/mode.txt", "same bytes");
        temp.File("src/touched.txt", "same size");
        temp.File("src/gone.txt", "removed from the snapshot");
        for (var i = 0; i < 20; i++)
        {
            temp.File($"src/many/{i}.txt", $"unchanged {i}");
        }

        var first = Run(TreeJobKind.Backup, temp["src"], temp["repo"]).SnapshotPath!;
        // The manifest still says size and time match the source; the snapshot's files no longer do.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Path.Combine(first, "mode.txt"), UnixFileMode.UserRead);
        }

        File.SetLastWriteTimeUtc(Path.Combine(first, "touched.txt"), DateTime.UtcNow.AddDays(-3));
        File.Delete(Path.Combine(first, "gone.txt"));

        var second = Run(TreeJobKind.Backup, temp["src"], temp["repo"]);

        var snapshot = second.SnapshotPath!;
        var copied = OperatingSystem.IsWindows() ? new[] { "touched.txt", "gone.txt" } : ["mode.txt", "touched.txt", "gone.txt"];
        foreach (var name in copied)
        {
            Assert.Equal(File.ReadAllText(temp["src/" + name]), File.ReadAllText(Path.Combine(snapshot, name)));
            Assert.NotEqual(FixtureTree.Identity(temp["src/" + name]), FixtureTree.Identity(Path.Combine(snapshot, name)));
            if (File.Exists(Path.Combine(first, name)))
            {
                Assert.NotEqual(FixtureTree.Identity(Path.Combine(first, name)), FixtureTree.Identity(Path.Combine(snapshot, name)));
            }
        }

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(File.GetUnixFileMode(temp["src/mode.txt"]), File.GetUnixFileMode(Path.Combine(snapshot, "mode.txt")));
        }

        Assert.Equal(File.GetLastWriteTimeUtc(temp["src/touched.txt"]), File.GetLastWriteTimeUtc(Path.Combine(snapshot, "touched.txt")));
        Assert.Equal(FixtureTree.Identity(Path.Combine(first, TempDirectory.Native("many/7.txt"))), FixtureTree.Identity(Path.Combine(snapshot, TempDirectory.Native("many/7.txt"))));
        Assert.Equal(copied.Length, second.Copied);
        Assert.Equal(20 + 3 - copied.Length, second.Linked);
        Assert.Equal(0, CliRunner.Run(temp.Path, "snapshots", "verify", "repo", Path.GetFileName(snapshot)).ExitCode);
    }

    [Fact]
    public void A_hard_link_group_with_a_renamed_name_is_still_linked_to_the_previous_snapshot()
    {
        temp.File("src/a/x", "group");
        Link.CreateHardLink(temp["src/b"], temp["src/a/x"]);
        var first = Run(TreeJobKind.Backup, temp["src"], temp["repo"]).SnapshotPath!;
        File.Move(temp["src/a/x"], temp["src/a/renamed"]);

        var second = Run(TreeJobKind.Backup, temp["src"], temp["repo"]);

        var previous = FixtureTree.Identity(Path.Combine(first, "b"));
        Assert.Equal(previous, FixtureTree.Identity(Path.Combine(second.SnapshotPath!, "b")));
        Assert.Equal(previous, FixtureTree.Identity(Path.Combine(second.SnapshotPath!, TempDirectory.Native("a/renamed"))));
        Assert.Equal(0, second.Copied);
    }

    [Fact]
    public void Keep_deletes_the_oldest_snapshots_without_following_links()
    {
        temp.File("src/file.txt");
        var sentinel = temp.File("sentinel/keep-me.txt", "must survive");
        File.CreateSymbolicLink(temp["src/escape"], temp["sentinel"]);
        var repository = temp["repo"];
        temp.File("repo/notes.txt", "not a snapshot");
        var made = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            made.Add(Run(TreeJobKind.Backup, temp["src"], repository, keep: 2).SnapshotPath!);
        }

        Assert.Equal(made[1..], Snapshots.List(repository));
        Assert.Equal("must survive", File.ReadAllText(sentinel));
        Assert.True(File.Exists(temp["repo/notes.txt"]));
    }

    [Fact]
    public void An_interrupted_backup_leaves_no_snapshot_that_looks_complete()
    {
        for (var i = 0; i < 300; i++)
        {
            temp.File($"src/d{i % 10}/file{i}.txt", new string('x', 100));
        }

        // The engine kills its own process (SIGKILL) at its 150th action; the test fails unless it did.
        FaultKills.RunKilledAt(temp.Path, new Dictionary<string, string>(), FaultPoints.TreeAction, 150, "backup", "src", "repo");

        Assert.Empty(Snapshots.List(temp["repo"]));
        Assert.Single(Directory.GetDirectories(temp["repo"]), d => Path.GetFileName(d).StartsWith(Snapshots.PartialPrefix, StringComparison.Ordinal));

        var resumed = CliRunner.Run(temp.Path, "backup", "src", "repo");
        Assert.Equal(0, resumed.ExitCode);
        Assert.Single(Snapshots.List(temp["repo"]));
        Assert.DoesNotContain(Directory.GetDirectories(temp["repo"]), d => Path.GetFileName(d).StartsWith(Snapshots.PartialPrefix, StringComparison.Ordinal));
    }
}
