namespace Linksmith.Tests.Trees;

public sealed class CopyTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private static TreeSummary Run(TreeJobKind kind, string source, string destination, OuterLinkPolicy outer = OuterLinkPolicy.Splice, List<LinksmithException>? errors = null) =>
        TreeOperations.Run(new TreeJob { Kind = kind, SourcePath = source, DestinationPath = destination, Outer = outer, OnError = e => errors?.Add(e) });

    [Fact]
    public void Smart_copy_recreates_contents_hard_link_groups_and_inner_links()
    {
        var tree = new FixtureTree(temp);
        var destination = temp["deeper/level/dst"];
        var errors = new List<LinksmithException>();

        var summary = Run(TreeJobKind.Copy, tree.Source, destination, errors: errors);

        Assert.Empty(errors);
        string D(string relative) => Path.Combine(destination, TempDirectory.Native(relative));
        Assert.Equal("saturated group", File.ReadAllText(D("a/f.txt")));
        // The saturated group is one group in the copy, and a new file, not the source's.
        Assert.Equal(FixtureTree.Identity(D("a/f.txt")), FixtureTree.Identity(D("a/b/g.txt")));
        Assert.NotEqual(FixtureTree.Identity(tree["a/f.txt"]), FixtureTree.Identity(D("a/f.txt")));
        Assert.Equal(2, Link.Inspect(D("a/f.txt")).LinkCount);
        // The unsaturated group's one inner name is a plain copy.
        Assert.Equal(1, Link.Inspect(D("a/unsat.txt")).LinkCount);
        Assert.Equal("shared by two groups", File.ReadAllText(D("a/unsat.txt")));
        // Inner links point into the copy; relative ones keep their text.
        Assert.Equal(TempDirectory.Native("a/f.txt"), FixtureTree.LinkText(D("inner-rel")));
        Assert.Equal(TempDirectory.Native("../empty"), FixtureTree.LinkText(D("a/inner-up")));
        Assert.Equal(D("a/b"), FixtureTree.LinkText(D("inner-abs")));
        Assert.Equal("nowhere", FixtureTree.LinkText(D("dangling")));
        Assert.Equal("loop2", FixtureTree.LinkText(D("loop1")));
        // Outer links are spliced: the same place; relative ones rewritten for their new depth.
        Assert.Equal(Path.Combine(tree.Outside, "dir"), FixtureTree.LinkText(D("outer-abs")));
        Assert.Equal(Path.Combine(tree.Outside, "dir"), Link.Inspect(D("outer-rel")).ResolvedTarget);
        Assert.Equal(TempDirectory.Native("../../../outside/dir"), FixtureTree.LinkText(D("outer-rel")));
        Assert.Equal("shared by two groups", File.ReadAllText(D("a/outer-rel-file")));
        Assert.True(Directory.Exists(D("empty")));
        Assert.Equal("newline", File.ReadAllText(D(FixtureTree.UnusualName)));
        Assert.Equal(6, summary.Copied);
        Assert.Equal(1, summary.Linked);
    }

    [Fact]
    public void Smart_copy_keeps_times_and_modes_of_files_directories_and_links()
    {
        Platform.SkipOnWindows("no Unix mode bits (0750, 0600) to keep");
        var tree = new FixtureTree(temp);
        var destination = temp["dst"];

        Run(TreeJobKind.Copy, tree.Source, destination);

        Assert.Equal(FixtureTree.OldTime, File.GetLastWriteTimeUtc(Path.Combine(destination, TempDirectory.Native("a/exec.sh"))));
        Assert.Equal(FixtureTree.OldTime, Directory.GetLastWriteTimeUtc(Path.Combine(destination, "old")));
        Assert.Equal((UnixFileMode)0b111_101_000, File.GetUnixFileMode(Path.Combine(destination, TempDirectory.Native("a/exec.sh"))));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(destination, TempDirectory.Native("a/private.txt"))));
        foreach (var relative in new[] { "a/f.txt", "a", "inner-rel", "" })
        {
            var source = PathFacts.Stat(Path.Combine(tree.Source, relative), followLinks: false)!.Value;
            var copy = PathFacts.Stat(Path.Combine(destination, relative), followLinks: false)!.Value;
            Assert.Equal(source.ModifiedTime, copy.ModifiedTime);
        }
    }

    [Fact]
    public void Crop_leaves_outer_links_out_and_lists_them()
    {
        var tree = new FixtureTree(temp);
        var destination = temp["dst"];

        var summary = Run(TreeJobKind.Copy, tree.Source, destination, OuterLinkPolicy.Crop);

        Assert.False(Path.Exists(Path.Combine(destination, "outer-abs")));
        Assert.False(Path.Exists(Path.Combine(destination, "outer-rel")));
        Assert.Contains(tree["outer-abs"], summary.Cropped);
        Assert.Contains(tree["up"], summary.Cropped);
        Assert.Equal(TempDirectory.Native("a/f.txt"), FixtureTree.LinkText(Path.Combine(destination, "inner-rel")));
    }

    [Fact]
    public void Unroll_copies_what_outer_links_point_to_and_breaks_loops()
    {
        var tree = new FixtureTree(temp);
        var destination = temp["dst"];
        var errors = new List<LinksmithException>();

        var summary = Run(TreeJobKind.Copy, tree.Source, destination, OuterLinkPolicy.Unroll, errors);

        Assert.Empty(errors);
        Assert.Equal(LinkKind.Directory, Link.Inspect(Path.Combine(destination, "outer-abs")).Kind);
        Assert.Equal("outside content", File.ReadAllText(Path.Combine(destination, TempDirectory.Native("outer-abs/inside.txt"))));
        Assert.Equal(LinkKind.File, Link.Inspect(Path.Combine(destination, TempDirectory.Native("a/outer-rel-file"))).Kind);
        // "up" points to the folder that holds src: following it would copy the copy forever.
        Assert.False(Path.Exists(Path.Combine(destination, "up")));
        Assert.Contains(tree["up"], summary.Cropped);
    }

    [Fact]
    public void Copying_into_an_existing_copy_only_copies_what_changed()
    {
        var tree = new FixtureTree(temp);
        var destination = temp["dst"];
        Run(TreeJobKind.Copy, tree.Source, destination);

        var again = Run(TreeJobKind.Copy, tree.Source, destination);
        File.WriteAllText(tree["a/private.txt"], "changed secret");
        var changed = Run(TreeJobKind.Copy, tree.Source, destination);

        Assert.Equal(0, again.Copied);
        Assert.Equal(0, again.Symlinked);
        Assert.Equal(1, changed.Copied);
        Assert.Equal("changed secret", File.ReadAllText(Path.Combine(destination, TempDirectory.Native("a/private.txt"))));
        Assert.Equal(2, Link.Inspect(Path.Combine(destination, TempDirectory.Native("a/b/g.txt"))).LinkCount);
    }

    [Fact]
    public void A_destination_inside_the_source_or_around_it_is_refused_before_anything_changes()
    {
        var tree = new FixtureTree(temp);
        var before = TreeSnapshot.Take(temp.Path);

        Assert.Throws<TreeNestingException>(() => Run(TreeJobKind.Copy, tree.Source, tree["a/inside"]));
        Assert.Throws<TreeNestingException>(() => Run(TreeJobKind.Mirror, tree["a"], tree.Source));
        Assert.Throws<TreeNestingException>(() => Run(TreeJobKind.Copy, tree.Source, tree.Source));

        Assert.Equal(before, TreeSnapshot.Take(temp.Path));
    }

    [Fact]
    public void A_dry_run_changes_nothing_and_reports_every_action()
    {
        var tree = new FixtureTree(temp);
        var before = TreeSnapshot.Take(temp.Path);
        var actions = new List<TreeAction>();

        var summary = TreeOperations.Run(new TreeJob { Kind = TreeJobKind.Copy, SourcePath = tree.Source, DestinationPath = temp["dst"], DryRun = true, OnAction = actions.Add });

        Assert.Equal(before, TreeSnapshot.Take(temp.Path));
        Assert.Equal(summary.Copied, actions.Count(a => a.Kind == TreeActionKind.Copy));
        Assert.Contains(actions, a => a.Kind == TreeActionKind.HardLink && a.Path == temp["dst/a/b/g.txt"]);
    }

    [Fact]
    public void An_unreadable_file_is_reported_and_the_rest_is_copied()
    {
        if (!Platform.IsRoot)
        {
            Assert.Skip("runs the CLI as the user nobody through setpriv, which needs root");
        }

        temp.File("src/readable.txt", "ok");
        temp.File("src/locked.txt", "no");
        File.SetUnixFileMode(temp["src/locked.txt"], UnixFileMode.None);
        File.SetUnixFileMode(temp.Path, (UnixFileMode)0b111_111_111);
        var exe = Environment.GetEnvironmentVariable("LINKSMITH_CLI");
        var program = exe ?? Path.Combine(AppContext.BaseDirectory, "Linksmith.Cli.dll");
        var command = exe is null ? $"dotnet {program}" : exe;
        // A checkout inside a private folder (mktemp -d makes 0700 ones) keeps nobody from the CLI itself.
        if (Processes.Run("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "test", "-r", program]).ExitCode != 0)
        {
            Assert.Skip($"the user nobody cannot read {program} (a parent folder is private), so the CLI cannot run as nobody here");
        }

        var result = Processes.Run("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "sh", "-c", $"DOTNET_CLI_HOME=/tmp HOME=/tmp {command} copy src dst"], temp.Path);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"linksmith: error: {temp["src/locked.txt"]}: permission denied", result.Error, StringComparison.Ordinal);
        Assert.Equal("ok", File.ReadAllText(temp["dst/readable.txt"]));
        Assert.False(File.Exists(temp["dst/locked.txt"]));
    }
}
