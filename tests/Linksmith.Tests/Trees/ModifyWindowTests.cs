using System.Text.Json;

namespace Linksmith.Tests.Trees;

/// <summary><c>--modify-window SECONDS</c>: modification times one second apart count as equal within a window of 1, as rsync's.</summary>
public sealed class ModifyWindowTests : IDisposable
{
    private static readonly DateTime Then = new(2024, 5, 1, 12, 0, 0, DateTimeKind.Utc);

    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    /// <summary>SRC/data.txt and DST/data.txt of the same size, the copy's time one second earlier and its bytes different (so a copy shows).</summary>
    private void SourceAndStaleLookingCopy()
    {
        File.SetLastWriteTimeUtc(temp.File("src/data.txt", "new!"), Then);
        File.SetLastWriteTimeUtc(temp.File("dst/data.txt", "old!"), Then.AddSeconds(-1));
    }

    [Theory]
    [InlineData("copy")]
    [InlineData("mirror")]
    public void Times_one_second_apart_are_equal_within_a_window_of_one(string command)
    {
        SourceAndStaleLookingCopy();

        var result = CliRunner.Run(temp.Path, command, "--modify-window", "1", "--json", "src", "dst");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal(0, JsonDocument.Parse(result.Out).RootElement.GetProperty("copied").GetInt32());
        Assert.Equal("old!", File.ReadAllText(temp["dst/data.txt"]));
    }

    [Fact]
    public void Without_a_window_a_second_apart_is_a_change()
    {
        SourceAndStaleLookingCopy();

        var result = CliRunner.Run(temp.Path, "mirror", "--json", "src", "dst");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal(1, JsonDocument.Parse(result.Out).RootElement.GetProperty("copied").GetInt32());
        Assert.Equal("new!", File.ReadAllText(temp["dst/data.txt"]));
    }

    [Fact]
    public void A_window_smaller_than_the_difference_still_copies()
    {
        SourceAndStaleLookingCopy();

        var result = CliRunner.Run(temp.Path, "copy", "--modify-window", "0.5", "--json", "src", "dst");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal("new!", File.ReadAllText(temp["dst/data.txt"]));
    }

    [Fact]
    public void Backup_links_a_file_whose_time_moved_by_less_than_the_window()
    {
        var file = temp.File("src/data.txt", "same");
        File.SetLastWriteTimeUtc(file, Then);
        Assert.Equal(0, CliRunner.Run(temp.Path, "backup", "src", "repo").ExitCode);
        // What a FAT disk's 2-second clock does to a file that was not touched.
        File.SetLastWriteTimeUtc(file, Then.AddSeconds(1));
        Thread.Sleep(1100);

        var result = CliRunner.Run(temp.Path, "backup", "--modify-window", "1", "--json", "src", "repo");

        Assert.True(result.ExitCode == 0, result.Error);
        var summary = JsonDocument.Parse(result.Out).RootElement;
        Assert.Equal(1, summary.GetProperty("linked").GetInt32());
        Assert.Equal(0, summary.GetProperty("copied").GetInt32());
        var snapshots = Directory.GetDirectories(temp["repo"]).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(Link.Inspect(Path.Combine(snapshots[0], "data.txt")).Identity, Link.Inspect(Path.Combine(snapshots[1], "data.txt")).Identity);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("abc")]
    [InlineData("1,5")]
    public void A_negative_or_non_number_window_is_a_usage_error(string value)
    {
        temp.File("src/data.txt");

        var result = CliRunner.Run(temp.Path, "mirror", "--modify-window", value, "src", "dst");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"linksmith: error: --modify-window: '{value}' is not a number of seconds 0 or more", result.Error, StringComparison.Ordinal);
        Assert.False(Path.Exists(temp["dst"]));
    }
}
