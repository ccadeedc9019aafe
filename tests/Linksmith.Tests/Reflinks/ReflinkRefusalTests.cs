namespace Linksmith.Tests.Reflinks;

/// <summary>
/// <c>--reflink</c> where data blocks cannot be shared: <c>always</c> (and <c>clone --reflink</c>,
/// <c>drop --as reflink-clone</c>, <c>dedupe --reflink</c>) exits 3 before anything is written,
/// <c>auto</c> and <c>never</c> copy the bytes, a bad value exits 2. On Linux on a loop-mounted
/// ext4 (and a tmpfs as the other volume); on Windows (and in the Wine pass) on the test volume,
/// where no blocks can be shared (block cloning needs ReFS or a Dev Drive, which Wine's volumes are
/// not), and drive Y: as the other volume. Sharing itself is checked on XFS and Btrfs in
/// <see cref="ReflinkCopyTests"/> and <see cref="DedupeReflinkTests"/> (Linux only).
/// </summary>
public sealed class ReflinkRefusalTests : IDisposable
{
    private const int Small = 256 << 10;

    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    /// <summary>What a refusal says on this platform: Windows names block cloning's volumes (ReFS, Dev Drive); Linux the file system's lack.</summary>
    private static string NoReflinksReason => OperatingSystem.IsWindows() ? "block cloning needs ReFS or a Dev Drive" : "cannot share data blocks";

    private Dictionary<string, string> State => new() { ["LINKSMITH_STATE_DIR"] = temp["state"] };

    /// <summary>A folder on a file system without reflinks: a fresh ext4 image on Linux, a new folder on the test volume on Windows.</summary>
    private string NoReflinkRoot() => OperatingSystem.IsWindows() ? temp.Dir("fs") : temp.MountImage("fs", "ext4");

    /// <summary>A folder on another volume than <see cref="NoReflinkRoot"/>'s: a tmpfs on Linux (root only), drive Y: in the Wine pass.</summary>
    private string OtherVolume() => temp.OtherVolume("other");

    /// <summary>The names in <paramref name="folder"/> other than ext4's own <c>lost+found</c>.</summary>
    private static IEnumerable<string> Names(string folder) => TempDirectory.Names(folder).Where(name => name != "lost+found").Order(StringComparer.Ordinal);

    private static void AssertRefused(ProcessResult result, string reason)
    {
        Assert.True(result.ExitCode == 3, $"exit {result.ExitCode}: {result.Error}");
        Assert.StartsWith("linksmith: error: ", result.Error, StringComparison.Ordinal);
        Assert.Contains(reason, result.Error, StringComparison.Ordinal);
        Assert.Contains("hint: ", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Reflink_always_without_reflinks_exits_3_before_anything_is_written()
    {
        var root = NoReflinkRoot();
        ReflinkCopyTests.Write(Path.Combine(root, "src/a.bin"), Small, seed: 6);

        var result = CliRunner.Run(root, "copy", "--reflink", "always", "src", "dst/inner");

        AssertRefused(result, NoReflinksReason);
        Assert.False(Path.Exists(Path.Combine(root, "dst")));
        Assert.Equal(OperatingSystem.IsWindows() ? ["src"] : ["lost+found", "src"], Directory.GetFileSystemEntries(root).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Reflink_auto_and_never_without_reflinks_copy_the_bytes()
    {
        var root = NoReflinkRoot();
        var bytes = ReflinkCopyTests.Write(Path.Combine(root, "src/a.bin"), Small, seed: 7);

        Assert.Equal(0, CliRunner.Run(root, "copy", "src", "auto").ExitCode);
        Assert.Equal(0, CliRunner.Run(root, "copy", "--reflink", "never", "src", "never").ExitCode);

        Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(root, "auto/a.bin")));
        Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(root, "never/a.bin")));
    }

    [Fact]
    public void Reflink_always_dry_run_without_reflinks_exits_3_too()
    {
        var root = NoReflinkRoot();
        ReflinkCopyTests.Write(Path.Combine(root, "src/a.bin"), Small, seed: 10);

        var result = CliRunner.Run(root, "copy", "--reflink", "always", "--dry-run", "src", "dst");

        Assert.Equal(3, result.ExitCode);
        Assert.False(Path.Exists(Path.Combine(root, "dst")));
    }

    [Fact]
    public void Clone_reflink_without_reflinks_exits_3_and_symbolic_with_reflink_exits_2()
    {
        var root = NoReflinkRoot();
        ReflinkCopyTests.Write(Path.Combine(root, "src/a.bin"), Small, seed: 14);

        var refused = CliRunner.Run(root, "clone", "--reflink", "src", "dst");
        var conflict = CliRunner.Run(root, "clone", "--reflink", "--symbolic", "src", "dst");

        Assert.Equal(3, refused.ExitCode);
        Assert.StartsWith("linksmith: error: ", refused.Error, StringComparison.Ordinal);
        Assert.Equal(2, conflict.ExitCode);
        Assert.False(Path.Exists(Path.Combine(root, "dst")));
    }

    [Fact]
    public void A_bad_reflink_value_exits_2()
    {
        var result = CliRunner.Run(temp.Path, "copy", "--reflink", "sometimes", "src", "dst");

        Assert.Equal(2, result.ExitCode);
    }

    [Fact]
    public void Mirror_reflink_always_without_reflinks_exits_3_and_leaves_the_destination_as_it_was()
    {
        var root = NoReflinkRoot();
        ReflinkCopyTests.Write(Path.Combine(root, "src/a.bin"), Small, seed: 19);
        ReflinkCopyTests.Write(Path.Combine(root, "dst/a.bin"), Small, seed: 20);
        // What a mirror would delete, since SRC has no such file.
        ReflinkCopyTests.Write(Path.Combine(root, "dst/only-here.bin"), 4096, seed: 21);
        var before = TreeSnapshot.Take(Path.Combine(root, "dst"));

        var result = CliRunner.Run(root, "mirror", "--reflink", "always", "src", "dst");

        AssertRefused(result, NoReflinksReason);
        Assert.Equal(before, TreeSnapshot.Take(Path.Combine(root, "dst")));
    }

    [Fact]
    public void Backup_reflink_always_without_reflinks_exits_3_and_adds_no_snapshot()
    {
        var root = NoReflinkRoot();
        ReflinkCopyTests.Write(Path.Combine(root, "src/a.bin"), Small, seed: 22);

        var first = CliRunner.Run(root, "backup", "--reflink", "always", "src", "repo");
        Assert.False(Path.Exists(Path.Combine(root, "repo")));
        Assert.Equal(0, CliRunner.Run(root, "backup", "src", "repo").ExitCode);
        ReflinkCopyTests.Write(Path.Combine(root, "src/new.bin"), Small, seed: 23);
        var before = TreeSnapshot.Take(Path.Combine(root, "repo"));
        var second = CliRunner.Run(root, "backup", "--reflink", "always", "src", "repo");

        AssertRefused(first, NoReflinksReason);
        AssertRefused(second, NoReflinksReason);
        Assert.Equal(before, TreeSnapshot.Take(Path.Combine(root, "repo")));
    }

    [Fact]
    public void Reflink_always_across_volumes_exits_3_and_writes_nothing_on_the_other_volume()
    {
        var root = NoReflinkRoot();
        var other = OtherVolume();
        ReflinkCopyTests.Write(Path.Combine(root, "src/a.bin"), Small, seed: 24);

        var result = CliRunner.Run(root, "copy", "--reflink", "always", "src", Path.Combine(other, "dst"));

        // Linux is asked (EXDEV) and names the crossing; Windows refuses before asking.
        AssertRefused(result, OperatingSystem.IsWindows() ? NoReflinksReason : "reflinks never cross file systems");
        Assert.Empty(TempDirectory.Names(other));
    }

    [Fact]
    public void Move_reflink_always_across_volumes_exits_3_and_moves_nothing()
    {
        var root = NoReflinkRoot();
        var other = OtherVolume();
        var bytes = ReflinkCopyTests.Write(Path.Combine(root, "data/a.bin"), Small, seed: 25);

        var result = CliRunner.RunWithEnvironment(root, State, "move", "--reflink", "always", "data", other);

        AssertRefused(result, OperatingSystem.IsWindows() ? NoReflinksReason : "reflinks never cross file systems");
        Assert.Equal(LinkKind.Directory, Link.Inspect(Path.Combine(root, "data")).Kind);
        Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(root, "data/a.bin")));
        Assert.Empty(TempDirectory.Names(other));
    }

    [Fact]
    public void Reflink_always_with_no_file_to_share_is_not_refused()
    {
        var root = NoReflinkRoot();
        Directory.CreateDirectory(Path.Combine(root, "src/empty"));
        ReflinkCopyTests.Write(Path.Combine(root, "src/sub/a.bin"), Small, seed: 26);

        // Nothing is left to share once *.bin is excluded: there is nothing to refuse.
        var result = CliRunner.Run(root, "copy", "--reflink", "always", "--exclude", "*.bin", "src", "dst");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.True(Directory.Exists(Path.Combine(root, "dst/empty")));
        Assert.Empty(Directory.GetFiles(Path.Combine(root, "dst"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void Drop_as_reflink_clone_without_reflinks_exits_3_and_makes_nothing()
    {
        var root = NoReflinkRoot();
        ReflinkCopyTests.Write(Path.Combine(root, "src/project/main.bin"), Small, seed: 18);
        Directory.CreateDirectory(Path.Combine(root, "clones"));

        Assert.Equal(0, CliRunner.RunWithEnvironment(root, State, "pick", "src/project").ExitCode);
        var refused = CliRunner.RunWithEnvironment(root, State, "drop", "clones", "--as", "reflink-clone");

        Assert.Equal(3, refused.ExitCode);
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(root, "clones")));
    }

    [Fact]
    public void Dedupe_reflink_without_reflinks_fails_with_the_reflink_hint_and_changes_nothing()
    {
        var root = NoReflinkRoot();
        var bytes = ReflinkCopyTests.Write(Path.Combine(root, "a"), 1 << 20, seed: 7);
        File.WriteAllBytes(Path.Combine(root, "b"), bytes);
        File.SetLastWriteTimeUtc(Path.Combine(root, "a"), new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var before = TreeSnapshot.Take(root);

        var error = Assert.Throws<ReflinksNotSupportedException>(() => Deduplicator.Run(new DedupeOptions
        {
            Roots = [root],
            Apply = true,
            Reflink = true,
            StateDatabasePath = Path.Combine(temp.Dir("library-state"), "state.db"),
        }, TestContext.Current.CancellationToken));
        var cli = CliRunner.RunWithEnvironment(temp.Path, State, "dedupe", "--reflink", root);

        // Linux names the file systems that have reflinks; Windows, the volumes that clone blocks.
        Assert.Contains(OperatingSystem.IsWindows() ? "ReFS volume or a Dev Drive" : "Btrfs, XFS", error.Hint, StringComparison.Ordinal);
        Assert.Equal(3, cli.ExitCode);
        Assert.Contains("linksmith: error: ", cli.Error, StringComparison.Ordinal);
        Assert.Contains("hint: ", cli.Error, StringComparison.Ordinal);
        Assert.Equal(before, TreeSnapshot.Take(root));
    }

    [Fact]
    public void The_library_refuses_with_ReflinksNotSupportedException_and_leaves_nothing()
    {
        var root = NoReflinkRoot();
        ReflinkCopyTests.Write(Path.Combine(root, "src/a.bin"), Small, seed: 27);

        var copy = Assert.Throws<ReflinksNotSupportedException>(() => TreeOperations.Run(new TreeJob
        {
            Kind = TreeJobKind.Copy,
            SourcePath = Path.Combine(root, "src"),
            DestinationPath = Path.Combine(root, "dst"),
            Reflink = ReflinkMode.Always,
        }));
        var clone = Assert.Throws<ReflinksNotSupportedException>(() => TreeOperations.Run(new TreeJob
        {
            Kind = TreeJobKind.ReflinkClone,
            SourcePath = Path.Combine(root, "src"),
            DestinationPath = Path.Combine(root, "clone"),
        }));

        Assert.Equal(root, copy.Path);
        Assert.Equal(root, clone.Path);
        Assert.Contains(OperatingSystem.IsWindows() ? "Use --reflink auto (the default) or --reflink never" : "Btrfs, XFS", copy.Hint, StringComparison.Ordinal);
        Assert.Equal(["src"], Names(root));
    }
}
