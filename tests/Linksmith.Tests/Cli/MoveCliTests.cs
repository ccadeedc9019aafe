using System.Text.Json;
using Linksmith.Tests.Move;

namespace Linksmith.Tests.Cli;

public sealed class MoveCliTests
{
    [Fact]
    public void Move_across_file_systems_says_what_it_did_and_json_gives_the_summary()
    {
        using var scene = new MoveScene();

        var result = scene.Cli("move", "--json", "app", scene.Away);

        Assert.Equal(0, result.ExitCode);
        using var document = JsonDocument.Parse(result.Out);
        var root = document.RootElement;
        Assert.Equal(scene.Expected.Count(e => e.Value.StartsWith("file", StringComparison.Ordinal)) - 1, root.GetProperty("copied").GetInt32());
        Assert.Equal(1, root.GetProperty("linked").GetInt32());
        Assert.Equal(2, root.GetProperty("symlinked").GetInt32());
        Assert.Equal(0, root.GetProperty("skipped").GetInt32());
        Assert.True(root.GetProperty("deleted").GetInt32() > 0);
        Assert.True(root.GetProperty("bytes").GetInt64() > 300_000);
        Assert.Equal(0, root.GetProperty("errors").GetArrayLength());
        Assert.Equal(scene.Source, root.GetProperty("from").GetString());
        Assert.Equal(scene.Target, root.GetProperty("to").GetString());
        Assert.Equal("done", root.GetProperty("state").GetString());
        Assert.Equal(OperatingSystem.IsWindows() ? "junction" : "symlink", root.GetProperty("link").GetString());
        scene.AssertSettled(moved: true);

        var back = scene.Cli("move", "--back", "app");
        Assert.Equal(0, back.ExitCode);
        Assert.StartsWith($"moved back {scene.Target} -> {scene.Source}", back.Out, StringComparison.Ordinal);
        scene.AssertSettled(moved: false);

        var moves = scene.Cli("moves");
        Assert.Matches(@"done\s+away\s+\S+[/\\]home[/\\]app -> \S+[/\\]away[/\\]app", moves.Out);
        Assert.Matches(@"done\s+back\s+\S+[/\\]away[/\\]app -> \S+[/\\]home[/\\]app", moves.Out);
    }

    [Fact]
    public void Move_prints_a_human_summary_with_the_link_it_left()
    {
        using var scene = new MoveScene(acrossVolumes: false);

        var result = scene.Cli("move", "app", scene.Away);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal($"moved {scene.Source} -> {scene.Target}\nleft {(OperatingSystem.IsWindows() ? "junction" : "symlink")} {scene.Source} -> {scene.Target}\n", result.Out);
        Assert.Equal(string.Empty, result.Error);
    }

    [Fact]
    public void Dry_run_prints_the_plan_and_changes_nothing()
    {
        using var scene = new MoveScene();
        var link = OperatingSystem.IsWindows() ? "junction" : "symlink";

        var result = scene.Cli("move", "--dry-run", "app", scene.Away);

        Assert.Equal(0, result.ExitCode);
        var lines = result.Out.Split('\n');
        Assert.StartsWith($"would copy {scene.Source} -> {Path.Combine(scene.Away, ".app.linksmith-move-")}", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("would rename ", lines[1], StringComparison.Ordinal);
        Assert.EndsWith($" -> {scene.Target}", lines[1], StringComparison.Ordinal);
        Assert.StartsWith($"would rename {scene.Source} -> {Path.Combine(scene.Home, ".app.linksmith-moved-")}", lines[2], StringComparison.Ordinal);
        Assert.Equal($"would create {link} {scene.Source} -> {scene.Target}", lines[3]);
        Assert.StartsWith($"would delete {Path.Combine(scene.Home, ".app.linksmith-moved-")}", lines[4], StringComparison.Ordinal);
        scene.AssertSettled(moved: false);
    }

    [Fact]
    public void Refusals_exit_1_or_3_with_the_path_and_a_hint()
    {
        using var scene = new MoveScene(acrossVolumes: false);
        File.CreateSymbolicLink(Path.Combine(scene.Home, "link"), "app");
        Directory.CreateDirectory(Path.Combine(scene.Away, "app"));
        var file = TempDirectory.Native("app/big.bin");

        var missing = scene.Cli("move", "nothing", scene.Away);
        var link = scene.Cli("move", "link", scene.Away);
        var exists = scene.Cli("move", "app", scene.Away);
        var inside = scene.Cli("move", "app", TempDirectory.Native("app/d1"));
        var junction = scene.Cli("move", "--leave", "junction", file, Path.Combine(scene.Home, "app", "d2"));

        Assert.Equal((1, "linksmith: error: nothing: no such file or directory"), (missing.ExitCode, missing.Error.Split('\n')[0]));
        Assert.Equal(1, link.ExitCode);
        Assert.StartsWith("linksmith: error: link: is already a symbolic link (to app); moving it would move the link, not the data\nhint: ", link.Error, StringComparison.Ordinal);
        Assert.Equal(1, exists.ExitCode);
        Assert.StartsWith($"linksmith: error: {Path.Combine(scene.Away, "app")}: already exists (a directory); a move never replaces anything\nhint: ", exists.Error, StringComparison.Ordinal);
        Assert.Equal(1, inside.ExitCode);
        Assert.Contains("is inside the source", inside.Error, StringComparison.Ordinal);
        Assert.Equal(3, junction.ExitCode);
        Assert.StartsWith($"linksmith: error: {file}: a junction cannot point to a file", junction.Error, StringComparison.Ordinal);
        Assert.True(scene.IsComplete(scene.Source));
    }

    [Theory]
    [InlineData("move", "app")]
    [InlineData("move", "--resume", "app")]
    [InlineData("move", "--back", "app", "--leave", "none")]
    [InlineData("move", "--leave", "sideways", "app", "away")]
    public void A_wrong_command_line_exits_2(params string[] arguments)
    {
        using var scene = new MoveScene(acrossVolumes: false);

        var result = scene.Cli(arguments);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("linksmith: error: ", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_interrupted_move_is_announced_by_other_commands_until_resume_settles_it()
    {
        using var scene = new MoveScene();
        const string Warning = "linksmith: warning: a move was interrupted; run `linksmith move --resume` to finish or roll it back\n";

        Assert.Equal(string.Empty, scene.Cli("moves").Error);
        scene.CliKilledAt(FaultPoints.MoveStep, 9, "move", "app", scene.Away);

        var info = scene.Cli("info", "app");
        Assert.Equal(Warning, info.Error);
        var listed = scene.Cli("moves", "--json");
        Assert.Equal("running", JsonDocument.Parse(listed.Out).RootElement.GetProperty("moves")[0].GetProperty("state").GetString());

        var resumed = scene.Cli("move", "--resume");
        Assert.Equal(0, resumed.ExitCode);
        Assert.Equal(string.Empty, resumed.Error);
        Assert.StartsWith($"moved {scene.Source} -> {scene.Target}", resumed.Out, StringComparison.Ordinal);
        scene.AssertSettled(moved: true);
        Assert.Equal(string.Empty, scene.Cli("info", "app").Error);
        Assert.Equal("nothing to resume: no move is pending\n", scene.Cli("move", "--resume").Out);
    }
}
