using System.Text.Json;
using Linksmith.Tests.Reflinks;

namespace Linksmith.Tests.Trees;

/// <summary>
/// <c>clone SRC DST</c> into an existing DST updates the clone, as Link Shell Extension's
/// <c>--mirror --recursive</c> and <c>--mirror --symbolic</c> do: new files linked, names that are
/// not the current link of the source's file re-linked, the rest left alone, and with
/// <c>--delete</c> what SRC lost removed (links as links). For the hard-link, symbolic and reflink
/// kinds, on the real file system; <c>drop --as clone</c> onto an existing clone updates it.
/// Files are compared by identity through the library (<see cref="FileIdentity"/>), so the same
/// tests run on Linux and in the Wine pass; the reflink kind needs XFS or Btrfs images
/// (<see cref="IncrementalReflinkCloneTests"/>, Linux only).
/// </summary>
public sealed class IncrementalCloneTests : IDisposable
{
    private readonly DesktopSandbox sandbox = new();

    public void Dispose() => sandbox.Dispose();

    private TempDirectory Temp => sandbox.Temp;

    private static TreeSummary Run(TreeJobKind kind, string source, string destination, bool delete = false, bool dryRun = false, List<LinksmithException>? errors = null) =>
        TreeOperations.Run(new TreeJob
        {
            Kind = kind,
            SourcePath = source,
            DestinationPath = destination,
            Delete = delete,
            DryRun = dryRun,
            OnError = e => errors?.Add(e),
        });

    /// <summary>The file's identity (volume and file id) through the library, as on every platform.</summary>
    private static FileIdentity Identity(string path) => FixtureTree.Identity(path);

    /// <summary>Replaces a file by a new inode with <paramref name="content"/>, as an editor that saves by rename does.</summary>
    private static void Rewrite(string path, string content)
    {
        File.WriteAllText(path + ".new", content);
        File.Move(path + ".new", path, overwrite: true);
    }

    /// <summary>src: a.txt, keep.txt, gone.txt, sub/b.txt; cloned into dst (of <paramref name="kind"/>).</summary>
    private (string Source, string Destination) Cloned(TreeJobKind kind, string root = "")
    {
        var source = Temp.Dir(Path.Join(root, "src"));
        Temp.File(Path.Join(root, "src/a.txt"), "a1");
        Temp.File(Path.Join(root, "src/keep.txt"), "keep");
        Temp.File(Path.Join(root, "src/gone.txt"), "gone");
        Temp.File(Path.Join(root, "src/sub/b.txt"), "b1");
        var destination = Temp[Path.Join(root, "dst")];
        Assert.Equal(0, Run(kind, source, destination).Errors);
        return (source, destination);
    }

    [Fact]
    public void A_second_hard_link_clone_links_new_files_relinks_replaced_ones_and_leaves_the_rest()
    {
        var (source, destination) = Cloned(TreeJobKind.Clone);
        var keptIdentity = Identity(Path.Combine(destination, "keep.txt"));
        Temp.File("src/new/n.txt", "new");
        Rewrite(Path.Combine(source, "a.txt"), "a2");
        File.Delete(Path.Combine(source, "gone.txt"));
        // Someone replaced a name of the clone with a real file of other contents.
        File.Delete(Path.Combine(destination, TempDirectory.Native("sub/b.txt")));
        File.WriteAllText(Path.Combine(destination, TempDirectory.Native("sub/b.txt")), "edited in the clone");

        var summary = Run(TreeJobKind.Clone, source, destination);

        foreach (var name in new[] { "a.txt", "keep.txt", "sub/b.txt", "new/n.txt" })
        {
            Assert.Equal(Identity(Path.Combine(source, TempDirectory.Native(name))), Identity(Path.Combine(destination, TempDirectory.Native(name))));
        }

        Assert.Equal("a2", File.ReadAllText(Path.Combine(destination, "a.txt")));
        Assert.Equal("b1", File.ReadAllText(Path.Combine(destination, TempDirectory.Native("sub/b.txt"))));
        Assert.Equal(keptIdentity, Identity(Path.Combine(destination, "keep.txt")));
        Assert.Equal("gone", File.ReadAllText(Path.Combine(destination, "gone.txt")));
        Assert.Equal((3L, 2L, 1L, 0L, 1L), (summary.Linked, summary.Relinked, summary.Unchanged, summary.Deleted, summary.Directories));
        Assert.Empty(Directory.GetFiles(destination, "*linksmith*", SearchOption.AllDirectories));
    }

    [Fact]
    public void Delete_removes_only_what_the_source_lost_and_a_planted_symlink_as_a_link()
    {
        var (source, destination) = Cloned(TreeJobKind.Clone);
        var outside = Temp.File("outside/precious.txt", "must survive");
        File.Delete(Path.Combine(source, "gone.txt"));
        TempDirectory.Symlink(Path.Combine(destination, "escape"), Temp["outside"]);
        TempDirectory.Symlink(Path.Combine(destination, TempDirectory.Native("sub/escape-file")), outside);
        Temp.File("dst/stale/deep/z.txt", "stale");
        TempDirectory.Symlink(Path.Combine(destination, TempDirectory.Native("stale/deep/escape")), Temp["outside"]);

        var summary = Run(TreeJobKind.Clone, source, destination, delete: true);

        Assert.Equal(["a.txt", "keep.txt", "sub"], TempDirectory.Names(destination).Order(StringComparer.Ordinal));
        Assert.Equal(["b.txt"], TempDirectory.Names(Path.Combine(destination, "sub")));
        Assert.Equal("must survive", File.ReadAllText(outside));
        Assert.Equal(["precious.txt"], TempDirectory.Names(Temp["outside"]).Order(StringComparer.Ordinal));
        Assert.Equal(Identity(Path.Combine(source, "a.txt")), Identity(Path.Combine(destination, "a.txt")));
        Assert.Equal(7, summary.Deleted);
        Assert.Equal(0, summary.Errors);
    }

    [Fact]
    public void A_symlink_planted_where_the_source_has_a_folder_is_never_written_through()
    {
        var (source, destination) = Cloned(TreeJobKind.Clone);
        Temp.Dir("outside");
        Directory.Delete(Path.Combine(destination, "sub"), recursive: true);
        TempDirectory.Symlink(Path.Combine(destination, "sub"), Temp["outside"]);
        var errors = new List<LinksmithException>();

        Run(TreeJobKind.Clone, source, destination, errors: errors);

        Assert.Empty(TempDirectory.Names(Temp["outside"]));
        Assert.Equal(LinkKind.SymbolicLink, Link.Inspect(Path.Combine(destination, "sub")).Kind);
        Assert.Equal(Path.Combine(destination, "sub"), Assert.Single(errors).Path);

        var summary = Run(TreeJobKind.Clone, source, destination, delete: true);

        Assert.Empty(TempDirectory.Names(Temp["outside"]));
        Assert.Equal(LinkKind.Directory, Link.Inspect(Path.Combine(destination, "sub")).Kind);
        Assert.Equal(Identity(Path.Combine(source, TempDirectory.Native("sub/b.txt"))), Identity(Path.Combine(destination, TempDirectory.Native("sub/b.txt"))));
        Assert.Equal(0, summary.Errors);
    }

    [Fact]
    public void A_symbolic_clone_update_re_points_links_whose_text_is_not_the_original()
    {
        var (source, destination) = Cloned(TreeJobKind.SymbolicClone);
        Temp.File("src/new.txt", "new");
        File.Delete(Path.Combine(source, "gone.txt"));
        File.Delete(Path.Combine(destination, "a.txt"));
        File.CreateSymbolicLink(Path.Combine(destination, "a.txt"), "/etc/hostname");
        File.Delete(Path.Combine(destination, TempDirectory.Native("sub/b.txt")));
        File.WriteAllText(Path.Combine(destination, TempDirectory.Native("sub/b.txt")), "a real file where a link belongs");

        var summary = Run(TreeJobKind.SymbolicClone, source, destination, delete: true);

        foreach (var name in new[] { "a.txt", "keep.txt", "new.txt", "sub/b.txt" })
        {
            Assert.Equal(Path.Combine(source, TempDirectory.Native(name)), FixtureTree.LinkText(Path.Combine(destination, TempDirectory.Native(name))));
        }

        Assert.False(Path.Exists(Path.Combine(destination, "gone.txt")));
        Assert.Equal((3L, 2L, 1L, 1L), (summary.Symlinked, summary.Relinked, summary.Unchanged, summary.Deleted));
    }

    [Fact]
    public void The_dry_run_of_an_update_lists_each_change_and_changes_nothing()
    {
        var (source, destination) = Cloned(TreeJobKind.Clone);
        Temp.File("src/new.txt", "new");
        Rewrite(Path.Combine(source, "a.txt"), "a2");
        File.Delete(Path.Combine(source, "gone.txt"));
        var before = TreeSnapshot.Take(Temp.Path);

        var text = sandbox.Cli("clone", "--delete", "--dry-run", "src", "dst");
        var json = sandbox.Cli("clone", "--delete", "--dry-run", "--json", "src", "dst");

        Assert.Equal(before, TreeSnapshot.Take(Temp.Path));
        Assert.Equal((0, 0), (text.ExitCode, json.ExitCode));
        var lines = text.Out.Split('\n');
        Assert.Contains($"would hard-link {Path.Combine(destination, "new.txt")} => {Path.Combine(source, "new.txt")}", lines);
        Assert.Contains($"would relink (hard-link) {Path.Combine(destination, "a.txt")} => {Path.Combine(source, "a.txt")}, replacing the file there", lines);
        Assert.Contains($"would delete file {Path.Combine(destination, "gone.txt")}", lines);
        Assert.Matches(@"relinked\s+1 ", text.Out);
        Assert.Matches(@"unchanged\s+2\n", text.Out);
        Assert.DoesNotContain(lines, line => line.Contains("keep.txt", StringComparison.Ordinal));
        using var document = JsonDocument.Parse(json.Out);
        var plan = document.RootElement.GetProperty("plan").EnumerateArray().ToList();
        Assert.Equal("file", plan.Single(a => a.GetProperty("path").GetString() == Path.Combine(destination, "a.txt")).GetProperty("replaces").GetString());
        Assert.Equal(3, plan.Count);
    }

    [Fact]
    public void The_summary_counts_linked_relinked_unchanged_and_deleted()
    {
        var (source, _) = Cloned(TreeJobKind.Clone);
        Temp.File("src/new.txt", "new");
        Rewrite(Path.Combine(source, "a.txt"), "a2");
        File.Delete(Path.Combine(source, "gone.txt"));

        var result = sandbox.Cli("clone", "--delete", "--json", "src", "dst");
        var again = sandbox.Cli("clone", "--delete", "src", "dst");

        Assert.True(result.ExitCode == 0, result.Error);
        using var document = JsonDocument.Parse(result.Out);
        var root = document.RootElement;
        Assert.Equal((2, 1, 2, 1), (root.GetProperty("linked").GetInt32(), root.GetProperty("relinked").GetInt32(), root.GetProperty("unchanged").GetInt32(), root.GetProperty("deleted").GetInt32()));
        Assert.Equal(0, again.ExitCode);
        Assert.Matches(@"linked\s+0 hard links", again.Out);
        Assert.Matches(@"unchanged\s+4\n", again.Out);
    }

    [Theory]
    [InlineData("--hardlink")]
    [InlineData("--symbolic")]
    [InlineData("--reflink")]
    public void A_destination_that_is_a_file_exits_2_and_is_left_alone(string kind)
    {
        Temp.File("src/a.txt", "a");
        var file = Temp.File("dst.txt", "not a folder");
        string[] flags = kind == "--hardlink" ? [] : [kind];

        var result = sandbox.Cli(["clone", .. flags, "src", "dst.txt"]);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("linksmith: error: dst.txt: is a file, not a directory", result.Error, StringComparison.Ordinal);
        Assert.Contains("hint: ", result.Error, StringComparison.Ordinal);
        Assert.Equal("not a folder", File.ReadAllText(file));
    }

    [Theory]
    [InlineData("clone")]
    [InlineData("symbolic-clone")]
    public void Drop_as_a_clone_onto_an_existing_clone_updates_it(string kind)
    {
        var folder = Temp.Dir("src/project");
        Temp.File("src/project/main.c", "v1");
        Temp.File("src/project/old.c", "old");
        Temp.Dir("clones");
        Assert.Equal(0, sandbox.Cli("pick", folder).ExitCode);
        Assert.Equal(0, sandbox.Cli("drop", "clones", "--as", kind).ExitCode);
        Rewrite(Temp["src/project/main.c"], "v2");
        Temp.File("src/project/new.c", "new");

        Assert.Equal(0, sandbox.Cli("pick", folder).ExitCode);
        var again = sandbox.Cli("drop", "clones", "--as", kind);

        Assert.True(again.ExitCode == 0, again.Error);
        Assert.Contains("(updating what is there)", again.Out, StringComparison.Ordinal);
        // A hard link to the old main.c is re-linked; a symbolic link naming main.c already shows the new one.
        Assert.Contains(kind == "clone" ? "1 relinked, 1 unchanged" : "1 symlinked, 2 unchanged", again.Out, StringComparison.Ordinal);
        Assert.Equal(["project"], TempDirectory.Names(Temp["clones"]));
        Assert.Equal("v2", File.ReadAllText(Temp["clones/project/main.c"]));
        Assert.Equal("new", File.ReadAllText(Temp["clones/project/new.c"]));
        Assert.True(File.Exists(Temp["clones/project/old.c"]));
        if (kind == "clone")
        {
            Assert.Equal(Identity(Temp["src/project/main.c"]), Identity(Temp["clones/project/main.c"]));
        }
        else
        {
            Assert.Equal(Temp["src/project/main.c"], FixtureTree.LinkText(Temp["clones/project/main.c"]));
        }
    }

    [Fact]
    public void A_file_dropped_as_a_clone_onto_its_own_link_is_unchanged_and_onto_another_file_gets_a_new_name()
    {
        var file = Temp.File("src/notes.txt", "notes");
        Temp.Dir("clones");
        Temp.File("other/notes.txt", "someone else's");
        Assert.Equal(0, sandbox.Cli("pick", file).ExitCode);
        Assert.Equal(0, sandbox.Cli("drop", "clones", "--as", "clone").ExitCode);

        Assert.Equal(0, sandbox.Cli("pick", file).ExitCode);
        var again = sandbox.Cli("drop", "clones", "--as", "clone");
        Assert.Equal(0, sandbox.Cli("pick", file).ExitCode);
        var beside = sandbox.Cli("drop", "other", "--as", "clone");

        Assert.True(again.ExitCode == 0, again.Error);
        Assert.Contains("1 unchanged", again.Out, StringComparison.Ordinal);
        Assert.Equal(["notes.txt"], TempDirectory.Names(Temp["clones"]));
        Assert.Equal(0, beside.ExitCode);
        Assert.Equal("someone else's", File.ReadAllText(Temp["other/notes.txt"]));
        Assert.Equal(Identity(file), Identity(Temp["other/notes - Link.txt"]));
    }
}

/// <summary>
/// <c>clone --reflink</c> into an existing Reflink Clone, on loop-mounted XFS and Btrfs images
/// (Linux only: FIEMAP shows the shared blocks); the other kinds are in <see cref="IncrementalCloneTests"/>.
/// </summary>
[Trait("Platform", "Linux")]
public sealed class IncrementalReflinkCloneTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private TempDirectory Temp => temp;

    private static UInt128 Inode(string path) => ReflinkCopyTests.Inode(path);

    [Theory]
    [InlineData("xfs")]
    [InlineData("btrfs")]
    public void A_reflink_clone_update_reclones_changed_files_only_and_they_share_their_blocks(string type)
    {
        var root = Temp.MountImage("fs", type);
        var changed = ReflinkCopyTests.Write(Path.Combine(root, TempDirectory.Native("src/changed.bin")), 256 << 10, seed: 1);
        ReflinkCopyTests.Write(Path.Combine(root, TempDirectory.Native("src/same.bin")), 256 << 10, seed: 2);
        ReflinkCopyTests.Write(Path.Combine(root, TempDirectory.Native("src/gone.bin")), 64 << 10, seed: 3);
        var hardLinked = ReflinkCopyTests.Write(Path.Combine(root, TempDirectory.Native("src/hard.bin")), 64 << 10, seed: 6);
        Assert.Equal(0, CliRunner.Run(root, "clone", "--reflink", "src", "dst").ExitCode);
        // A hard link to the source where the Reflink Clone's own file belongs: same size and time, not a new inode.
        File.Delete(Path.Combine(root, TempDirectory.Native("dst/hard.bin")));
        Assert.Equal(0, CliRunner.Run(root, "hardlink", Path.Combine(root, TempDirectory.Native("src/hard.bin")), Path.Combine(root, TempDirectory.Native("dst/hard.bin"))).ExitCode);
        var sameInode = Inode(Path.Combine(root, TempDirectory.Native("dst/same.bin")));
        changed = ReflinkCopyTests.Write(Path.Combine(root, TempDirectory.Native("src/changed.bin")), 384 << 10, seed: 4);
        var added = ReflinkCopyTests.Write(Path.Combine(root, TempDirectory.Native("src/sub/new.bin")), 128 << 10, seed: 5);
        File.Delete(Path.Combine(root, TempDirectory.Native("src/gone.bin")));

        var result = CliRunner.Run(root, "clone", "--reflink", "--delete", "--json", "src", "dst");

        Assert.True(result.ExitCode == 0, result.Error);
        using var document = JsonDocument.Parse(result.Out);
        var summary = document.RootElement;
        Assert.Equal((3, 2, 1, 1), (summary.GetProperty("copied").GetInt32(), summary.GetProperty("relinked").GetInt32(), summary.GetProperty("unchanged").GetInt32(), summary.GetProperty("deleted").GetInt32()));
        Assert.Equal(changed, File.ReadAllBytes(Path.Combine(root, TempDirectory.Native("dst/changed.bin"))));
        Assert.Equal(added, File.ReadAllBytes(Path.Combine(root, TempDirectory.Native("dst/sub/new.bin"))));
        Assert.Equal(sameInode, Inode(Path.Combine(root, TempDirectory.Native("dst/same.bin"))));
        Assert.False(Path.Exists(Path.Combine(root, TempDirectory.Native("dst/gone.bin"))));
        Assert.Equal(hardLinked, File.ReadAllBytes(Path.Combine(root, TempDirectory.Native("dst/hard.bin"))));
        foreach (var name in new[] { "changed.bin", "sub/new.bin", "hard.bin" })
        {
            var extents = ReflinkCopyTests.Extents(Path.Combine(root, "dst", name));
            Assert.Equal(extents.DataBytes, extents.SharedBytes);
            Assert.NotEqual(Inode(Path.Combine(root, "src", name)), Inode(Path.Combine(root, "dst", name)));
        }
    }
}
