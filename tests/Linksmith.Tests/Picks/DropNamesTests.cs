namespace Linksmith.Tests.Picks;

public sealed class DropNamesTests
{
    [Theory]
    [InlineData("report.txt", false, 0, "report.txt")]
    [InlineData("report.txt", false, 1, "report - Link.txt")]
    [InlineData("report.txt", false, 2, "report - Link (2).txt")]
    [InlineData("archive.tar.gz", false, 1, "archive.tar - Link.gz")]
    [InlineData("README", false, 3, "README - Link (3)")]
    [InlineData(".bashrc", false, 1, ".bashrc - Link")]
    [InlineData("photos.2024", true, 1, "photos.2024 - Link")]
    [InlineData("photos.2024", true, 2, "photos.2024 - Link (2)")]
    public void Candidates_follow_the_link_suffix_rule(string name, bool isDirectory, int attempt, string expected) =>
        Assert.Equal(expected, DropNames.Candidate(name, isDirectory, attempt));

    [Fact]
    public void Choose_skips_names_that_exist_even_as_dangling_links_and_names_reserved_by_the_same_drop()
    {
        using var temp = new TempDirectory();
        temp.File("a.txt");
        if (OperatingSystem.IsLinux())
        {
            File.CreateSymbolicLink(temp["a - Link.txt"], "nowhere");
        }
        else
        {
            temp.File("a - Link.txt");
        }

        var reserved = new HashSet<string>(StringComparer.Ordinal) { temp["a - Link (2).txt"] };

        Assert.Equal(temp["a - Link (3).txt"], DropNames.Choose(temp.Path, "a.txt", isDirectory: false, reserved));
    }
}
