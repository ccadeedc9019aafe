namespace Linksmith.Tests.Health;

public sealed class PathMappingTests
{
    [Theory]
    [InlineData("/data", "/data/x", "/new/x")]
    [InlineData("/data", "/data", "/new")]
    [InlineData("/data/", "/data/x/y", "/new/x/y")]
    [InlineData("/data", "/database/x", null)]
    [InlineData("/data", "/other/data/x", null)]
    [InlineData("/", "/x/y", "/new/x/y")]
    public void A_unix_prefix_matches_on_whole_path_names_only(string oldPrefix, string target, string? expected)
    {
        Platform.RequireLinux("Unix paths are matched exactly only on Unix");

        Assert.Equal(expected, new PathMapping(oldPrefix, "/new").Apply(target));
    }

    [Fact]
    public void Unix_paths_match_case_sensitively()
    {
        Platform.RequireLinux("Unix paths are matched exactly only on Unix");

        Assert.Null(new PathMapping("/Data", "/new").Apply("/data/x"));
    }

    [Theory]
    [InlineData(@"D:\", @"d:\Games\x.exe", @"E:\Games\x.exe")]
    [InlineData(@"D:\Games", @"\??\D:\games\x", @"E:\x")]
    [InlineData(@"d:\games", @"D:/Games/x", "E:/x")]
    [InlineData(@"D:\Games", @"D:\GamesOld\x", null)]
    public void Windows_drive_letters_and_junction_forms_match_without_regard_to_case(string oldPrefix, string target, string? expected)
    {
        Assert.Equal(expected, new PathMapping(oldPrefix, @"E:\").Apply(target));
    }

    [Fact]
    public void The_longest_matching_prefix_wins()
    {
        Platform.RequireLinux("Unix paths are matched exactly only on Unix");
        PathMapping[] mappings = [new("/data", "/a"), new("/data/photos", "/b"), new("/dat", "/c")];

        var result = PathMapping.ApplyLongest(mappings, "/data/photos/2024/x.jpg");

        Assert.Equal("/b/2024/x.jpg", result?.NewPath);
        Assert.Equal("/a/music", PathMapping.ApplyLongest(mappings, "/data/music")?.NewPath);
    }

    [Theory]
    [InlineData("nothing")]
    [InlineData("=/new")]
    [InlineData("/old=")]
    public void A_mapping_without_both_sides_is_refused(string text)
    {
        Assert.Throws<FormatException>(() => PathMapping.Parse(text));
    }

    [Fact]
    public void A_mapping_is_split_at_its_first_equals_sign()
    {
        Platform.RequireLinux("Unix paths are matched exactly only on Unix");

        var mapping = PathMapping.Parse("/old=/new=x");

        Assert.Equal(("/old", "/new=x"), (mapping.OldPrefix, mapping.NewPrefix));
    }
}
