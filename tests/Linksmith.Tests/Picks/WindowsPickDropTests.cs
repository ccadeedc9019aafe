using Linksmith.Tests.Windows;

namespace Linksmith.Tests.Picks;

/// <summary>The pick list (SQLite) and drops of hard links through kernel32, on Windows or under Wine.</summary>
[Trait("Platform", "Windows")]
public sealed class WindowsPickDropTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private string Database => temp["state\\state.db"];

    [Fact]
    public async Task Concurrent_pickers_lose_nothing_and_add_nothing_twice()
    {
        await WindowsHost.RequireWindowsAsync();
        var files = Enumerable.Range(1, 12).Select(i => temp.File($"item {i}.txt")).ToList();

        await Task.WhenAll(files.Concat(files).Select(file => Task.Run(() =>
        {
            using var picks = PickList.Open(Database);
            picks.Add(file);
        })));

        using var list = PickList.Open(Database);
        Assert.Equal(files.Order(StringComparer.Ordinal), list.List().Select(pick => pick.Path).Order(StringComparer.Ordinal));
        Assert.Equal(files.Count, list.Remove(files));
        Assert.Empty(list.List());
    }

    [Fact]
    public async Task A_dropped_hard_link_is_the_same_file_and_a_taken_name_gets_a_suffix()
    {
        await WindowsHost.RequireWindowsAsync();
        var file = temp.File("src\\report.txt", "report");
        temp.File("dest\\report.txt", "another file");

        var results = DropOperations.Run(new DropJob { SourcePaths = [file], DestinationDirectory = temp["dest"], Kind = DropKind.HardLink });

        var result = Assert.Single(results);
        Assert.True(result.Succeeded);
        Assert.Equal(temp["dest\\report - Link.txt"], result.DestinationPath);
        Assert.Equal(Link.Inspect(file).Identity, Link.Inspect(temp["dest\\report - Link.txt"]).Identity);
        Assert.Equal(2, Link.Inspect(file).LinkCount);
    }

    [Fact]
    public async Task A_hard_link_onto_another_volume_fails_as_not_possible_here()
    {
        var otherVolume = await WindowsHost.RequireOtherVolumeAsync();
        var file = temp.File("data.bin", "data");
        var destination = Path.Combine(otherVolume, "linksmith-drop-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(destination);
        try
        {
            var result = Assert.Single(DropOperations.Run(new DropJob { SourcePaths = [file], DestinationDirectory = destination, Kind = DropKind.HardLink }));

            Assert.IsType<CrossVolumeHardLinkException>(Assert.Single(result.Errors));
            Assert.Contains("symbolic link", result.Errors[0].Hint, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(destination, recursive: true);
        }
    }
}
