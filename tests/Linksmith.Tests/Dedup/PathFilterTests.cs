namespace Linksmith.Tests.Dedup;

public sealed class PathFilterTests
{
    [Theory]
    [InlineData("*.tmp", "a.tmp", true)]
    [InlineData("*.tmp", "deep/down/a.tmp", true)]
    [InlineData("*.tmp", "a.tmpx", false)]
    [InlineData("build/*.o", "build/x.o", true)]
    [InlineData("build/*.o", "src/build/x.o", false)]
    [InlineData("**/build/*.o", "src/build/x.o", true)]
    [InlineData("src/**", "src/a/b/c", true)]
    [InlineData("src/**/c", "src/c", true)]
    [InlineData("/top", "top", true)]
    [InlineData("/top", "sub/top", false)]
    [InlineData("file?.[ch]", "x/file1.c", true)]
    [InlineData("file?.[!ch]", "x/file1.c", false)]
    [InlineData("[a-c]*", "beta", true)]
    [InlineData("[a-c]*", "delta", false)]
    public void Exclude_patterns_match_names_anywhere_or_paths_from_the_anchor(string pattern, string path, bool excluded)
    {
        var filter = new PathFilter(null, [pattern]);
        Assert.Equal(excluded, filter.IsExcluded(path, isDirectory: false));
    }

    [Fact]
    public void Exclude_beats_include_and_include_takes_whole_folders()
    {
        var filter = new PathFilter(["*.jpg", "photos"], ["*-thumb.jpg"]);

        Assert.True(filter.IncludesFile("a/b/c.jpg"));
        Assert.False(filter.IncludesFile("a/b/c-thumb.jpg"));
        Assert.True(filter.IncludesFile("x/photos/raw.cr2"));
        Assert.False(filter.IncludesFile("x/music/song.mp3"));
    }

    [Fact]
    public void A_trailing_slash_matches_directories_only()
    {
        var filter = new PathFilter(null, ["cache/"]);

        Assert.True(filter.IsExcluded("a/cache", isDirectory: true));
        Assert.False(filter.IsExcluded("a/cache", isDirectory: false));
    }

    [Fact]
    public void A_pattern_with_an_unclosed_bracket_is_refused()
    {
        var error = Assert.Throws<InvalidPatternException>(() => new PathFilter(null, ["[abc"]));

        Assert.Equal("[abc", error.Pattern);
        Assert.Equal("has a '[' without its ']'", error.Reason);
        Assert.IsAssignableFrom<ArgumentException>(error);
    }
}
