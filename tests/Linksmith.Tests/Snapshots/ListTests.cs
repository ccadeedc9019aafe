using System.Text.Json;

namespace Linksmith.Tests.Backups;

public sealed class ListTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void List_shows_each_snapshot_with_the_bytes_only_it_holds()
    {
        temp.File("src/same.txt", new string('s', 1000));
        temp.File("src/changes.txt", new string('a', 300));
        Assert.Equal(0, CliRunner.Run(temp.Path, "backup", "src", "repo").ExitCode);
        temp.File("src/changes.txt", new string('b', 200));
        Assert.Equal(0, CliRunner.Run(temp.Path, "backup", "src", "repo").ExitCode);
        Directory.CreateDirectory(temp["repo/.partial-2099-01-01_000000"]);
        temp.File("repo/notes.txt", "not a snapshot");

        var result = CliRunner.Run(temp.Path, "snapshots", "list", "repo", "--json");

        Assert.Equal(0, result.ExitCode);
        using var document = JsonDocument.Parse(result.Out);
        var snapshots = document.RootElement.GetProperty("snapshots").EnumerateArray().ToList();
        Assert.Equal(3, snapshots.Count);
        Assert.Equal([1300, 1200, 0], snapshots.Select(s => s.GetProperty("bytes").GetInt64()));
        // same.txt is shared by both: only the changed file is each snapshot's own.
        Assert.Equal([300, 200, 0], snapshots.Select(s => s.GetProperty("exclusiveBytes").GetInt64()));
        Assert.Equal([2, 2, 0], snapshots.Select(s => s.GetProperty("files").GetInt64()));
        Assert.Equal([true, true, false], snapshots.Select(s => s.GetProperty("complete").GetBoolean()));
        Assert.Equal(".partial-2099-01-01_000000", snapshots[2].GetProperty("name").GetString());
        Assert.Equal(temp["repo/.partial-2099-01-01_000000"], snapshots[2].GetProperty("path").GetString());
        Assert.Equal("2099-01-01T00:00:00Z", snapshots[2].GetProperty("time").GetString());

        var text = CliRunner.Run(temp.Path, "snapshots", "list", "repo");
        Assert.Contains("unfinished", text.Out, StringComparison.Ordinal);
        Assert.Contains(Path.GetFileName(snapshots[0].GetProperty("path").GetString()!), text.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void List_of_a_file_exits_1()
    {
        temp.File("file.txt");

        var result = CliRunner.Run(temp.Path, "snapshots", "list", "file.txt");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("linksmith: error: file.txt:", result.Error, StringComparison.Ordinal);
    }
}
