using System.Text.Json;

namespace Linksmith.Tests.Cli;

public sealed class TreeCliTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Copy_prints_a_summary_and_exits_0()
    {
        temp.File("src/a.txt", "a");
        temp.File("src/sub/b.txt", "b");

        var result = CliRunner.Run(temp.Path, "copy", "src", "dst");

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"copied\s+2 files", result.Out);
        Assert.Equal("b", File.ReadAllText(temp["dst/sub/b.txt"]));
    }

    [Fact]
    public void Copy_json_gives_the_summary_fields_scripts_rely_on()
    {
        temp.File("src/a.txt", "abc");
        Link.CreateHardLink(temp["src/b.txt"], temp["src/a.txt"]);
        File.CreateSymbolicLink(temp["src/link"], "a.txt");

        var result = CliRunner.Run(temp.Path, "copy", "--json", "src", "dst");

        using var document = JsonDocument.Parse(result.Out);
        var root = document.RootElement;
        Assert.Equal(1, root.GetProperty("copied").GetInt32());
        Assert.Equal(1, root.GetProperty("linked").GetInt32());
        Assert.Equal(1, root.GetProperty("symlinked").GetInt32());
        Assert.Equal(3, root.GetProperty("bytes").GetInt32());
        Assert.Equal(0, root.GetProperty("deleted").GetInt32());
        Assert.Equal(0, root.GetProperty("skipped").GetInt32());
        Assert.Equal(0, root.GetProperty("errors").GetArrayLength());
    }

    [Fact]
    public void Copying_a_directory_into_itself_exits_1_and_says_why()
    {
        temp.File("src/a.txt");

        var result = CliRunner.Run(temp.Path, "copy", "src", "src/inside");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("linksmith: error: src/inside: is inside the source 'src'", result.Error, StringComparison.Ordinal);
        Assert.False(Path.Exists(temp["src/inside"]));
    }

    [Fact]
    public void A_missing_source_exits_1()
    {
        var result = CliRunner.Run(temp.Path, "mirror", "missing", "dst");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("linksmith: error: missing: no such file or directory", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_outer_policy_exits_2()
    {
        var result = CliRunner.Run(temp.Path, "copy", "--outer", "sideways", "src", "dst");

        Assert.Equal(2, result.ExitCode);
    }

    [Fact]
    public void Mirror_dry_run_prints_every_deletion_and_changes_nothing()
    {
        temp.File("src/keep.txt");
        temp.File("dst/keep.txt");
        temp.File("dst/old/gone.txt");
        File.SetLastWriteTimeUtc(temp["dst/keep.txt"], File.GetLastWriteTimeUtc(temp["src/keep.txt"]));
        var before = TreeSnapshot.Take(temp.Path);

        var result = CliRunner.Run(temp.Path, "mirror", "--dry-run", "src", "dst");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(before, TreeSnapshot.Take(temp.Path));
        Assert.Contains($"would delete file {temp["dst/old/gone.txt"]}", result.Out, StringComparison.Ordinal);
        Assert.Contains($"would delete directory {temp["dst/old"]}", result.Out, StringComparison.Ordinal);
        Assert.Contains("dry run: nothing was changed", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Backup_keep_must_be_positive()
    {
        var result = CliRunner.Run(temp.Path, "backup", "--keep", "0", "src", "repo");

        Assert.Equal(2, result.ExitCode);
    }

    [Fact]
    public void Backup_reports_its_snapshot()
    {
        temp.File("src/a.txt");

        var result = CliRunner.Run(temp.Path, "backup", "--json", "src", "repo");

        using var document = JsonDocument.Parse(result.Out);
        var snapshot = document.RootElement.GetProperty("snapshot").GetString()!;
        Assert.True(File.Exists(Path.Combine(snapshot, "a.txt")));
        Assert.Equal(temp["repo"], Path.GetDirectoryName(snapshot));
    }
}
