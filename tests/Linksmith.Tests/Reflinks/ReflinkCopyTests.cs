using System.Text.Json;

namespace Linksmith.Tests.Reflinks;

/// <summary>
/// <c>--reflink auto|always|never</c> on copy, mirror, backup and move, and <c>clone --reflink</c>,
/// on real loop-mounted XFS and Btrfs: FIEMAP tells whether a copy's blocks are shared. Refusals where
/// blocks cannot be shared (ext4, Windows) are in <see cref="ReflinkRefusalTests"/>.
/// </summary>
[Trait("Platform", "Linux")]
public sealed class ReflinkCopyTests : IDisposable
{
    private const int Big = 1 << 20;
    private const int Small = 256 << 10;

    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Theory]
    [InlineData("xfs")]
    [InlineData("btrfs")]
    public void Copy_reflink_always_shares_every_extent_and_a_write_to_the_copy_leaves_the_source_alone(string type)
    {
        var root = temp.MountImage("fs", type);
        var big = Write(Path.Combine(root, "src/big.bin"), Big, seed: 1);
        var small = Write(Path.Combine(root, "src/sub/small.bin"), Small, seed: 2);

        var result = CliRunner.Run(root, "copy", "--reflink", "always", "src", "dst");

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"copied\s+2 files", result.Out);
        Assert.Equal(new ExtentSummary(Big, Big, Extents(Path.Combine(root, "dst/big.bin")).Extents), Extents(Path.Combine(root, "dst/big.bin")));
        Assert.Equal(Small, Extents(Path.Combine(root, "dst/sub/small.bin")).SharedBytes);
        Assert.Equal(big, File.ReadAllBytes(Path.Combine(root, "dst/big.bin")));

        using (var copy = new FileStream(Path.Combine(root, "dst/big.bin"), FileMode.Open, FileAccess.Write))
        {
            copy.Write(new byte[8192]);
        }

        Assert.Equal(big, File.ReadAllBytes(Path.Combine(root, "src/big.bin")));
        Assert.Equal(small, File.ReadAllBytes(Path.Combine(root, "dst/sub/small.bin")));
        Assert.NotEqual(Inode(Path.Combine(root, "src/big.bin")), Inode(Path.Combine(root, "dst/big.bin")));
    }

    [Theory]
    [InlineData("xfs")]
    [InlineData("btrfs")]
    public void Copy_reflink_never_shares_nothing(string type)
    {
        var root = temp.MountImage("fs", type);
        var big = Write(Path.Combine(root, "src/big.bin"), Big, seed: 3);

        var result = CliRunner.Run(root, "copy", "--reflink", "never", "src", "dst");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(big, File.ReadAllBytes(Path.Combine(root, "dst/big.bin")));
        var copied = Extents(Path.Combine(root, "dst/big.bin"));
        Assert.Equal(Big, copied.DataBytes);
        Assert.Equal(0, copied.SharedBytes);
        Assert.Equal(0, Extents(Path.Combine(root, "src/big.bin")).SharedBytes);
    }

    [Theory]
    [InlineData("xfs")]
    [InlineData("btrfs")]
    public void Copy_reflink_auto_the_default_shares_on_one_reflink_file_system(string type)
    {
        var root = temp.MountImage("fs", type);
        Write(Path.Combine(root, "src/big.bin"), Big, seed: 4);

        var result = CliRunner.Run(root, "copy", "--json", "src", "dst");

        Assert.Equal(0, result.ExitCode);
        using var document = JsonDocument.Parse(result.Out);
        Assert.Equal("auto", document.RootElement.GetProperty("reflink").GetString());
        Assert.Equal(Big, Extents(Path.Combine(root, "dst/big.bin")).SharedBytes);
    }

    [Theory]
    [InlineData("always")]
    [InlineData("auto")]
    [InlineData("never")]
    public void A_sparse_file_stays_sparse_whatever_the_reflink_mode(string mode)
    {
        var root = temp.MountImage("fs", "xfs");
        var source = Path.Combine(root, "src/sparse.bin");
        Directory.CreateDirectory(Path.GetDirectoryName(source)!);
        var data = RandomBytes(Small, seed: 5);
        using (var stream = new FileStream(source, FileMode.CreateNew, FileAccess.Write))
        {
            stream.SetLength(64L << 20);
            stream.Write(data);
            stream.Position = 32L << 20;
            stream.Write(data);
        }

        var result = CliRunner.Run(root, "copy", "--reflink", mode, "src", "dst");

        Assert.Equal(0, result.ExitCode);
        var copy = Path.Combine(root, "dst/sparse.bin");
        Assert.Equal(64L << 20, new FileInfo(copy).Length);
        var extents = Extents(copy);
        Assert.Equal(2L * Small, extents.DataBytes);
        Assert.Equal(mode == "never" ? 0 : 2L * Small, extents.SharedBytes);
        Assert.Equal(File.ReadAllBytes(source), File.ReadAllBytes(copy));
    }

    [Fact]
    public void Reflink_always_across_file_systems_exits_3_and_says_reflinks_never_cross_them()
    {
        var one = temp.MountImage("one", "xfs");
        var two = temp.MountImage("two", "xfs");
        Write(Path.Combine(one, "src/a.bin"), Small, seed: 8);

        var result = CliRunner.Run(temp.Path, "mirror", "--reflink", "always", Path.Combine(one, "src"), Path.Combine(two, "dst"));

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("reflinks never cross file systems", result.Error, StringComparison.Ordinal);
        Assert.False(Path.Exists(Path.Combine(two, "dst")));
    }

    [Fact]
    public void Copy_reflink_always_dry_run_lists_reflinks_and_changes_nothing()
    {
        var root = temp.MountImage("fs", "xfs");
        Write(Path.Combine(root, "src/a.bin"), Small, seed: 9);

        var result = CliRunner.Run(root, "copy", "--reflink", "always", "--dry-run", "src", "dst");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"would reflink {Path.Combine(root, "src/a.bin")} -> {Path.Combine(root, "dst/a.bin")}", result.Out, StringComparison.Ordinal);
        Assert.False(Path.Exists(Path.Combine(root, "dst")));
        Assert.Equal(["src"], Directory.GetFileSystemEntries(root).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("xfs")]
    [InlineData("btrfs")]
    public void Backup_reflink_always_shares_the_copied_files(string type)
    {
        var root = temp.MountImage("fs", type);
        Write(Path.Combine(root, "src/a.bin"), Small, seed: 11);

        var result = CliRunner.Run(root, "backup", "--json", "--reflink", "always", "src", "repo");

        Assert.Equal(0, result.ExitCode);
        using var document = JsonDocument.Parse(result.Out);
        var snapshot = document.RootElement.GetProperty("snapshot").GetString()!;
        Assert.Equal(Small, Extents(Path.Combine(snapshot, "a.bin")).SharedBytes);
    }

    [Theory]
    [InlineData("xfs")]
    [InlineData("btrfs")]
    public void Clone_reflink_makes_independent_inodes_that_share_every_block(string type)
    {
        var root = temp.MountImage("fs", type);
        var big = Write(Path.Combine(root, "src/big.bin"), Big, seed: 12);
        Write(Path.Combine(root, "src/sub/small.bin"), Small, seed: 13);
        File.CreateSymbolicLink(Path.Combine(root, "src/link"), "big.bin");

        var result = CliRunner.Run(root, "clone", "--reflink", "src", "dst");

        Assert.Equal(0, result.ExitCode);
        foreach (var name in new[] { "big.bin", "sub/small.bin" })
        {
            var clone = Path.Combine(root, "dst", name);
            Assert.NotEqual(Inode(Path.Combine(root, "src", name)), Inode(clone));
            Assert.Equal(1, LinkCount(clone));
            var extents = Extents(clone);
            Assert.Equal(extents.DataBytes, extents.SharedBytes);
            Assert.True(extents.DataBytes > 0);
        }

        Assert.Equal("big.bin", new FileInfo(Path.Combine(root, "dst/link")).LinkTarget);
        File.WriteAllText(Path.Combine(root, "dst/big.bin"), "changed");
        Assert.Equal(big, File.ReadAllBytes(Path.Combine(root, "src/big.bin")));
    }

    [Fact]
    public void Move_reflink_always_across_file_systems_exits_3_and_moves_nothing()
    {
        var one = temp.MountImage("one", "xfs");
        var two = temp.MountImage("two", "xfs");
        var bytes = Write(Path.Combine(one, "data/a.bin"), Small, seed: 15);
        var state = temp.Dir("state");

        var result = CliRunner.RunWithEnvironment(temp.Path, new Dictionary<string, string> { ["LINKSMITH_STATE_DIR"] = state }, "move", "--reflink", "always", Path.Combine(one, "data"), two);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("reflinks never cross file systems", result.Error, StringComparison.Ordinal);
        Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(one, "data/a.bin")));
        Assert.Empty(Directory.GetFileSystemEntries(two));
    }

    [Fact]
    public void Move_reflink_never_across_file_systems_records_the_mode_with_its_copy_step()
    {
        var one = temp.MountImage("one", "xfs");
        var two = temp.MountImage("two", "xfs");
        var bytes = Write(Path.Combine(one, "data/a.bin"), Small, seed: 16);
        var environment = new Dictionary<string, string> { ["LINKSMITH_STATE_DIR"] = temp.Dir("state") };

        var planned = CliRunner.RunWithEnvironment(temp.Path, environment, "move", "--dry-run", "--json", "--reflink", "never", Path.Combine(one, "data"), two);
        var moved = CliRunner.RunWithEnvironment(temp.Path, environment, "move", "--reflink", "never", Path.Combine(one, "data"), two);

        Assert.Equal(0, planned.ExitCode);
        using (var document = JsonDocument.Parse(planned.Out))
        {
            var copy = document.RootElement.EnumerateObject().SelectMany(p => p.Value.ValueKind == JsonValueKind.Array ? p.Value.EnumerateArray() : Enumerable.Empty<JsonElement>())
                .First(s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty("detail", out _) && s.GetProperty("detail").GetString() == "reflink never");
            Assert.Equal(JsonValueKind.Object, copy.ValueKind);
        }

        Assert.Equal(0, moved.ExitCode);
        Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(two, "data/a.bin")));
        Assert.Equal(0, Extents(Path.Combine(two, "data/a.bin")).SharedBytes);
    }

    /// <summary>The refusal on ext4 (and on Windows) is in <see cref="ReflinkRefusalTests"/>.</summary>
    [Fact]
    public void Drop_as_reflink_clone_makes_dest_dir_slash_name_sharing_blocks()
    {
        var root = temp.MountImage("fs", "xfs");
        var bytes = Write(Path.Combine(root, "src/project/main.bin"), Small, seed: 17);
        Directory.CreateDirectory(Path.Combine(root, "clones"));
        var environment = new Dictionary<string, string> { ["LINKSMITH_STATE_DIR"] = temp.Dir("state") };

        Assert.Equal(0, CliRunner.RunWithEnvironment(root, environment, "pick", "src/project").ExitCode);
        var dropped = CliRunner.RunWithEnvironment(root, environment, "drop", "clones", "--as", "reflink-clone");

        Assert.True(dropped.ExitCode == 0, dropped.Error);
        var clone = Path.Combine(root, "clones/project/main.bin");
        Assert.Equal(bytes, File.ReadAllBytes(clone));
        Assert.NotEqual(Inode(Path.Combine(root, "src/project/main.bin")), Inode(clone));
        Assert.Equal(Small, Extents(clone).SharedBytes);
    }

    internal static ExtentSummary Extents(string path)
    {
        using var handle = File.OpenHandle(path);
        return FileExtents.Summarize((int)handle.DangerousGetHandle(), path) ?? throw new InvalidOperationException($"{path}: no extent map");
    }

    internal static byte[] Write(string path, int size, int seed)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var bytes = RandomBytes(size, seed);
        File.WriteAllBytes(path, bytes);
        return bytes;
    }

    private static byte[] RandomBytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    internal static UInt128 Inode(string path) => PathFacts.Stat(path, followLinks: false)!.Value.Identity.FileId;

    private static long LinkCount(string path) => PathFacts.Stat(path, followLinks: false)!.Value.LinkCount;
}
