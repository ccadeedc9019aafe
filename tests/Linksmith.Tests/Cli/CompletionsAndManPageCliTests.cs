using System.Text.RegularExpressions;

namespace Linksmith.Tests.Cli;

/// <summary>
/// The hidden <c>completions</c> and <c>manpage</c> commands: the scripts the .deb installs,
/// driven in the real shells, and the man page checked by mandoc and man.
/// </summary>
public sealed partial class CompletionsAndManPageCliTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Theory]
    [InlineData("linksmith ha", "hardlink hardlinks")]
    [InlineData("linksmith drop --as s", "symbolic-clone symlink")]
    [InlineData("linksmith drop --as ''", "backup clone copy hardlink junction mirror move reflink-clone symbolic-clone symlink")]
    [InlineData("linksmith copy --outer ''", "crop splice unroll")]
    [InlineData("linksmith shell i", "install")]
    [InlineData("linksmith shell install --f", "--for")]
    [InlineData("linksmith copy --d", "--dry-run")]
    [InlineData("linksmith convert --to r", "relative")]
    public void Bash_completes_commands_options_and_option_values(string line, string expected)
    {
        Platform.RequireLinux("drives bash's completion function");
        var script = Script("bash");

        var result = Processes.Run("bash", ["-c", $"source '{script}'; COMP_WORDS=({line}); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1)); _linksmith; echo \"${{COMPREPLY[*]}}\"; complete -p linksmith"], temp.Path);

        Assert.Equal(0, result.ExitCode);
        var lines = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(expected, lines[0]);
        Assert.Equal("complete -o default -F _linksmith linksmith", lines[1]);
    }

    [Fact]
    public void Bash_leaves_paths_to_file_name_completion()
    {
        Platform.RequireLinux("drives bash's completion function");
        var script = Script("bash");

        var result = Processes.Run("bash", ["-c", $"source '{script}'; COMP_WORDS=(linksmith symlink sr); COMP_CWORD=2; _linksmith; echo \"[${{COMPREPLY[*]}}]\""], temp.Path);

        Assert.Equal("[]", result.Out.Trim());
    }

    [Theory]
    [InlineData("zsh")]
    [InlineData("fish")]
    public void Zsh_and_fish_scripts_parse(string shell)
    {
        Platform.RequireLinux();
        if (Which(shell) is null)
        {
            Assert.Skip($"{shell} is not installed (apt-get install {shell})");
        }

        var script = Script(shell);
        var result = Processes.Run(shell, ["-n", script], temp.Path);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(string.Empty, result.Error);
        Assert.Contains("drop", File.ReadAllText(script), StringComparison.Ordinal);
    }

    [Fact]
    public void Man_page_has_no_warnings_and_names_every_command_and_option_of_help()
    {
        Platform.RequireLinux();
        var page = temp["linksmith.1"];
        File.WriteAllText(page, Run("manpage"));
        if (Which("mandoc") is { } mandoc)
        {
            var lint = Processes.Run(mandoc, ["-T", "lint", page], temp.Path);
            Assert.Equal(string.Empty, lint.Out + lint.Error);
            Assert.Equal(0, lint.ExitCode);
        }

        var man = Processes.Run("man", ["--warnings", "-l", page], temp.Path, new Dictionary<string, string> { ["MANWIDTH"] = "80", ["MANPAGER"] = "cat" });
        Assert.Equal(0, man.ExitCode);
        Assert.Equal(string.Empty, man.Error);
        var text = man.Out;
        var bash = File.ReadAllText(Script("bash"));

        var commands = HelpCommands(CliRunner.Run(temp.Path, "--help").Out).ToList();
        Assert.Contains("drop", commands);
        Assert.DoesNotContain("completions", commands);
        foreach (var command in commands)
        {
            Assert.Contains($"linksmith {command}", text, StringComparison.Ordinal);
            Assert.Contains($"'linksmith {command}'", bash, StringComparison.Ordinal);
            foreach (var option in HelpOptions(CliRunner.Run(temp.Path, command, "--help").Out))
            {
                Assert.Contains(option, text, StringComparison.Ordinal);
                Assert.Matches($"'linksmith {Regex.Escape(command)}'\\)\\n.*\\n\\s+options='[^']*{Regex.Escape(option)}[ ']", bash);
            }
        }
    }

    [Fact]
    public void Unknown_shell_is_a_usage_error()
    {
        var result = CliRunner.Run(temp.Path, "completions", "tcsh");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("linksmith: error: ", result.Error, StringComparison.Ordinal);
    }

    private string Script(string shell)
    {
        var path = temp[$"linksmith.{shell}"];
        File.WriteAllText(path, Run("completions", shell));
        return path;
    }

    private string Run(params string[] arguments)
    {
        var result = CliRunner.Run(temp.Path, arguments);
        Assert.Equal(0, result.ExitCode);
        return result.Out;
    }

    /// <summary>The command names in help's "Commands:" section.</summary>
    private static IEnumerable<string> HelpCommands(string help) =>
        help[help.IndexOf("Commands:", StringComparison.Ordinal)..].Split('\n')
            .Select(static line => HelpEntry().Match(line))
            .Where(static match => match.Success)
            .Select(static match => match.Groups[1].Value);

    /// <summary>The option names (and aliases that start with '-') in help's "Options:" section.</summary>
    private static IEnumerable<string> HelpOptions(string help)
    {
        var start = help.IndexOf("Options:", StringComparison.Ordinal);
        if (start < 0)
        {
            return [];
        }

        var end = help.IndexOf("Commands:", start, StringComparison.Ordinal);
        return (end < 0 ? help[start..] : help[start..end]).Split('\n')
            .Where(static line => line.StartsWith("  -", StringComparison.Ordinal))
            .SelectMany(static line => OptionName().Matches(line.Trim().Split("  ")[0]).Select(static match => match.Value))
            .Where(static name => name != "-?");
    }

    private static string? Which(string program) =>
        Environment.GetEnvironmentVariable("PATH")?.Split(':').Select(directory => Path.Combine(directory, program)).FirstOrDefault(File.Exists);

    [GeneratedRegex(@"^  ([a-z][a-z-]*)\b")]
    private static partial Regex HelpEntry();

    [GeneratedRegex(@"(?<![\w-])--?[A-Za-z][\w-]*")]
    private static partial Regex OptionName();
}
