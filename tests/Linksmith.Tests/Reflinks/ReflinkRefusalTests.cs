namespace Linksmith.Tests.Reflinks;

/// <summary>
/// <c>--reflink</c> where data blocks cannot be shared: <c>always</c> exits 3 before anything is
/// written, <c>auto</c> and <c>never</c> copy the bytes, a bad value exits 2. On Linux on a
/// loop-mounted ext4; on Windows (and in the Wine pass) on the test volume, where Linksmith shares
/// no blocks (block cloning needs ReFS or a Dev Drive, and is not wired yet). Sharing itself is
/// checked on XFS and Btrfs in <see cref="ReflinkCopyTests"/> (Linux only).
/// </summary>
public sealed class ReflinkRefusalTests : IDisposable
{
    private const int Small = 256 << 10;

    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    /// <summary>A folder on a file system without reflinks: a fresh ext4 image on Linux, a new folder on the test volume on Windows.</summary>
    private string NoReflinkRoot() => OperatingSystem.IsWindows() ? temp.Dir("fs") : temp.MountImage("fs", "ext4");

    [Fact]
    public void Reflink_always_without_reflinks_exits_3_before_anything_is_written()
    {
        var root = NoReflinkRoot();
        ReflinkCopyTests.Write(Path.Combine(root, "src/a.bin"), Small, seed: 6);

        var result = CliRunner.Run(root, "copy", "--reflink", "always", "src", "dst/inner");

        Assert.Equal(3, result.ExitCode);
        Assert.StartsWith("linksmith: error: ", result.Error, StringComparison.Ordinal);
        // Windows has no block cloning in Linksmith yet, and says so; Linux names the file system's lack.
        Assert.Contains(OperatingSystem.IsWindows() ? "share data blocks (reflinks) are not available on this platform yet" : "cannot share data blocks", result.Error, StringComparison.Ordinal);
        Assert.Contains("hint: ", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
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
}
