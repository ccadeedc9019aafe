using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Linksmith.Tests.Health;

namespace Linksmith.Tests.Cli;

public sealed class HealthCliTests : IDisposable
{
    private readonly HealthTree tree = new();

    public void Dispose() => tree.Dispose();

    /// <summary>A link text of the fixture (written with '/') as the link stores it on this system.</summary>
    private static string Stored(string target) => HealthTree.AsStored(TempDirectory.Native(target));

    [Fact]
    public void Check_prints_one_line_per_dangling_link_or_loop_and_exits_1()
    {
        var result = CliRunner.Run(tree.Temp.Path, "check", "anchor");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
            [
                $"dangling {tree["anchor/dangling-inner"]} -> {Stored("data/missing")}",
                $"dangling {tree["anchor/dangling-outer"]} -> {Stored("/nonexistent-linksmith/x")}",
                $"loop {tree["anchor/ping"]} -> pong",
                $"loop {tree["anchor/pong"]} -> ping",
                $"loop {tree["anchor/self"]} -> self",
            ],
            result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
        Assert.Equal(string.Empty, result.Error);
    }

    [Fact]
    public void Check_of_a_healthy_tree_prints_nothing_and_exits_0()
    {
        using var temp = new TempDirectory();
        temp.File("file");
        File.CreateSymbolicLink(temp["link"], "file");
        File.CreateSymbolicLink(temp["absolute"], temp["file"]);

        var result = CliRunner.Run(temp.Path, "check", ".");

        Assert.Equal((0, string.Empty), (result.ExitCode, result.Out));
    }

    [Fact]
    public void Check_exits_1_for_absolute_links_only_when_asked_to_report_them()
    {
        using var temp = new TempDirectory();
        temp.File("file");
        File.CreateSymbolicLink(temp["absolute"], temp["file"]);

        var plain = CliRunner.Run(temp.Path, "check", ".");
        var strict = CliRunner.Run(temp.Path, "check", ".", "--absolute", "--json");

        Assert.Equal(0, plain.ExitCode);
        Assert.Equal(1, strict.ExitCode);
        var problem = Assert.Single(JsonDocument.Parse(strict.Out).RootElement.GetProperty("problems").EnumerateArray());
        Assert.Equal(("absolute", temp["file"]), (problem.GetProperty("problem").GetString(), problem.GetProperty("target").GetString()));
    }

    [Fact]
    public void Check_json_lists_each_problem_with_path_problem_and_target()
    {
        var result = CliRunner.Run(tree.Temp.Path, "check", "anchor", "--json");

        Assert.Equal(1, result.ExitCode);
        var problems = JsonDocument.Parse(result.Out).RootElement.GetProperty("problems").EnumerateArray()
            .Select(p => (p.GetProperty("path").GetString(), p.GetProperty("problem").GetString(), p.GetProperty("target").GetString()))
            .Order()
            .ToList();
        Assert.Equal(
            [
                (tree["anchor/dangling-inner"], "dangling", Stored("data/missing")),
                (tree["anchor/dangling-outer"], "dangling", Stored("/nonexistent-linksmith/x")),
                (tree["anchor/ping"], "loop", "pong"),
                (tree["anchor/pong"], "loop", "ping"),
                (tree["anchor/self"], "loop", "self"),
            ],
            problems);
    }

    [Fact]
    public void Check_of_a_missing_directory_says_so_and_exits_1()
    {
        var result = CliRunner.Run(tree.Temp.Path, "check", "nope");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("linksmith: error: nope: no such file or directory", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Scan_json_has_links_hard_link_groups_and_a_summary()
    {
        var result = CliRunner.Run(tree.Temp.Path, "scan", "anchor", "--json");

        Assert.Equal(0, result.ExitCode);
        var root = JsonDocument.Parse(result.Out).RootElement;
        var self = root.GetProperty("links").EnumerateArray().Single(l => l.GetProperty("path").GetString() == tree["anchor/self"]);
        Assert.Equal(
            ("symlink", "self", true, true, true, true),
            (self.GetProperty("kind").GetString(), self.GetProperty("target").GetString(), self.GetProperty("relative").GetBoolean(),
             self.GetProperty("inner").GetBoolean(), self.GetProperty("dangling").GetBoolean(), self.GetProperty("loop").GetBoolean()));
        Assert.Equal(10, root.GetProperty("links").GetArrayLength());
        var groups = root.GetProperty("hardLinkGroups").EnumerateArray().ToList();
        Assert.Equal([true, false], groups.Select(g => g.GetProperty("saturated").GetBoolean()).OrderDescending());
        Assert.All(groups, g => Assert.Equal(2, g.GetProperty("linkCount").GetInt64()));
        Assert.Equal(5, root.GetProperty("summary").GetProperty("dangling").GetInt32());
        Assert.Equal(3, root.GetProperty("summary").GetProperty("loops").GetInt32());
    }

    [Fact]
    public void Scan_prints_a_line_per_link_and_group_and_a_summary()
    {
        var result = CliRunner.Run(tree.Temp.Path, "scan", "anchor");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"symlink  relative inner dangling {tree["anchor/dangling-inner"]} -> {Stored("data/missing")}\n", result.Out, StringComparison.Ordinal);
        Assert.Contains($"symlink  absolute outer ok       {tree["anchor/abs-outer"]} -> {tree["outside/o.txt"]}\n", result.Out, StringComparison.Ordinal);
        Assert.Contains($"hard-link group, 1 of 2 names here, unsaturated: {tree["anchor/hl-in"]}\n", result.Out, StringComparison.Ordinal);
        Assert.Contains("10 links (7 relative, 3 absolute; 7 inner, 3 outer; 5 dangling, of which 3 loops); 2 hard-link groups (1 saturated, 1 unsaturated)", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Repair_dry_run_lists_each_change_and_changes_nothing()
    {
        tree.Temp.File("moved/o.txt", "outer");
        var before = TreeSnapshot.Take(tree.Temp.Path);

        var result = CliRunner.Run(tree.Temp.Path, "repair", "anchor", "--map", $"{tree["outside"]}={tree["moved"]}", "--delete-dangling", "--dry-run");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(before, TreeSnapshot.Take(tree.Temp.Path));
        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains($"would repoint {tree["anchor/abs-outer"]}: {tree["outside/o.txt"]} -> {tree["moved/o.txt"]}", lines);
        Assert.Contains($"would repoint {tree["anchor/rel-outer"]}: {Stored("../outside/o.txt")} -> {Stored("../moved/o.txt")}", lines);
        Assert.Contains($"would delete dangling symbolic link {tree["anchor/self"]} -> self", lines);
        Assert.Equal(2, lines.Count(l => l.StartsWith("would repoint", StringComparison.Ordinal)));
        Assert.Equal(5, lines.Count(l => l.StartsWith("would delete", StringComparison.Ordinal)));
    }

    [Fact]
    public void Repair_re_points_links_keeping_relative_ones_relative_and_reports_json()
    {
        tree.Temp.File("moved/o.txt", "outer");

        var result = CliRunner.Run(tree.Temp.Path, "repair", "anchor", "--map", "outside=moved", "--json");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(TempDirectory.Native("../moved/o.txt"), tree.TargetOf("anchor/rel-outer"));
        Assert.Equal(tree["moved/o.txt"], tree.TargetOf("anchor/abs-outer"));
        var changes = JsonDocument.Parse(result.Out).RootElement.GetProperty("changes").EnumerateArray().ToList();
        Assert.Equal(2, changes.Count);
        Assert.All(changes, c => Assert.Equal("repoint", c.GetProperty("action").GetString()));
        Assert.Equal(TempDirectory.Native("data/missing"), tree.TargetOf("anchor/dangling-inner"));
    }

    [Theory]
    [InlineData("repair", "anchor")]
    [InlineData("repair", "anchor", "--map", "no-equals-sign")]
    [InlineData("convert", "anchor")]
    [InlineData("convert", "anchor", "--to", "sideways")]
    public void A_repair_or_convert_without_a_valid_instruction_is_a_usage_error(params string[] arguments)
    {
        var result = CliRunner.Run(tree.Temp.Path, arguments);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("linksmith: error: ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Convert_dry_run_lists_each_change_and_changes_nothing()
    {
        var before = TreeSnapshot.Take(tree.Temp.Path);

        var result = CliRunner.Run(tree.Temp.Path, "convert", "anchor", "--to", "relative", "--dry-run");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(before, TreeSnapshot.Take(tree.Temp.Path));
        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
            [
                $"would convert {tree["anchor/abs-inner"]}: {tree["anchor/data/file.txt"]} -> {Stored("data/file.txt")}",
                $"would convert {tree["anchor/abs-outer"]}: {tree["outside/o.txt"]} -> {Stored("../outside/o.txt")}",
            ],
            lines.Where(l => !l.Contains("dangling-outer", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        var outer = Stored("/nonexistent-linksmith/x");
        var outerLine = Assert.Single(lines, l => l.Contains("dangling-outer", StringComparison.Ordinal));
        if (Path.IsPathFullyQualified(outer) && !string.Equals(Path.GetPathRoot(outer), Path.GetPathRoot(tree.Anchor), StringComparison.OrdinalIgnoreCase))
        {
            // Under Wine '\nonexistent-linksmith\x' is stored as Z:\..., another drive than the
            // tree's C:, and a link to another volume stays absolute.
            Assert.StartsWith($"kept absolute {tree["anchor/dangling-outer"]} -> {outer}: ", outerLine, StringComparison.Ordinal);
            Assert.Contains("another volume", outerLine, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal($"would convert {tree["anchor/dangling-outer"]}: {outer} -> {Path.GetRelativePath(tree.Anchor, outer)}", outerLine);
        }
    }

    [Fact]
    public void Convert_to_absolute_rewrites_the_links_and_reports_json()
    {
        var result = CliRunner.Run(tree.Temp.Path, "convert", "anchor", "--to", "absolute", "--json");

        Assert.Equal(0, result.ExitCode);
        var root = JsonDocument.Parse(result.Out).RootElement;
        Assert.Equal(7, root.GetProperty("changes").GetArrayLength());
        Assert.Equal("absolute", root.GetProperty("to").GetString());
        Assert.Equal(tree["anchor/data/file.txt"], tree.TargetOf("anchor/rel-inner"));
        Assert.Equal("hello", File.ReadAllText(tree["anchor/rel-inner"]));
    }

    [Fact]
    public void Size_json_gives_exact_integers_with_allocated_bytes_equal_to_du()
    {
        var result = CliRunner.Run(tree.Temp.Path, "size", "anchor", "outside", "--json");

        Assert.Equal(0, result.ExitCode);
        var root = JsonDocument.Parse(result.Out).RootElement;
        var sizes = root.GetProperty("sizes").EnumerateArray().ToList();
        Assert.Equal([tree.Anchor, tree["outside"]], sizes.Select(s => s.GetProperty("path").GetString()));
        Assert.Equal(SizingTests.DuBytes(tree.Anchor), sizes[0].GetProperty("allocatedBytes").GetInt64());
        Assert.Equal(SizingTests.DuBytes(tree["outside"]), sizes[1].GetProperty("allocatedBytes").GetInt64());
        Assert.Equal(SizingTests.DuBytes(tree.Anchor, tree["outside"]), root.GetProperty("total").GetProperty("allocatedBytes").GetInt64());
        var expected = SizingTests.FindFigures(tree.Anchor);
        Assert.Equal(expected.ReclaimableBytes, sizes[0].GetProperty("reclaimableBytes").GetInt64());
        Assert.Equal(expected.NamedBytes, sizes[0].GetProperty("namedBytes").GetInt64());
    }

    [Fact]
    public void Size_depth_json_nests_children_largest_first_each_equal_to_du()
    {
        using var temp = new TempDirectory();
        File.WriteAllBytes(temp.File("tree/small/f"), new byte[10_000]);
        File.WriteAllBytes(temp.File("tree/large/f"), new byte[200_000]);
        File.WriteAllBytes(temp.File("tree/large/inner/f"), new byte[100_000]);
        Link.CreateHardLink(temp["tree/small/g"], temp["tree/large/inner/f"]);

        var result = CliRunner.Run(temp.Path, "size", "tree", "--depth", "2", "--json");

        Assert.Equal(0, result.ExitCode);
        var tree = Assert.Single(JsonDocument.Parse(result.Out).RootElement.GetProperty("sizes").EnumerateArray());
        var children = tree.GetProperty("children").EnumerateArray().ToList();
        Assert.Equal([temp["tree/large"], temp["tree/small"]], children.Select(c => c.GetProperty("path").GetString()));
        Assert.All(children, c => Assert.Equal(SizingTests.DuBytes(c.GetProperty("path").GetString()!), c.GetProperty("allocatedBytes").GetInt64()));
        var inner = Assert.Single(children[0].GetProperty("children").EnumerateArray());
        Assert.Equal(temp["tree/large/inner"], inner.GetProperty("path").GetString());
        // inner/f is also named in small: deleting inner frees only the folder itself.
        Assert.Equal(SizingTests.DuBytes(temp["tree/large/inner"]) - SizingTests.DuBytes(temp["tree/large/inner/f"]), inner.GetProperty("reclaimableBytes").GetInt64());
        Assert.False(children[1].TryGetProperty("children", out _));
    }

    [Fact]
    public void Size_depth_prints_a_row_per_folder_largest_first_with_a_bar_only_on_a_terminal()
    {
        using var temp = new TempDirectory();
        File.WriteAllBytes(temp.File("tree/small/f"), new byte[10_000]);
        File.WriteAllBytes(temp.File("tree/large/f"), new byte[200_000]);

        var piped = CliRunner.Run(temp.Path, "size", "tree", "--depth", "1");
        using var output = new StringWriter();
        var exitCode = Linksmith.Cli.LinksmithCli.Run(["size", temp["tree"], "--depth", "1"], new Linksmith.Cli.CliConsole(output, TextWriter.Null, IsTerminal: true));

        Assert.Equal((0, 0), (piped.ExitCode, exitCode));
        var rows = piped.Out.Split('\n').Where(line => line.EndsWith(')') && line.Contains("(reclaimable", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, rows.Count);
        var large = HumanSizeOf(SizingTests.DuBytes(temp["tree/large"]));
        Assert.Equal($"  {large,10}  large  (reclaimable {large})", rows[0]);
        Assert.StartsWith($"  {HumanSizeOf(SizingTests.DuBytes(temp["tree/small"])),10}  small  (reclaimable ", rows[1], StringComparison.Ordinal);
        Assert.DoesNotContain("█", piped.Out, StringComparison.Ordinal);
        // A bar of 20 cells: the row's share of the tree.
        Assert.Matches($@"  {Regex.Escape(large)}  █{{15,19}}░{{1,5}}  large  \(reclaimable", output.ToString());
    }

    private static string HumanSizeOf(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB");

    [Fact]
    public void Size_depth_below_zero_is_a_usage_error()
    {
        var result = CliRunner.Run(tree.Temp.Path, "size", "anchor", "--depth", "-1");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("linksmith: error: --depth must be 0 or more", result.Error, StringComparison.Ordinal);
        Assert.Contains("hint: ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Size_prints_human_units_and_the_exact_byte_count()
    {
        var result = CliRunner.Run(tree.Temp.Path, "size", "anchor");

        Assert.Equal(0, result.ExitCode);
        var du = SizingTests.DuBytes(tree.Anchor);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"allocated {du / 1024.0:0.0#} KiB ({du} bytes on disk"), result.Out, StringComparison.Ordinal);
        Assert.StartsWith($"{tree.Anchor}: 4 files, 3 dirs, 10 links", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Odd_names_stay_on_one_line_in_check_and_exact_in_json()
    {
        var result = CliRunner.RunInBash(tree.Temp.Path, """
            mkdir odd
            ln -s nowhere "odd/$(printf 'new\nline')"
            ln -s "$(printf 'caf\351')" "odd/$(printf 'x\377y')"
            ln -s gone "odd/skull 💀"
            $LINKSMITH check odd
            echo "exit=$?"
            $LINKSMITH check odd --json
            """);

        var lines = result.Out.Split('\n');
        Assert.Contains($"dangling {tree.Temp.Path}/odd/new\\nline -> nowhere", lines);
        Assert.Contains($"dangling {tree.Temp.Path}/odd/x\\xffy -> caf\\xe9", lines);
        Assert.Contains($"dangling {tree.Temp.Path}/odd/skull 💀 -> gone", lines);
        Assert.Contains("exit=1", lines);
        var json = result.Out[result.Out.IndexOf('{', StringComparison.Ordinal)..];
        Assert.Contains("\"path\": \"" + tree.Temp.Path + "/odd/x\\udcffy\"", json, StringComparison.Ordinal);
        Assert.Contains("\"target\": \"caf\\udce9\"", json, StringComparison.Ordinal);
        var paths = JsonDocument.Parse(json.Replace("\\udcff", "?", StringComparison.Ordinal).Replace("\\udce9", "?", StringComparison.Ordinal))
            .RootElement.GetProperty("problems").EnumerateArray().Select(p => p.GetProperty("path").GetString()).ToList();
        Assert.Contains(tree.Temp.Path + "/odd/new\nline", paths);
        Assert.Contains(tree.Temp.Path + "/odd/skull 💀", paths);
    }
}
