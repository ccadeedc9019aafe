using System.Globalization;
using System.Text.Json;
using Linksmith.Tests.Health;

namespace Linksmith.Tests.Reflinks;

/// <summary>
/// <c>size --shared</c> on real loop-mounted Btrfs and XFS: shared and exclusive bytes against
/// <c>btrfs filesystem du</c> and against filefrag's own FIEMAP listing, and "unknown" where the
/// file system has no extent map.
/// </summary>
[Trait("Platform", "Linux")]
public sealed class SharedSizeTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Shared_and_exclusive_bytes_equal_btrfs_filesystem_du()
    {
        var root = temp.MountImage("fs", "btrfs");
        var set = ReflinkScene(root);

        var figures = Assert.Single(TreeSize.Measure([set], new SizeOptions { Shared = true }).Trees);

        var du = Processes.Run("btrfs", ["filesystem", "du", "-s", "--raw", set]);
        Assert.Equal(0, du.ExitCode);
        // "Total Exclusive Set-shared Filename": set-shared counts each shared extent once, as we do.
        var columns = du.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var (exclusive, setShared) = (long.Parse(columns[1], CultureInfo.InvariantCulture), long.Parse(columns[2], CultureInfo.InvariantCulture));
        Assert.Equal(setShared, figures.SharedBytes);
        // Ours adds directories and links (btrfs counts them in metadata: 0 blocks here).
        Assert.Equal(exclusive + NonFileBlocks(set), figures.ExclusiveBytes);
        Assert.Equal(0, figures.SharedUnknownBytes);
        // orig and its clone share 3 MB; fromoutside shares 2 MB with a file outside; plain is alone.
        Assert.Equal(5_000_000, figures.SharedBytes!.Value, tolerance: 2 * 4096);
    }

    [Fact]
    public void On_xfs_each_row_counts_each_physical_extent_once_as_filefrag_lists_them()
    {
        var root = temp.MountImage("fs", "xfs");
        var set = ReflinkScene(root);

        var tree = Assert.Single(TreeSize.Measure([set], new SizeOptions { Shared = true, Depth = 1 }).Trees);

        foreach (var figures in tree.Children.Prepend(tree))
        {
            var (shared, exclusive) = FilefragCount(figures.Path!);
            Assert.Equal(shared, figures.SharedBytes);
            Assert.Equal(exclusive + NonFileBlocks(figures.Path!), figures.ExclusiveBytes);
        }

        Assert.True(tree.SharedBytes >= 5_000_000, $"shared {tree.SharedBytes}");
        // a holds orig (its clone lies in b) and plain: judged alone, orig's extents are still shared.
        var a = tree.Children.Single(row => row.Path == Path.Combine(set, "a"));
        Assert.Equal(3_000_000, a.SharedBytes!.Value, tolerance: 4096);
    }

    [Fact]
    public void The_cli_prints_shared_and_exclusive_bytes_and_json_has_them_per_dir_and_in_the_total()
    {
        var root = temp.MountImage("fs", "btrfs");
        var set = ReflinkScene(root);
        var expected = Assert.Single(TreeSize.Measure([set], new SizeOptions { Shared = true }).Trees);

        var text = CliRunner.Run(root, "size", "set", "--shared");
        var json = CliRunner.Run(root, "size", "set", "--shared", "--json");

        Assert.Equal((0, 0), (text.ExitCode, json.ExitCode));
        Assert.Contains($"({expected.SharedBytes} bytes in extents shared with other files, each once), exclusive ", text.Out, StringComparison.Ordinal);
        var document = JsonDocument.Parse(json.Out).RootElement;
        foreach (var figures in new[] { document.GetProperty("sizes")[0], document.GetProperty("total") })
        {
            Assert.Equal(expected.SharedBytes, figures.GetProperty("sharedBytes").GetInt64());
            Assert.Equal(expected.ExclusiveBytes, figures.GetProperty("exclusiveBytes").GetInt64());
            Assert.Equal(0, figures.GetProperty("sharedUnknownBytes").GetInt64());
        }

        var plain = CliRunner.Run(root, "size", "set", "--json");
        Assert.False(JsonDocument.Parse(plain.Out).RootElement.GetProperty("sizes")[0].TryGetProperty("sharedBytes", out _));
    }

    [Fact]
    public void Where_the_file_system_has_no_extent_map_the_bytes_are_reported_unknown()
    {
        var root = temp.TryMountTmpfs("tmp");
        if (root is null)
        {
            Assert.Skip("mounting tmpfs needs root on Linux");
        }

        File.WriteAllBytes(Path.Combine(root, "one"), new byte[40_000]);
        File.WriteAllBytes(Path.Combine(root, "two"), new byte[10_000]);

        var figures = Assert.Single(TreeSize.Measure([root], new SizeOptions { Shared = true }).Trees);

        Assert.Equal(0, figures.SharedBytes);
        Assert.Equal(SizingTests.DuBytes(Path.Combine(root, "one"), Path.Combine(root, "two")), figures.SharedUnknownBytes);
        Assert.Equal(figures.AllocatedBytes, figures.SharedUnknownBytes + figures.ExclusiveBytes);
    }

    /// <summary>
    /// set/a/orig (3 MB) reflinked to set/b/clone, set/a/plain (1 MB, alone), set/b/fromoutside
    /// reflinked from a 2 MB file outside the set, and a hard link to plain in b. Data is synced, so
    /// every extent has its place on disk.
    /// </summary>
    private static string ReflinkScene(string root)
    {
        var set = Directory.CreateDirectory(Path.Combine(root, "set")).FullName;
        Directory.CreateDirectory(Path.Combine(set, "a"));
        Directory.CreateDirectory(Path.Combine(set, "b"));
        File.WriteAllBytes(Path.Combine(set, "a/orig"), RandomBytes(3_000_000));
        File.WriteAllBytes(Path.Combine(set, "a/plain"), RandomBytes(1_000_000));
        File.WriteAllBytes(Path.Combine(root, "outside"), RandomBytes(2_000_000));
        Assert.Equal(0, Processes.Run("cp", ["--reflink=always", Path.Combine(set, "a/orig"), Path.Combine(set, "b/clone")]).ExitCode);
        Assert.Equal(0, Processes.Run("cp", ["--reflink=always", Path.Combine(root, "outside"), Path.Combine(set, "b/fromoutside")]).ExitCode);
        Link.CreateHardLink(Path.Combine(set, "b/plain-too"), Path.Combine(set, "a/plain"));
        Assert.Equal(0, Processes.Run("sync", []).ExitCode);
        return set;
    }

    /// <summary>Shared and exclusive bytes of the regular files under <paramref name="directory"/> from <c>filefrag -v -b1</c>, each physical range once.</summary>
    private static (long Shared, long Exclusive) FilefragCount(string directory)
    {
        var shared = new List<(long Start, long End)>();
        var exclusive = new List<(long Start, long End)>();
        foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            var result = Processes.Run("filefrag", ["-v", "-b1", file]);
            Assert.Equal(0, result.ExitCode);
            foreach (var line in result.Out.Split('\n'))
            {
                // "   0:        0.. 3002367:   13631488..  16633855: 3002368:             last,shared,eof"
                var fields = line.Split(':');
                if (fields.Length < 5 || !int.TryParse(fields[0], CultureInfo.InvariantCulture, out _))
                {
                    continue;
                }

                var physical = long.Parse(fields[2].Split("..")[0], CultureInfo.InvariantCulture);
                var length = long.Parse(fields[3], CultureInfo.InvariantCulture);
                (fields[^1].Contains("shared", StringComparison.Ordinal) ? shared : exclusive).Add((physical, physical + length));
            }
        }

        return (Union(shared), Union(exclusive));
    }

    private static long Union(List<(long Start, long End)> ranges)
    {
        long total = 0, end = long.MinValue;
        foreach (var (start, stop) in ranges.Order())
        {
            var from = Math.Max(start, end);
            total += Math.Max(0, stop - from);
            end = Math.Max(end, stop);
        }

        return total;
    }

    /// <summary>Blocks of the directories and links in <paramref name="directory"/> (find's %b).</summary>
    private static long NonFileBlocks(string directory)
    {
        var result = Processes.Run("find", [directory, "(", "-type", "d", "-o", "-type", "l", ")", "-printf", "%b\\n"]);
        return result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Sum(blocks => long.Parse(blocks, CultureInfo.InvariantCulture) * 512);
    }

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        new Random(count).NextBytes(bytes);
        return bytes;
    }
}
