namespace Linksmith.Tests.Windows;

/// <summary>
/// <c>--xattrs</c> on Windows: alternate data streams and ACLs are not carried yet, so the flag is
/// "not possible here" (exit 3) before anything is made, rather than a copy that silently lacks them.
/// </summary>
[Trait("Platform", "Windows")]
public sealed class WindowsXattrsTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Theory]
    [InlineData("copy")]
    [InlineData("mirror")]
    [InlineData("backup")]
    public void Xattrs_is_refused_with_exit_3_and_nothing_is_made(string command)
    {
        if (!OperatingSystem.IsWindows())
        {
            Assert.Skip("checks what Windows does with --xattrs (Linux carries them: ExtendedAttributeTests)");
        }

        temp.File("src/data.txt");

        var result = InProcessCli.Run(command, "--xattrs", temp["src"], temp["dst"]);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("carrying extended attributes over is not possible on this platform yet", result.Error, StringComparison.Ordinal);
        Assert.False(Path.Exists(temp["dst"]));
    }
}
