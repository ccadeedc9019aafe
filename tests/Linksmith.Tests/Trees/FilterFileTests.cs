using System.Text.Json;

namespace Linksmith.Tests.Trees;

/// <summary><c>--exclude-from</c> / <c>--include-from FILE</c> through the real CLI: comments, blank lines, standard input, errors.</summary>
public sealed class FilterFileTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public FilterFileTests()
    {
        temp.File("src/keep.txt");
        temp.File("src/notes.tmp");
        temp.File("src/cache/big.bin");
        temp.File("src/photos/a.jpg");
        temp.File("src/photos/b.raw");
        temp.File("src/#hash.txt");
    }

    public void Dispose() => temp.Dispose();

    [Fact]
    public void An_exclude_file_leaves_out_its_patterns_and_ignores_comments_and_blank_lines()
    {
        // A comment that would match everything, blank and space-only lines, a Windows line end.
        File.WriteAllText(temp["rules.txt"], "# build output: *\n\n*.tmp\r\n   \n/cache\n#hash.txt\n");

        var result = CliRunner.Run(temp.Path, "copy", "--exclude-from", "rules.txt", "src", "dst");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.True(File.Exists(temp["dst/keep.txt"]));
        Assert.True(File.Exists(temp["dst/photos/a.jpg"]));
        Assert.True(File.Exists(temp["dst/#hash.txt"]), "a line starting with # is a comment, never a pattern");
        Assert.False(File.Exists(temp["dst/notes.tmp"]));
        Assert.False(Path.Exists(temp["dst/cache"]));
    }

    [Fact]
    public void An_include_file_and_the_repeated_options_combine_and_exclude_still_wins()
    {
        File.WriteAllText(temp["take.txt"], "# what to back up\n*.jpg\n\nkeep.txt\n");

        var result = CliRunner.Run(temp.Path, "mirror", "--include-from", "take.txt", "--include", "*.raw", "--exclude", "b.*", "src", "dst");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.True(File.Exists(temp["dst/keep.txt"]));
        Assert.True(File.Exists(temp["dst/photos/a.jpg"]));
        Assert.False(File.Exists(temp["dst/photos/b.raw"]));
        Assert.False(File.Exists(temp["dst/notes.tmp"]));
    }

    [Fact]
    public void A_filter_file_given_as_a_dash_is_read_from_standard_input()
    {
        var result = CliRunner.RunInBash(temp.Path, "printf '# from a pipe\\n\\n*.tmp\\ncache/\\n' | $LINKSMITH backup --exclude-from - src repo");

        Assert.True(result.ExitCode == 0, result.Error);
        var snapshot = Directory.GetDirectories(temp["repo"]).Single();
        Assert.True(File.Exists(Path.Combine(snapshot, "keep.txt")));
        Assert.False(File.Exists(Path.Combine(snapshot, "notes.tmp")));
        Assert.False(Path.Exists(Path.Combine(snapshot, "cache")));
    }

    [Fact]
    public void Dedupe_takes_filter_files_too()
    {
        temp.File("d/one.bin", "same bytes");
        temp.File("d/two.bin", "same bytes");
        temp.File("d/skip/three.bin", "same bytes");
        File.WriteAllText(temp["rules.txt"], "# not these\nskip\n");

        var result = CliRunner.Run(temp.Path, "dedupe", "--exclude-from", "rules.txt", "--no-cache", "--json", "d");

        Assert.True(result.ExitCode == 0, result.Error);
        var group = JsonDocument.Parse(result.Out).RootElement.GetProperty("groups").EnumerateArray().Single();
        Assert.Single(group.GetProperty("duplicates").EnumerateArray());
    }

    [Theory]
    [InlineData("--exclude-from")]
    [InlineData("--include-from")]
    public void A_missing_filter_file_is_a_usage_error_naming_it(string option)
    {
        var result = CliRunner.Run(temp.Path, "copy", option, "no-such-rules.txt", "src", "dst");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"linksmith: error: no-such-rules.txt: cannot read the {option} file: no such file", result.Error, StringComparison.Ordinal);
        Assert.False(Path.Exists(temp["dst"]));
    }

    [Fact]
    public void A_malformed_pattern_in_a_filter_file_is_reported_with_its_file_and_line()
    {
        File.WriteAllText(temp["rules.txt"], "# fine\n*.tmp\n[oops\n");

        var result = CliRunner.Run(temp.Path, "copy", "--exclude-from", "rules.txt", "src", "dst");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--exclude-from rules.txt line 3: the pattern '[oops' has a '[' without its ']'", result.Error, StringComparison.Ordinal);
    }
}
