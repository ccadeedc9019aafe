namespace Linksmith.Tests.Cli;

/// <summary>The cases issue 12 found by hand, each with the message a user should get instead of a stack trace.</summary>
public sealed class ErrorReportingCliTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Theory]
    [InlineData("--keep: 'abc' is not a whole number", "backup", "src", "repo", "--keep", "abc")]
    [InlineData("--keep must be 1 or more", "backup", "src", "repo", "--keep", "-1")]
    [InlineData("--threads must be 0 or more", "copy", "src", "dst", "--threads=-1")]
    [InlineData("--threads: '99999999999' is out of range", "copy", "src", "dst", "--threads", "99999999999")]
    [InlineData("--exclude: the pattern '[' has a '[' without its ']'", "copy", "src", "dst", "--exclude", "[")]
    [InlineData("--include: the pattern '[a' has a '[' without its ']'", "dedupe", "src", "--include", "[a")]
    [InlineData("empty path (\"\")", "copy", "", "dst")]
    [InlineData("empty path (\"\")", "info", "")]
    [InlineData("--within: empty value (\"\")", "info", "src", "--within", "")]
    public void A_bad_value_is_a_usage_error_in_the_options_words(string message, params string[] arguments)
    {
        temp.File("src/a.txt");

        var result = CliRunner.Run(temp.Path, arguments);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"linksmith: error: {message}\n", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(temp["dst"]) || Directory.Exists(temp["repo"]));
    }

    [Fact]
    public void A_file_on_the_way_to_the_destination_is_named()
    {
        temp.File("src/a.txt");
        temp.File("afile");

        var result = CliRunner.Run(temp.Path, "copy", "src", Path.Join("afile", "sub", "dst"));

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("linksmith: error: afile: is a file, not a directory\n", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_link_into_a_path_too_long_for_the_system_is_an_error_not_a_crash()
    {
        Platform.SkipOnWindows("this 5,270-character path is not too long there (paths reach 32,767 characters; under Wine the CLI says its folder does not exist), and a longer one cannot reach the CLI: a command line holds at most 32,767 characters");
        temp.File("target");
        var tooLong = string.Join('/', Enumerable.Repeat(new string('n', 250), 21));

        var result = CliRunner.Run(temp.Path, "symlink", "target", tooLong);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(": the path or one of its names is too long for this system\n", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_read_only_repository_is_reported_as_read_only_not_as_another_backup()
    {
        temp.File("src/a.txt");
        var repo = temp.TryMountTmpfs("repo");
        if (repo is null || Processes.Run("mount", ["-o", "remount,ro", repo]).ExitCode != 0)
        {
            Assert.Skip("needs root to mount a read-only tmpfs");
        }

        var result = CliRunner.Run(temp.Path, "backup", "src", "repo");

        Assert.Equal(1, result.ExitCode);
        // The error names the file it could not create: the repository's lock, the first thing a backup writes.
        Assert.Contains("repo/.linksmith-backup.lock: the file system is mounted read-only\n", result.Error, StringComparison.Ordinal);
        Assert.Contains("hint: choose a place on another file system, or remount this one read-write", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("another backup", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hard_link_the_kernel_refuses_for_protected_hardlinks_is_a_permission_error()
    {
        if (!Platform.IsRoot || File.ReadAllText("/proc/sys/fs/protected_hardlinks").Trim() != "1")
        {
            Assert.Skip("runs the CLI as nobody (needs root) against fs.protected_hardlinks = 1");
        }

        var exe = Environment.GetEnvironmentVariable("LINKSMITH_CLI");
        var program = exe ?? Path.Combine(AppContext.BaseDirectory, "Linksmith.Cli.dll");
        if (Processes.Run("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "test", "-r", program]).ExitCode != 0)
        {
            Assert.Skip($"the user nobody cannot read {program} (a parent folder is private), so the CLI cannot run as nobody here");
        }

        // root's 0644 file: nobody may read it but not write it, so the kernel refuses the link.
        temp.File("roots.txt");
        File.SetUnixFileMode(temp.Dir("open"), (UnixFileMode)0b111_111_111);
        var command = exe is null ? $"dotnet {program}" : exe;

        var result = Processes.Run("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "sh", "-c", $"DOTNET_CLI_HOME=/tmp HOME=/tmp {command} hardlink roots.txt open/link"], temp.Path);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("roots.txt: permission denied (the system forbids hard links to another user's file you cannot both read and write (fs.protected_hardlinks))", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(temp["open/link"]));
    }
}
