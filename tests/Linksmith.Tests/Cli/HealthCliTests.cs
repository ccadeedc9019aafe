using System.Globalization;
using System.Text.Json;
using Linksmith.Tests.Health;

namespace Linksmith.Tests.Cli;

public sealed class HealthCliTests : IDisposable
{
    private readonly HealthTree tree = new();

    public void Dispose() => tree.Dispose();

    [Fact]
    public void Check_prints_one_line_per_dangling_link_or_loop_and_exits_1()
    {
        Platform.SkipOnWindows("not ported yet (issue 17): the expected lines spell paths and link texts with '/' and a loop as Linux reports it");
        var result = CliRunner.Run(tree.Temp.Path, "check", "anchor");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(
            [
                $"dangling {tree.Anchor}/dangling-inner -> data/missing",
                $"dangling {tree.Anchor}/dangling-outer -> /nonexistent-linksmith/x",
                $"loop {tree.Anchor}/ping -> pong",
                $"loop {tree.Anchor}/pong -> ping",
                $"loop {tree.Anchor}/self -> self",
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
        Platform.SkipOnWindows("not ported yet (issue 17): the expected entries spell paths and link texts with '/' and a loop as Linux reports it");
        var result = CliRunner.Run(tree.Temp.Path, "check", "anchor", "--json");

        Assert.Equal(1, result.ExitCode);
        var problems = JsonDocument.Parse(result.Out).RootElement.GetProperty("problems").EnumerateArray()
            .Select(p => (p.GetProperty("path").GetString(), p.GetProperty("problem").GetString(), p.GetProperty("target").GetString()))
            .Order()
            .ToList();
        Assert.Equal(
            [
                (tree["anchor/dangling-inner"], "dangling", "data/missing"),
                (tree["anchor/dangling-outer"], "dangling", "/nonexistent-linksmith/x"),
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
        Platform.SkipOnWindows("not ported yet (issue 17): the expected counts take loops and '/nonexistent' as Linux reports them");
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
        Platform.SkipOnWindows("not ported yet (issue 17): the expected lines spell paths and link texts with '/' and count a loop as Linux reports it");
        var result = CliRunner.Run(tree.Temp.Path, "scan", "anchor");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"symlink  relative inner dangling {tree.Anchor}/dangling-inner -> data/missing\n", result.Out, StringComparison.Ordinal);
        Assert.Contains($"symlink  absolute outer ok       {tree.Anchor}/abs-outer -> {tree["outside/o.txt"]}\n", result.Out, StringComparison.Ordinal);
        Assert.Contains($"hard-link group, 1 of 2 names here, unsaturated: {tree.Anchor}/hl-in\n", result.Out, StringComparison.Ordinal);
        Assert.Contains("10 links (7 relative, 3 absolute; 7 inner, 3 outer; 5 dangling, of which 3 loops); 2 hard-link groups (1 saturated, 1 unsaturated)", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Repair_dry_run_lists_each_change_and_changes_nothing()
    {
        Platform.SkipOnWindows("not ported yet (issue 17): the expected lines take loops and '/nonexistent-linksmith/x' as Linux reports them");
        tree.Temp.File("moved/o.txt", "outer");
        var before = TreeSnapshot.Take(tree.Temp.Path);

        var result = CliRunner.Run(tree.Temp.Path, "repair", "anchor", "--map", $"{tree["outside"]}={tree["moved"]}", "--delete-dangling", "--dry-run");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(before, TreeSnapshot.Take(tree.Temp.Path));
        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains($"would repoint {tree.Anchor}/abs-outer: {tree["outside/o.txt"]} -> {tree["moved/o.txt"]}", lines);
        Assert.Contains($"would repoint {tree.Anchor}/rel-outer: ../outside/o.txt -> ../moved/o.txt", lines);
        Assert.Contains($"would delete dangling symbolic link {tree.Anchor}/self -> self", lines);
        Assert.Equal(2, lines.Count(l => l.StartsWith("would repoint", StringComparison.Ordinal)));
        Assert.Equal(5, lines.Count(l => l.StartsWith("would delete", StringComparison.Ordinal)));
    }

    [Fact]
    public void Repair_re_points_links_keeping_relative_ones_relative_and_reports_json()
    {
        Platform.SkipOnWindows("not ported yet (issue 17): the expected link texts are spelled with '/'");
        tree.Temp.File("moved/o.txt", "outer");

        var result = CliRunner.Run(tree.Temp.Path, "repair", "anchor", "--map", "outside=moved", "--json");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("../moved/o.txt", tree.TargetOf("anchor/rel-outer"));
        Assert.Equal(tree["moved/o.txt"], tree.TargetOf("anchor/abs-outer"));
        var changes = JsonDocument.Parse(result.Out).RootElement.GetProperty("changes").EnumerateArray().ToList();
        Assert.Equal(2, changes.Count);
        Assert.All(changes, c => Assert.Equal("repoint", c.GetProperty("action").GetString()));
        Assert.Equal("data/missing", tree.TargetOf("anchor/dangling-inner"));
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
        Platform.SkipOnWindows("not ported yet (issue 17): the expected lines take '/nonexistent-linksmith/x' as absolute, which is drive-relative on Windows");
        var before = TreeSnapshot.Take(tree.Temp.Path);

        var result = CliRunner.Run(tree.Temp.Path, "convert", "anchor", "--to", "relative", "--dry-run");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(before, TreeSnapshot.Take(tree.Temp.Path));
        Assert.Equal(
            [
                $"would convert {tree.Anchor}/abs-inner: {tree["anchor/data/file.txt"]} -> data/file.txt",
                $"would convert {tree.Anchor}/abs-outer: {tree["outside/o.txt"]} -> ../outside/o.txt",
                $"would convert {tree.Anchor}/dangling-outer: /nonexistent-linksmith/x -> {Path.GetRelativePath(tree.Anchor, "/nonexistent-linksmith/x")}",
            ],
            result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
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
        Platform.SkipOnWindows("compares with du, which Windows does not have");
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
    public void Size_prints_human_units_and_the_exact_byte_count()
    {
        Platform.SkipOnWindows("compares with du, which Windows does not have");
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
