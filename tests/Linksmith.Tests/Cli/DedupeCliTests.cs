using System.Text.Json;
using Linksmith.Cli;

namespace Linksmith.Tests.Cli;

public sealed class DedupeCliTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private Dictionary<string, string> Environment => new() { ["LINKSMITH_STATE_DIR"] = temp["state"] };

    private ProcessResult Run(params string[] arguments) => CliRunner.RunWithEnvironment(temp.Path, Environment, arguments);

    private void MakeDuplicates()
    {
        temp.File("tree/a/photo.jpg", new string('x', 5000));
        temp.File("tree/b/photo copy.jpg", new string('x', 5000));
        temp.File("tree/b/other.jpg", new string('y', 5000));
        temp.File("tree/empty-1", string.Empty);
        temp.File("tree/empty-2", string.Empty);
    }

    [Fact]
    public void Without_apply_dedupe_reports_and_changes_nothing()
    {
        MakeDuplicates();
        var before = TreeSnapshot.Take(temp["tree"]);

        var result = Run("dedupe", "tree");
        var dryRun = Run("dedupe", "--dry-run", "tree");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"would link 1 name to {temp["tree/a/photo.jpg"]}", result.Out, StringComparison.Ordinal);
        Assert.Contains("4.9 KiB would be freed", result.Out, StringComparison.Ordinal);
        Assert.Contains("add --apply", result.Out, StringComparison.Ordinal);
        Assert.Equal(0, dryRun.ExitCode);
        Assert.Equal(before, TreeSnapshot.Take(temp["tree"]));
    }

    [Fact]
    public void A_report_of_many_groups_lists_every_one_in_the_order_of_the_json()
    {
        // More groups than the report makes lines for at a time (a chunk is made ahead on another thread).
        for (var i = 0; i < 600; i++)
        {
            temp.File($"tree/a/{i:D3}", $"content {i}");
            temp.File($"tree/b/{i:D3} copy", $"content {i}");
        }

        var text = Run("dedupe", "tree");
        var json = Run("dedupe", "--json", "tree");

        Assert.Equal(0, text.ExitCode);
        using var document = JsonDocument.Parse(json.Out);
        var groups = document.RootElement.GetProperty("groups").EnumerateArray().ToList();
        var lines = text.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
            groups.Select(g => g.GetProperty("keep").GetString()),
            lines.Where(l => l.StartsWith("would link ", StringComparison.Ordinal)).Select(l => l[(l.IndexOf(" to ", StringComparison.Ordinal) + 4)..l.LastIndexOf(" (", StringComparison.Ordinal)]));
        Assert.Equal(
            groups.SelectMany(g => g.GetProperty("duplicates").EnumerateArray().Select(d => d.GetString())),
            lines.Where(l => l.StartsWith("  ", StringComparison.Ordinal)).Select(l => l[2..]));
        Assert.Contains("600 groups of identical files, 600 duplicates", text.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_with_dry_run_lists_each_name_that_would_be_linked_and_changes_nothing()
    {
        MakeDuplicates();
        temp.File("tree/c/photo again.jpg", new string('x', 5000));
        var before = TreeSnapshot.Take(temp["tree"]);

        var text = Run("dedupe", "--apply", "--dry-run", "tree");
        var json = Run("dedupe", "--apply", "--dry-run", "--json", "tree");

        Assert.Equal(0, text.ExitCode);
        var lines = text.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains($"would link {temp["tree/b/photo copy.jpg"]} -> {temp["tree/a/photo.jpg"]}", lines);
        Assert.Contains($"would link {temp["tree/c/photo again.jpg"]} -> {temp["tree/a/photo.jpg"]}", lines);
        Assert.Contains("9.8 KiB would be freed", text.Out, StringComparison.Ordinal);
        Assert.Contains("nothing was changed", text.Out, StringComparison.Ordinal);
        Assert.Equal(0, json.ExitCode);
        using var document = JsonDocument.Parse(json.Out);
        Assert.False(document.RootElement.GetProperty("applied").GetBoolean());
        Assert.Equal(10000, document.RootElement.GetProperty("savedBytes").GetInt64());
        Assert.Equal(before, TreeSnapshot.Take(temp["tree"]));
    }

    [Fact]
    public void Apply_links_duplicates_and_json_has_the_documented_shape()
    {
        MakeDuplicates();

        var result = Run("dedupe", "--apply", "--json", "tree");

        Assert.Equal(0, result.ExitCode);
        using var document = JsonDocument.Parse(result.Out);
        var root = document.RootElement;
        Assert.True(root.GetProperty("applied").GetBoolean());
        var group = Assert.Single(root.GetProperty("groups").EnumerateArray().ToList());
        Assert.Equal(5000, group.GetProperty("size").GetInt64());
        Assert.Equal(temp["tree/a/photo.jpg"], group.GetProperty("keep").GetString());
        Assert.Equal([temp["tree/b/photo copy.jpg"]], group.GetProperty("duplicates").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal(5000, root.GetProperty("savedBytes").GetInt64());
        Assert.Equal(JsonValueKind.Array, root.GetProperty("skipped").ValueKind);
        Assert.Equal(JsonValueKind.Array, root.GetProperty("errors").ValueKind);
        Assert.Equal(Link.Inspect(temp["tree/a/photo.jpg"]).Identity, Link.Inspect(temp["tree/b/photo copy.jpg"]).Identity);
        Assert.NotEqual(Link.Inspect(temp["tree/empty-1"]).Identity, Link.Inspect(temp["tree/empty-2"]).Identity);
        Assert.True(File.Exists(temp["state/state.db"]));
    }

    [Fact]
    public void A_second_run_reads_nothing_and_finds_nothing_more()
    {
        MakeDuplicates();

        Assert.Equal(0, Run("dedupe", "--apply", "tree").ExitCode);
        var again = Run("dedupe", "--json", "tree");

        using var document = JsonDocument.Parse(again.Out);
        Assert.Empty(document.RootElement.GetProperty("groups").EnumerateArray());
        Assert.Equal(0, document.RootElement.GetProperty("statistics").GetProperty("bytesRead").GetInt64());
        Assert.True(document.RootElement.GetProperty("statistics").GetProperty("cacheUsed").GetBoolean());
    }

    [Fact]
    public void No_cache_reads_every_candidate_and_says_the_cache_was_not_used()
    {
        MakeDuplicates();
        Assert.Equal(0, Run("dedupe", "tree").ExitCode);

        var again = Run("dedupe", "--no-cache", "--json", "tree");

        using var document = JsonDocument.Parse(again.Out);
        var statistics = document.RootElement.GetProperty("statistics");
        Assert.False(statistics.GetProperty("cacheUsed").GetBoolean());
        Assert.Equal(0, statistics.GetProperty("cacheHits").GetInt64());
        Assert.Equal(15_000, statistics.GetProperty("bytesRead").GetInt64());
    }

    [Fact]
    public void Options_that_exclude_each_other_or_bad_sizes_exit_2()
    {
        MakeDuplicates();

        Assert.Equal(2, Run("dedupe", "--cache", "--no-cache", "tree").ExitCode);
        var badSize = Run("dedupe", "--min-size", "12X", "tree");
        Assert.Equal(2, badSize.ExitCode);
        Assert.Contains("linksmith: error: --min-size", badSize.Error, StringComparison.Ordinal);
        Assert.Equal(2, Run("dedupe", "--exclude", "[oops", "tree").ExitCode);
        Assert.Equal(2, Run("dedupe").ExitCode);
    }

    [Fact]
    public void Min_size_takes_a_suffix()
    {
        MakeDuplicates();

        var result = Run("dedupe", "--json", "--min-size", "5K", "tree");

        using var document = JsonDocument.Parse(result.Out);
        Assert.Empty(document.RootElement.GetProperty("groups").EnumerateArray());
    }

    [Fact]
    public void A_missing_directory_exits_1_with_the_error_format()
    {
        var result = Run("dedupe", "no-such-dir");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("linksmith: error: no-such-dir: no such file or directory", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unreadable_file_is_reported_and_exits_1_while_the_rest_is_deduplicated()
    {
        Platform.SkipOnWindows("no Unix mode bits, so a file cannot be made unreadable with chmod 000 (File.SetUnixFileMode throws)");
        if (Platform.IsRoot)
        {
            Assert.Skip("root reads any file; an unreadable file needs an ordinary user");
        }

        MakeDuplicates();
        temp.File("tree/c/secret", new string('x', 5000));
        File.SetUnixFileMode(temp["tree/c/secret"], UnixFileMode.None);

        var result = Run("dedupe", "--apply", "tree");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("secret", result.Error, StringComparison.Ordinal);
    }
}

public sealed class JsonPathTests
{
    [Fact]
    public void A_path_with_a_non_UTF8_byte_and_an_emoji_is_written_as_valid_JSON()
    {
        var output = new StringWriter();

        JsonOutput.Write(output, writer => writer.WritePathValue("a\uDCFF-\U0001F600"));

        // Python's json.loads + os.fsencode turn this back into the name's bytes.
        Assert.Equal("\"a\\udcff-\\uD83D\\uDE00\"", output.ToString().Trim());
    }
}
