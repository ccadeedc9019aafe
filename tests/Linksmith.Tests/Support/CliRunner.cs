namespace Linksmith.Tests;

/// <summary>
/// Runs the real <c>linksmith</c> in its own process: the AOT binary named by LINKSMITH_CLI when
/// set (CI runs the suite against it too), else the JIT build next to the tests; on Windows (and
/// under Wine, where there is no <c>dotnet</c>) the <c>Linksmith.Cli.exe</c> published beside them.
/// </summary>
public static class CliRunner
{
    private static readonly string[] Command = Locate();

    /// <summary>The command line that starts the CLI: the AOT binary, or <c>dotnet</c> and the JIT build's dll.</summary>
    public static IReadOnlyList<string> CommandLine => Command;

    public static ProcessResult Run(string workingDirectory, params string[] arguments) =>
        Processes.Run(Command[0], [.. Command[1..], .. arguments], workingDirectory);

    /// <summary>Runs with extra environment variables (e.g. LINKSMITH_STATE_DIR, so a test never touches the user's state).</summary>
    public static ProcessResult RunWithEnvironment(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        Processes.Run(Command[0], [.. Command[1..], .. arguments], workingDirectory, environment);

    /// <summary><see cref="RunWithEnvironment"/>, killing the CLI once <paramref name="stopped"/> has said true for a while and it has not exited (see <see cref="Processes.Run"/>).</summary>
    public static ProcessResult RunWithEnvironment(string workingDirectory, IReadOnlyDictionary<string, string> environment, Func<bool> stopped, params string[] arguments) =>
        Processes.Run(Command[0], [.. Command[1..], .. arguments], workingDirectory, environment, stopped);

    /// <summary>
    /// Runs through bash so arguments can hold bytes .NET cannot pass (names that are not UTF-8):
    /// <paramref name="script"/> sees the command as "$LINKSMITH", e.g. <c>$LINKSMITH info "$(printf 'a\377')"</c>.
    /// </summary>
    public static ProcessResult RunInBash(string workingDirectory, string script)
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("passes names that are not UTF-8 through bash: Windows names are UTF-16 and there is no bash");
        }

        var prefix = string.Join(' ', Command.Select(Quote));
        return Processes.Run("bash", ["-c", $"LINKSMITH=({prefix}); {script.Replace("$LINKSMITH", "\"${LINKSMITH[@]}\"", StringComparison.Ordinal)}"], workingDirectory);
    }

    private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static string[] Locate()
    {
        if (Environment.GetEnvironmentVariable("LINKSMITH_CLI") is { Length: > 0 } binary)
        {
            return [binary];
        }

        // A self-contained win-x64 publish of the tests carries the CLI's own self-contained exe.
        var exe = Path.Combine(AppContext.BaseDirectory, "Linksmith.Cli.exe");
        if (OperatingSystem.IsWindows() && File.Exists(exe))
        {
            return [exe];
        }

        var dll = Path.Combine(AppContext.BaseDirectory, "Linksmith.Cli.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException("The CLI was not built next to the tests", dll);
        }

        return ["dotnet", dll];
    }
}
