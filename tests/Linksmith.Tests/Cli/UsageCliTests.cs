namespace Linksmith.Tests.Cli;


public sealed class UsageCliTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Theory]
    [InlineData("symlink", "--relative", "--absolute", "a", "b")]
    [InlineData("symlink", "only-one")]
    [InlineData("hardlink", "--no-such-option", "a", "b")]
    [InlineData("no-such-command")]
    [InlineData("info")]
    [InlineData("mklink", "/D", "/J", "a", "b")]
    [InlineData("mklink", "a")]
    [InlineData("mklink", "/X", "a", "b")]
    public void Bad_usage_exits_2_with_an_error_line(params string[] arguments)
    {
        var result = CliRunner.Run(temp.Path, arguments);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("linksmith: error: ", result.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(temp.Path));
    }

    [Fact]
    public void Help_and_version_exit_0()
    {
        var help = CliRunner.Run(temp.Path, "--help");
        var commandHelp = CliRunner.Run(temp.Path, "symlink", "--help");
        var mklinkHelp = CliRunner.Run(temp.Path, "mklink", "/?");
        var version = CliRunner.Run(temp.Path, "--version");

        Assert.Equal(0, help.ExitCode);
        Assert.Contains("hardlinks", help.Out, StringComparison.Ordinal);
        Assert.Equal(0, commandHelp.ExitCode);
        Assert.Contains("--relative", commandHelp.Out, StringComparison.Ordinal);
        Assert.Equal(0, mklinkHelp.ExitCode);
        Assert.Contains("/D", mklinkHelp.Out, StringComparison.Ordinal);
        Assert.Equal(0, version.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", version.Out);
    }

    [Fact]
    public void A_path_starting_with_at_is_a_path_not_a_response_file()
    {
        temp.File("@data.txt");

        var result = CliRunner.Run(temp.Path, "symlink", "@data.txt", "link");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("@data.txt", new FileInfo(temp["link"]).LinkTarget);
    }

    [Fact]
    public void Exit_codes_are_decided_by_the_kind_of_failure()
    {
        Assert.Equal(3, Linksmith.Cli.ExitCodes.For(new CrossVolumeHardLinkException("a", "b")));
        Assert.Equal(3, Linksmith.Cli.ExitCodes.For(new SymbolicLinkPrivilegeException("a", false)));
        Assert.Equal(3, Linksmith.Cli.ExitCodes.For(new JunctionNotSupportedException("a")));
        Assert.Equal(3, Linksmith.Cli.ExitCodes.For(new LinksNotSupportedException("a", "links")));
        Assert.Equal(1, Linksmith.Cli.ExitCodes.For(new LinkNameExistsException("a", LinkKind.File)));
        Assert.Equal(1, Linksmith.Cli.ExitCodes.For(new TargetNotFoundException("a")));
        Assert.Equal(1, Linksmith.Cli.ExitCodes.For(new NotALinkException("a", LinkKind.File)));
        Assert.Equal(130, Linksmith.Cli.ExitCodes.For(new OperationCanceledException()));
        Assert.Equal(3, Linksmith.Cli.ExitCodes.Worst(1, 3));
        Assert.Equal(1, Linksmith.Cli.ExitCodes.Worst(0, 1));
    }
}
