using System.Globalization;

namespace Linksmith.Tests.Health;

// Every figure is checked against an independent count: on Linux GNU find and du, on Windows a
// walk of its own that reads each entry's status through the handle layer.
public sealed class SizingTests : IDisposable
{
    private readonly HealthTree tree = new();

    public SizingTests()
    {
        // Something with real blocks, and a sparse file whose apparent size exceeds its blocks.
        File.WriteAllBytes(tree["anchor/data/big.bin"], new byte[100_000]);
        using (var sparse = File.Create(tree["anchor/data/sparse.bin"]))
        {
            sparse.SetLength(10_000_000);
        }
    }

    public void Dispose() => tree.Dispose();

    [Fact]
    public void Allocated_bytes_equal_du_sB1_exactly()
    {
        var figures = Assert.Single(TreeSize.Measure([tree.Anchor]).Trees);

        Assert.Equal(DuBytes(tree.Anchor), figures.AllocatedBytes);
    }

    [Fact]
    public void Every_figure_matches_an_independent_count_made_with_find()
    {
        var figures = Assert.Single(TreeSize.Measure([tree.Anchor]).Trees);

        Assert.Equal(FindFigures(tree.Anchor) with { Path = tree.Anchor }, figures);
    }

    [Fact]
    public void Named_bytes_count_every_name_apparent_bytes_each_file_once_and_reclaimable_leaves_out_files_named_outside()
    {
        using var temp = new TempDirectory();
        File.WriteAllBytes(temp["a"], new byte[10_000]);
        Link.CreateHardLink(temp["b"], temp["a"]);
        var tree = temp.Dir("tree");
        File.WriteAllBytes(temp["tree/inside"], new byte[5_000]);
        Link.CreateHardLink(temp["tree/inside-too"], temp["tree/inside"]);
        Link.CreateHardLink(temp["tree/shared"], temp["a"]);

        var figures = Assert.Single(TreeSize.Measure([tree]).Trees);

        Assert.Equal(5_000 + 5_000 + 10_000, figures.NamedBytes);
        Assert.Equal(5_000 + 10_000, figures.ApparentBytes);
        Assert.Equal(DuBytes(tree), figures.AllocatedBytes);
        Assert.Equal(figures.AllocatedBytes - Blocks(temp["a"]), figures.ReclaimableBytes);
        Assert.Equal((3, 1, 0), (figures.Files, figures.Dirs, figures.Links));
    }

    [Fact]
    public void Several_trees_are_each_judged_alone_and_the_total_counts_a_file_they_share_once()
    {
        using var temp = new TempDirectory();
        temp.Dir("one");
        File.WriteAllBytes(temp["one/big"], new byte[40_000]);
        temp.Dir("two");
        Link.CreateHardLink(temp["two/big"], temp["one/big"]);

        var report = TreeSize.Measure([temp["one"], temp["two"]]);

        Assert.All(report.Trees, t => Assert.Equal(0, t.ReclaimableBytes - Blocks(t.Path!)));
        Assert.All(report.Trees, t => Assert.Equal(DuBytes(t.Path!), t.AllocatedBytes));
        Assert.Equal(40_000, report.Total.ApparentBytes);
        Assert.Equal(80_000, report.Total.NamedBytes);
        Assert.Equal(DuBytes(temp["one"], temp["two"]), report.Total.AllocatedBytes);
        Assert.Equal(report.Total.AllocatedBytes, report.Total.ReclaimableBytes);
    }

    [Fact]
    public void A_tree_inside_another_given_tree_is_not_counted_twice_in_the_total()
    {
        var report = TreeSize.Measure([tree.Anchor, tree["anchor/data"]]);

        Assert.Equal(report.Trees[0] with { Path = null }, report.Total);
    }

    [Fact]
    public void No_link_is_followed()
    {
        using var temp = new TempDirectory();
        temp.Dir("elsewhere");
        File.WriteAllBytes(temp["elsewhere/huge"], new byte[1_000_000]);
        temp.Dir("tree");
        File.CreateSymbolicLink(temp["tree/link"], temp["elsewhere"]);

        var figures = Assert.Single(TreeSize.Measure([temp["tree"]]).Trees);

        Assert.Equal((0, 1, 1), (figures.Files, figures.Dirs, figures.Links));
        Assert.Equal(0, figures.NamedBytes);
        Assert.Equal(DuBytes(temp["tree"]), figures.AllocatedBytes);
    }

    [Fact]
    public void One_thread_and_many_give_the_same_figures()
    {
        using var temp = new TempDirectory();
        for (var i = 0; i < 30; i++)
        {
            File.WriteAllBytes(temp.File($"tree/d{i % 5}/f{i}"), new byte[1_000 * i]);
        }

        // A file named in several directories, so the workers' counts of its names must be added up.
        for (var i = 0; i < 5; i++)
        {
            Link.CreateHardLink(temp[$"tree/d{i}/shared"], temp["tree/d0/f5"]);
        }

        var alone = TreeSize.MeasureOnThreads([temp["tree"]], 1);
        var together = TreeSize.MeasureOnThreads([temp["tree"]], 4);

        Assert.Equal(alone.Trees, together.Trees);
        Assert.Equal(alone.Total, together.Total);
        Assert.Equal(FindFigures(temp["tree"]) with { Path = temp["tree"] }, Assert.Single(together.Trees));
    }

    [Fact]
    public void Depth_gives_each_subdirectory_down_to_n_its_own_figures_equal_to_du_and_a_count_made_with_find()
    {
        using var temp = DepthScene();

        var tree = Assert.Single(TreeSize.Measure([temp["tree"]], new SizeOptions { Depth = 2 }).Trees);

        var rows = Flatten(tree).ToList();
        Assert.Equal(["a", "a/a1", "a/a2", "b", "c"], rows.Select(r => Relative(temp["tree"], r.Path!)).Order(StringComparer.Ordinal));
        Assert.All(rows, row => Assert.Equal(DuBytes(row.Path!), row.AllocatedBytes));
        Assert.All(rows, row => Assert.Equal(FindFigures(row.Path!) with { Path = row.Path }, row with { Children = [] }));
        Assert.Equal(FindFigures(temp["tree"]) with { Path = temp["tree"] }, tree with { Children = [] });
    }

    [Fact]
    public void Each_row_is_judged_alone_a_file_with_a_name_outside_the_row_frees_nothing_when_it_is_deleted()
    {
        using var temp = DepthScene();

        var tree = Assert.Single(TreeSize.Measure([temp["tree"]], new SizeOptions { Depth = 2 }).Trees);

        var rows = Flatten(tree).ToDictionary(r => Relative(temp["tree"], r.Path!));
        // a/a2/shared also has a name in b: deleting a/a2 (or a, or b) frees none of its blocks,
        // deleting the whole tree frees them. a/a1/pair has both its names inside a/a1.
        var shared = Blocks(temp["tree/a/a2/shared"]);
        Assert.Equal(DuBytes(temp["tree/a/a2"]) - shared, rows["a/a2"].ReclaimableBytes);
        Assert.Equal(DuBytes(temp["tree/a"]) - shared, rows["a"].ReclaimableBytes);
        Assert.Equal(DuBytes(temp["tree/b"]) - shared, rows["b"].ReclaimableBytes);
        Assert.Equal(DuBytes(temp["tree/a/a1"]), rows["a/a1"].ReclaimableBytes);
        // c/kept has a name outside the measured tree: nobody frees it.
        var kept = Blocks(temp["tree/c/kept"]);
        Assert.Equal(DuBytes(temp["tree/c"]) - kept, rows["c"].ReclaimableBytes);
        Assert.Equal(DuBytes(temp["tree"]) - kept, tree.ReclaimableBytes);
    }

    [Fact]
    public void Rows_are_sorted_by_allocated_bytes_largest_first_at_every_level()
    {
        using var temp = DepthScene();

        var tree = Assert.Single(TreeSize.Measure([temp["tree"]], new SizeOptions { Depth = 2 }).Trees);

        Assert.Equal(["a", "c", "b"], tree.Children.Select(r => Path.GetFileName(r.Path!)));
        Assert.Equal(["a1", "a2"], tree.Children[0].Children.Select(r => Path.GetFileName(r.Path!)));
        Assert.All(Flatten(tree).Append(tree), row => Assert.Equal(row.Children.OrderByDescending(c => c.AllocatedBytes).ToList(), row.Children));
        // Depth 2 stops at a/a2: its subdirectory is counted in it, without a row of its own.
        Assert.Empty(tree.Children[0].Children[1].Children);
    }

    [Fact]
    public void Depth_rows_are_the_same_on_one_thread_and_many()
    {
        using var temp = DepthScene();

        var alone = Assert.Single(TreeSize.MeasureOnThreads([temp["tree"]], 1, new SizeOptions { Depth = 3 }).Trees);
        var together = Assert.Single(TreeSize.MeasureOnThreads([temp["tree"]], 4, new SizeOptions { Depth = 3 }).Trees);

        Assert.Equal(Flatten(alone).Select(r => r with { Children = [] }), Flatten(together).Select(r => r with { Children = [] }));
        Assert.Equal(6, Flatten(together).Count());
    }

    /// <summary>
    /// tree/a/a1 (300 KB, and a pair of hard links inside it), tree/a/a2 (a file also named in
    /// tree/b, and a deeper folder), tree/b, tree/c (a file also named outside the tree).
    /// </summary>
    private static TempDirectory DepthScene()
    {
        var temp = new TempDirectory();
        File.WriteAllBytes(temp.File("tree/a/a1/big"), new byte[300_000]);
        File.WriteAllBytes(temp.File("tree/a/a1/pair"), new byte[20_000]);
        Link.CreateHardLink(temp["tree/a/a1/pair-too"], temp["tree/a/a1/pair"]);
        File.WriteAllBytes(temp.File("tree/a/a2/shared"), new byte[50_000]);
        File.WriteAllBytes(temp.File("tree/a/a2/deep/small"), new byte[3_000]);
        temp.Dir("tree/b");
        Link.CreateHardLink(temp["tree/b/shared-too"], temp["tree/a/a2/shared"]);
        File.WriteAllBytes(temp.File("tree/c/kept"), new byte[90_000]);
        File.WriteAllBytes(temp.File("tree/c/other"), new byte[10_000]);
        Link.CreateHardLink(temp["kept-outside"], temp["tree/c/kept"]);
        return temp;
    }

    /// <summary><paramref name="path"/> relative to <paramref name="root"/>, spelled with '/' (as on Linux) on every system.</summary>
    private static string Relative(string root, string path) => Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/');

    private static IEnumerable<SizeFigures> Flatten(SizeFigures figures) =>
        figures.Children.SelectMany(child => Flatten(child).Prepend(child));

    /// <summary>
    /// The allocated bytes of <paramref name="paths"/> together, each file once: <c>du -sB1 -c</c> on
    /// Linux, on Windows the same sum over a walk of its own.
    /// </summary>
    internal static long DuBytes(params string[] paths)
    {
        if (OperatingSystem.IsWindows())
        {
            return paths.SelectMany(Entries).DistinctBy(entry => entry.Id).Sum(entry => entry.Blocks);
        }

        var result = Processes.Run("du", ["-sB1", "-c", .. paths]);
        Assert.Equal(0, result.ExitCode);
        var last = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        return long.Parse(last.Split('\t')[0], CultureInfo.InvariantCulture);
    }

    private static long Blocks(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return StatOnWindows(path).AllocatedBytes;
        }

        var result = Processes.Run("find", [path, "-maxdepth", "0", "-printf", "%b"]);
        return long.Parse(result.Out, CultureInfo.InvariantCulture) * 512;
    }

    /// <summary>The figures worked out from a status of every path under <paramref name="root"/> (see <see cref="Entries"/>), not from TreeSize's own accounting.</summary>
    internal static SizeFigures FindFigures(string root)
    {
        long files = 0, dirs = 0, links = 0, named = 0, apparent = 0, allocated = 0, reclaimable = 0;
        var seen = new Dictionary<string, int>();
        foreach (var (inode, nlink, blocks, size, type) in Entries(root))
        {
            switch (type)
            {
                case "d": dirs++; break;
                case "l": links++; break;
                default: files++; named += size; break;
            }

            var first = type == "d" || nlink == 1 || !seen.ContainsKey(inode);
            seen[inode] = seen.GetValueOrDefault(inode) + 1;
            if (first)
            {
                allocated += blocks;
                apparent += type is "d" or "l" ? 0 : size;
            }

            if (type == "d" || nlink == 1)
            {
                reclaimable += blocks;
            }
            else if (seen[inode] == nlink)
            {
                reclaimable += blocks;
            }
        }

        return new SizeFigures { Files = files, Dirs = dirs, Links = links, NamedBytes = named, ApparentBytes = apparent, AllocatedBytes = allocated, ReclaimableBytes = reclaimable };
    }

    /// <summary>
    /// <paramref name="root"/> and everything beneath it, no link followed: file identity, link
    /// count, allocated bytes, size and type (d, l, or f). On Linux from GNU find's own lstat of
    /// every path (%i inode, %n links, %b 512-byte blocks, %s size, %y type); on Windows from a walk
    /// with System.IO's listing and each entry's status as the handle layer reads it
    /// (FileStandardInfo's allocation size), since Windows has no find or du.
    /// </summary>
    private static IEnumerable<(string Id, long Links, long Blocks, long Size, string Type)> Entries(string root)
    {
        if (OperatingSystem.IsWindows())
        {
            return WalkOnWindows(root);
        }

        var result = Processes.Run("find", [root, "-printf", "%i %n %b %s %y\\0"]);
        Assert.Equal(0, result.ExitCode);
        return result.Out.Split('\0', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' '))
            .Select(row => (row[0], long.Parse(row[1], CultureInfo.InvariantCulture), long.Parse(row[2], CultureInfo.InvariantCulture) * 512, long.Parse(row[3], CultureInfo.InvariantCulture), row[4]))
            .ToList();
    }

    private static IEnumerable<(string Id, long Links, long Blocks, long Size, string Type)> WalkOnWindows(string root)
    {
        var pending = new Stack<string>([root]);
        while (pending.TryPop(out var path))
        {
            var status = StatOnWindows(path);
            var type = status.Kind switch
            {
                LinkKind.Directory => "d",
                LinkKind.SymbolicLink or LinkKind.Junction => "l",
                _ => "f",
            };
            yield return (status.Identity.ToString(), status.LinkCount, status.AllocatedBytes, status.Size, type);
            if (type == "d")
            {
                // Not Wine's own .REPARSE_POINT folder: on the Linux side it holds the links' data, and
                // Windows (and the walk) never list it.
                foreach (var child in Directory.EnumerateFileSystemEntries(path).Where(c => !WindowsDirectoryHandle.IsWineBookkeeping(Path.GetFileName(c))))
                {
                    pending.Push(child);
                }
            }
        }
    }

    private static FileStatus StatOnWindows(string path)
    {
        var (parent, name) = DirectoryHandle.OpenParent(path);
        using (parent)
        {
            return parent.Stat(name) ?? throw new FileNotFoundException(path);
        }
    }
}
