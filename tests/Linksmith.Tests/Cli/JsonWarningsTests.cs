using System.Text.Json;

namespace Linksmith.Tests.Cli;

/// <summary>
/// What a job says in a <c>linksmith: warning:</c> line in text mode, its <c>--json</c> document
/// carries as <c>warnings</c>: <c>[{path, message}]</c> (empty when there was nothing to say).
/// The warning about an attribute a file system cannot store is in <see cref="Trees.ExtendedAttributeTests"/>.
/// </summary>
public sealed class JsonWarningsTests : IDisposable
{
    private const string SpecialFile = "special file (device, FIFO or socket) not copied";

    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private void MakeTreeWithFifo()
    {
        // The one warning every tree job gives on Linux; Windows has no special files to leave out.
        Platform.SkipOnWindows("no FIFOs (mkfifo)");
        temp.File("src/a.txt", "alpha");
        temp.Dir("src/sub");
        Assert.Equal(0, Processes.Run("mkfifo", [temp["src/sub/pipe"]]).ExitCode);
    }

    [Theory]
    [InlineData("copy")]
    [InlineData("mirror")]
    [InlineData("backup")]
    public void A_fifo_left_out_of_a_tree_job_is_a_warning_on_stderr_and_in_the_json_warnings(string command)
    {
        MakeTreeWithFifo();

        var json = CliRunner.Run(temp.Path, command, "src", "dst", "--json");
        var text = CliRunner.Run(temp.Path, command, "src", "dst-text");

        Assert.True(json.ExitCode == 0, json.Error);
        using var report = JsonDocument.Parse(json.Out);
        var warning = Assert.Single(report.RootElement.GetProperty("warnings").EnumerateArray());
        Assert.Equal(temp["src/sub/pipe"], warning.GetProperty("path").GetString());
        Assert.Equal(SpecialFile, warning.GetProperty("message").GetString());
        Assert.Equal(0, report.RootElement.GetProperty("errors").GetArrayLength());
        Assert.Contains($"linksmith: warning: {temp["src/sub/pipe"]}: {SpecialFile}", json.Error, StringComparison.Ordinal);
        Assert.True(text.ExitCode == 0, text.Error);
        Assert.Contains($"linksmith: warning: {temp["src/sub/pipe"]}: {SpecialFile}", text.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_dry_run_warns_too()
    {
        MakeTreeWithFifo();

        var dry = CliRunner.Run(temp.Path, "copy", "src", "dst", "--dry-run", "--json");

        Assert.Equal(0, dry.ExitCode);
        using var dryReport = JsonDocument.Parse(dry.Out);
        Assert.Equal(temp["src/sub/pipe"], Assert.Single(dryReport.RootElement.GetProperty("warnings").EnumerateArray()).GetProperty("path").GetString());
        Assert.False(Directory.Exists(temp["dst"]));
    }

    [Fact]
    public void A_job_with_nothing_to_say_has_an_empty_warnings_array()
    {
        temp.File("plain/a.txt", "alpha");

        var quiet = CliRunner.Run(temp.Path, "copy", "plain", "dst-plain", "--json");
        var restore = CliRunner.Run(temp.Path, "backup", "plain", "repo");
        var snapshot = Path.GetFileName(Directory.GetDirectories(temp["repo"]).Single());
        var restored = CliRunner.Run(temp.Path, "snapshots", "restore", "repo", snapshot, "back", "--json");

        Assert.Equal(0, quiet.ExitCode);
        Assert.Equal(0, JsonDocument.Parse(quiet.Out).RootElement.GetProperty("warnings").GetArrayLength());
        Assert.Equal(string.Empty, quiet.Error);
        Assert.True(restore.ExitCode == 0, restore.Error);
        Assert.True(restored.ExitCode == 0, restored.Error);
        Assert.Equal(0, JsonDocument.Parse(restored.Out).RootElement.GetProperty("warnings").GetArrayLength());
    }

    [Fact]
    public void A_move_report_has_a_warnings_array()
    {
        temp.File("src/a.txt", "alpha");
        temp.Dir("to");

        var result = CliRunner.RunWithEnvironment(temp.Path, new Dictionary<string, string> { ["LINKSMITH_STATE_DIR"] = temp.Dir("state") }, "move", "src", "to", "--json");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal(0, JsonDocument.Parse(result.Out).RootElement.GetProperty("warnings").GetArrayLength());
    }
}
