namespace Linksmith.Tests.Cli;


public sealed class MklinkCliTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Without_a_switch_it_makes_a_file_symlink_storing_the_target_as_typed()
    {
        temp.File("sub/data.txt");

        // As on Windows, the target is stored exactly as typed, relative to the link's folder.
        var result = CliRunner.Run(temp.Path, "mklink", "sub/link", "data.txt");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("symbolic link created for sub/link <<===>> data.txt\n", result.Out);
        Assert.Equal("data.txt", new FileInfo(temp["sub/link"]).LinkTarget);
        Assert.Equal("content", File.ReadAllText(temp["sub/link"]));
    }

    [Theory]
    [InlineData("/D")]
    [InlineData("/d")]
    public void Switch_D_makes_a_directory_symlink_in_any_case(string directorySwitch)
    {
        temp.File("dir/inside.txt");

        var result = CliRunner.Run(temp.Path, "mklink", directorySwitch, "link", "dir");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("symbolic link created for link <<===>> dir\n", result.Out);
        Assert.True(Link.Inspect(temp["link"]).TargetIsDirectory);
    }

    [Theory]
    [InlineData("/H")]
    [InlineData("/h")]
    public void Switch_H_makes_a_hard_link(string hardSwitch)
    {
        temp.File("data.txt");

        var result = CliRunner.Run(temp.Path, "mklink", hardSwitch, "link", "data.txt");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("Hardlink created for link <<===>> data.txt\n", result.Out);
        Assert.Equal(Link.Inspect(temp["data.txt"]).Identity, Link.Inspect(temp["link"]).Identity);
    }

    [Fact]
    public void Switch_J_makes_a_junction_or_its_stand_in()
    {
        temp.Dir("dir");

        var result = CliRunner.Run(temp.Path, "mklink", "/J", "link", "dir");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("Junction created for link <<===>> dir\n", result.Out);
        Assert.Equal(temp["dir"], new DirectoryInfo(temp["link"]).LinkTarget);
    }

    [Fact]
    public void An_existing_link_name_fails_with_exit_1()
    {
        temp.File("data.txt");
        temp.Dir("dir");

        var result = CliRunner.Run(temp.Path, "mklink", "dir", "data.txt");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("linksmith: error: dir: already exists (a directory)", result.Error, StringComparison.Ordinal);
    }
}
