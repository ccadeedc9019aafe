using Linksmith.Cli;

namespace Linksmith.Tests;

/// <summary>
/// Runs the <c>linksmith</c> command inside the test process, with its output captured. For the
/// Windows pass under Wine, where the test build is one self-contained exe and there is no
/// <c>dotnet</c> to start the CLI with; elsewhere <see cref="CliRunner"/> runs the real binary.
/// Paths given to it should be absolute: the test process's current folder is shared.
/// </summary>
public static class InProcessCli
{
    public static ProcessResult Run(params string[] arguments)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = LinksmithCli.Run(arguments, new CliConsole(output, error, IsTerminal: false));
        return new ProcessResult(exitCode, output.ToString(), error.ToString());
    }
}
