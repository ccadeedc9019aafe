using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Linksmith.Tests.Cli;

/// <summary>
/// Runs every command of the real CLI with the inputs a new user, or an odd tree, gives it, and
/// checks that each run ends in a documented exit code with a <c>linksmith: error:</c> line that
/// names the path, never in a stack trace, a .NET resource key or a type name. The tables are the
/// whole sweep: a new command is one line in <see cref="Commands"/>, a new kind of bad input one
/// line in <see cref="Inputs"/>.
/// </summary>
public sealed partial class BadInputSweepTests(ITestOutputHelper output) : IDisposable
{
    private const string Nobody = "setpriv --reuid=65534 --regid=65534 --clear-groups";

    private readonly TempDirectory temp = new();

    private enum Role
    {
        /// <summary>The path is something the command reads (a source, a target, a tree to look at).</summary>
        Reads,

        /// <summary>The path is where the command writes (a destination, a link's name, a tree it changes).</summary>
        Writes,

        /// <summary>The command keeps state (picks, moves, hashes, menu entries): the input is the state folder.</summary>
        State,
    }

    /// <summary>One way a command takes a path: its role and the command line around it, in shell words.</summary>
    private sealed record Use(Role Role, Func<string, string> Line);

    /// <param name="Name">The command, as `linksmith --help` lists it.</param>
    /// <param name="Uses">Where a path goes in its command line.</param>
    /// <param name="BadOptions">Whole command lines with a bad option value (exit 2 expected).</param>
    /// <param name="Setup">A command line run first, as the same user (drop needs a pick).</param>
    private sealed record Command(string Name, Use[] Uses, string[] BadOptions, string Setup = "");

    /// <param name="Name">What it is, for the failure list.</param>
    /// <param name="Roles">The roles it is a bad input for.</param>
    /// <param name="Word">The path as a shell word (bash quoting, so bytes that are not UTF-8 fit).</param>
    /// <param name="Mentions">What an error line must contain (the path as Display shows it); null when no path is named.</param>
    /// <param name="Prepare">Bash run as root in the case's folder before the command.</param>
    /// <param name="Needs">What the input needs from the machine: root, the mounts, the user nobody.</param>
    private sealed record Input(string Name, Role[] Roles, string Word, string? Mentions, string Prepare = "", Need Needs = Need.Nothing);

    [Flags]
    private enum Need
    {
        Nothing = 0,
        Root = 1,
        Nobody = 2,
        FullMount = 4,
        ReadOnlyMount = 8,
    }

    private static Use Reads(Func<string, string> line) => new(Role.Reads, line);

    private static Use Writes(Func<string, string> line) => new(Role.Writes, line);

    private static Use State(string line) => new(Role.State, _ => line);


    /// <summary>Every command of `linksmith --help`; the test fails when the help lists one that is missing here.</summary>
    private static readonly Command[] Commands =
    [
        new("symlink", [Reads(p => $"symlink {p} new"), Writes(p => $"symlink src/a {p}")], ["symlink -r -a src/a new"]),
        new("hardlink", [Reads(p => $"hardlink {p} new"), Writes(p => $"hardlink src/a {p}")], []),
        new("junction", [Reads(p => $"junction {p} new"), Writes(p => $"junction src {p}")], []),
        new("mklink", [Writes(p => $"mklink /H {p} src/a")], ["mklink /X new src/a", "mklink /D /J new src"]),
        new("info", [Reads(p => $"info {p}")], ["info src/a --within"]),
        new("hardlinks", [Reads(p => $"hardlinks {p}")], []),
        new("unlink", [Writes(p => $"unlink {p}")], []),
        new("copy", [Reads(p => $"copy {p} out"), Writes(p => $"copy src {p}")], ["copy src out --exclude '['", "copy src out --include '[a'", "copy src out --threads=-1", "copy src out --outer sideways"]),
        new("mirror", [Reads(p => $"mirror {p} out"), Writes(p => $"mirror src {p}")], ["mirror src out --threads=-1"]),
        new("clone", [Reads(p => $"clone {p} out"), Writes(p => $"clone src {p}")], ["clone src out --exclude '['"]),
        new("backup", [Reads(p => $"backup {p} out"), Writes(p => $"backup src {p}")], ["backup src out --threads abc", "backup src out --keep abc", "backup src out --keep -1", "backup src out --keep=0", "backup src out --keep 99999999999"]),
        new("dedupe", [Reads(p => $"dedupe {p}"), Writes(p => $"dedupe --apply {p}"), State("dedupe --apply src")], ["dedupe src --min-size x", "dedupe src --max-size -1", "dedupe src --min-size 99999999999G", "dedupe src --threads=-1", "dedupe src --threads abc", "dedupe src --exclude '['", "dedupe src --include '['"]),
        new("scan", [Reads(p => $"scan {p}")], []),
        new("check", [Reads(p => $"check {p}")], []),
        new("repair", [Writes(p => $"repair {p} --map /nowhere=/elsewhere --delete-dangling")], ["repair src --map nonsense", "repair src --map ="]),
        new("convert", [Writes(p => $"convert {p} --to absolute")], ["convert src --to sideways"]),
        new("size", [Reads(p => $"size {p}")], ["size src --depth -1", "size src --depth abc"]),
        new("pick", [Reads(p => $"pick {p}"), State("pick src")], []),
        new("picked", [State("picked")], []),
        new("state", [State("state"), State("state --clear")], ["state --dry-run"]),
        new("drop", [Writes(p => $"drop {p} --as copy"), State("drop away --as symlink")], ["drop away --as sideways"], Setup: "pick src"),
        new("shell", [State("shell install --for nautilus")], ["shell install --for sideways"]),
        new("move", [Reads(p => $"move {p} away"), Reads(p => $"move --back {p}"), Writes(p => $"move src/d {p}"), State("move src/d away")], ["move src/d away --leave sideways"]),
        new("moves", [State("moves")], []),
        new("snapshots", [Reads(p => $"snapshots list {p}"), Writes(p => $"snapshots prune {p} --keep 1")], ["snapshots prune src --keep 0", "snapshots prune src --keep-within soon", "snapshots prune src", "snapshots prune src --keep-daily abc"]),
        new("delete", [Reads(p => $"delete --dry-run {p}"), Writes(p => $"delete {p}")], ["delete"]),
    ];

    private const string LongName = "$(printf 'a%.0s' {1..200})";

    /// <summary>
    /// Inputs. Each case runs in its own folder holding src/ (files, two duplicates, a symlink and a
    /// dangling one), afile (a regular file), away/ (an empty folder) and state/ and home/; the
    /// read-only and the full file system are shared, at ../ro and ../full.
    /// </summary>
    private static readonly Input[] Inputs =
    [
        new("a file where a folder is needed", [Role.Reads, Role.Writes], "afile", "afile"),
        new("a file as a parent folder", [Role.Writes], "afile/sub/new", "afile"),
        new("missing parent folders", [Role.Writes], "missing/a/b", "missing"),
        new("an empty string", [Role.Reads, Role.Writes], "''", null),
        new("an unreadable folder", [Role.Reads, Role.Writes], "locked/in", "locked", "mkdir -p locked/in && cp -r src/. locked/in/ && chmod 000 locked", Need.Nobody),
        new("an unwritable folder", [Role.Writes], "rodir", "rodir", "mkdir rodir && cp -r src/. rodir/ && chmod -R a-w rodir", Need.Nobody),
        new("names with a newline", [Role.Reads, Role.Writes], "$'new\\nline'", "new\\nline", "mkdir $'new\\nline' && cp -r src/. $'new\\nline/' && echo x > $'new\\nline/f\\ng'"),
        new("names that are not UTF-8", [Role.Reads, Role.Writes], "$'bad\\xff'", "bad\\xff", "mkdir $'bad\\xff' && cp -r src/. $'bad\\xff/' && echo x > $'bad\\xff/\\xfe'"),
        new("a path over 4096 bytes", [Role.Reads, Role.Writes], "\"$deep\"", "aaaaaaaaaa", $"deep=deep; for i in {{1..22}}; do deep=$deep/{LongName}; done; mkdir -p \"$deep\" && (cd deep && for i in {{1..22}}; do cd {LongName}; done && echo dup > f1 && echo dup > f2 && ln -s f1 l)"),
        new("a FIFO and a device node in the tree", [Role.Reads], "special", "special", "mkdir special && cp -r src/. special/ && mkfifo special/fifo && mknod special/null c 1 3", Need.Root),
        new("a FIFO", [Role.Reads], "fifo", "fifo", "mkfifo fifo"),
        new("a full file system", [Role.Writes], "../full/$CASE", "full", "mkdir ../full/$CASE", Need.FullMount),
        new("a read-only mount", [Role.Writes], "../ro/tree", "ro/tree", Needs: Need.ReadOnlyMount),
        new("a state folder that is a file", [Role.State], string.Empty, "afile", "export LINKSMITH_STATE_DIR=$PWD/afile XDG_DATA_HOME=$PWD/afile XDG_CONFIG_HOME=$PWD/afile"),
        new("an unwritable state folder", [Role.State], string.Empty, "rostate", "mkdir -p rostate && chmod 555 rostate && export LINKSMITH_STATE_DIR=$PWD/rostate XDG_DATA_HOME=$PWD/rostate XDG_CONFIG_HOME=$PWD/rostate", Need.Nobody),
    ];

    public void Dispose()
    {
        if (!OperatingSystem.IsWindows())
        {
            // rm copes with the paths over 4096 bytes and the unreadable folders; .NET's delete does not.
            Processes.Run("sh", ["-c", "chmod -R u+rwx c* 2>/dev/null; rm -rf c*"], temp.Path);
        }

        temp.Dispose();
    }

    [Fact]
    public void No_input_ends_in_a_stack_trace_a_resource_key_or_an_undocumented_exit_code()
    {
        Platform.SkipOnWindows("each case is set up and run by bash (chmod, mkfifo, mknod, setpriv, tmpfs mounts); the inputs are Linux's");
        var available = Prepare(out var unavailable);
        var cases = BuildCases().ToList();
        var runnable = cases.Where(c => c.Input is null || (c.Input.Needs & ~available) == Need.Nothing).ToList();
        var failures = new ConcurrentBag<string>();
        var clock = Stopwatch.StartNew();
        Parallel.ForEach(runnable, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(4, Environment.ProcessorCount * 2) }, c =>
        {
            if (Check(c, RunCase(c)) is { } problem)
            {
                failures.Add(problem);
            }
        });

        var inputs = Inputs.Length + Commands.Sum(static command => command.BadOptions.Length);
        output.WriteLine($"{Commands.Length} commands x {inputs} inputs ({Inputs.Length} paths and state folders, {inputs - Inputs.Length} bad option values): {runnable.Count} runs in {clock.Elapsed.TotalSeconds:0.0} s; {cases.Count - runnable.Count} not run here ({unavailable})");
        Assert.True(failures.IsEmpty, $"{failures.Count} of {runnable.Count} runs went wrong:\n" + string.Join("\n", failures.Order(StringComparer.Ordinal)));
    }

    [Fact]
    public void Every_command_of_the_help_is_in_the_sweep()
    {
        var help = CliRunner.Run(temp.Path, "--help");
        var listed = HelpCommand().Matches(help.Out.Split("Commands:", 2)[1]).Select(static m => m.Groups[1].Value).ToList();

        Assert.NotEmpty(listed);
        Assert.Equal(listed.Order(StringComparer.Ordinal), Commands.Select(static c => c.Name).Order(StringComparer.Ordinal));
    }

    private sealed record Case(int Index, Command Command, string Line, Input? Input, bool BadOption)
    {
        public string Label => $"{Command.Name}: {(Input is null ? "bad option" : Input.Name)}: `linksmith {Line}`";
    }

    private static IEnumerable<Case> BuildCases()
    {
        var index = 0;
        foreach (var command in Commands)
        {
            foreach (var use in command.Uses)
            {
                foreach (var input in Inputs.Where(input => input.Roles.Contains(use.Role)))
                {
                    yield return new Case(index++, command, use.Line(input.Word), input, BadOption: false);
                }
            }

            foreach (var line in command.BadOptions)
            {
                yield return new Case(index++, command, line, null, BadOption: true);
            }
        }
    }

    /// <summary>The shared mounts (root only), and what this machine can run.</summary>
    private Need Prepare(out string unavailable)
    {
        var available = Need.Nothing;
        var missing = new List<string>();
        if (Platform.IsRoot)
        {
            available |= Need.Root;
            if (temp.TryMountTmpfs("full", "1m") is { } full)
            {
                // Filled to the last block: later writes fail with ENOSPC (a folder still fits).
                Processes.Run("sh", ["-c", "head -c 2M /dev/zero > fill"], full);
                available |= Need.FullMount;
            }
            else
            {
                missing.Add("mount -t tmpfs failed: no full file system");
            }

            if (temp.TryMountTmpfs("ro") is { } readOnly
                && Processes.Run("sh", ["-c", "mkdir tree && echo dup > tree/f1 && echo dup > tree/f2 && ln -s f1 tree/l && ln -s gone tree/dangling && mount -o remount,ro ."], readOnly).ExitCode == 0)
            {
                available |= Need.ReadOnlyMount;
            }
            else
            {
                missing.Add("no read-only mount");
            }

            // The CLI must be readable by nobody (a checkout inside a private folder is not).
            var program = CliRunner.CommandLine[^1];
            if (Processes.Run("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "test", "-r", program]).ExitCode == 0)
            {
                available |= Need.Nobody;
            }
            else
            {
                missing.Add($"the user nobody cannot read {program}");
            }
        }
        else
        {
            missing.Add("not root: no device nodes, mounts or runs as nobody");
        }

        unavailable = missing.Count == 0 ? "all inputs ran" : string.Join("; ", missing);
        return available;
    }

    private ProcessResult RunCase(Case c)
    {
        var folder = temp.Dir($"c{c.Index}");
        File.SetUnixFileMode(folder, (UnixFileMode)0b111_111_111);
        foreach (var name in new[] { "state", "home", "away" })
        {
            File.SetUnixFileMode(temp.Dir($"c{c.Index}/{name}"), (UnixFileMode)0b111_111_111);
        }

        temp.File($"c{c.Index}/src/a", "a");
        temp.File($"c{c.Index}/src/d/b", "b");
        temp.File($"c{c.Index}/src/dup1", "duplicate");
        temp.File($"c{c.Index}/src/dup2", "duplicate");
        File.CreateSymbolicLink(temp[$"c{c.Index}/src/l"], "a");
        File.CreateSymbolicLink(temp[$"c{c.Index}/src/gone"], "nowhere");
        temp.File($"c{c.Index}/afile", "x");

        var asNobody = ((c.Input?.Needs ?? Need.Nothing) & Need.Nobody) != 0;
        var user = asNobody ? Nobody + " " : string.Empty;
        var cli = string.Join(' ', CliRunner.CommandLine.Select(Quote));
        var script = $"""
            export CASE=c{c.Index} LINKSMITH_STATE_DIR=$PWD/state HOME=$PWD/home XDG_DATA_HOME=$PWD/home/.local/share XDG_CONFIG_HOME=$PWD/home/.config DOTNET_CLI_HOME=$PWD/home
            {(asNobody ? "chown -R 65534:65534 src afile away state home" : string.Empty)}
            {c.Input?.Prepare ?? string.Empty}
            {(c.Command.Setup.Length > 0 ? $"{user}{cli} {c.Command.Setup} >/dev/null 2>&1" : string.Empty)}
            exec timeout -s KILL 20 {user}{cli} {c.Line}
            """;
        return Processes.Run("bash", ["-c", script], folder);
    }

    private static string? Check(Case c, ProcessResult result)
    {
        var both = result.Out + result.Error;
        var problems = new List<string>();
        if (result.ExitCode is not (0 or 1 or 2 or 3 or 130))
        {
            problems.Add($"exit code {result.ExitCode}");
        }

        // check's exit 1 is a finding (the trees hold a dangling link), printed on stdout.
        var finding = c.Command.Name == "check" && result.ExitCode == 1 && result.Out.Contains("dangling", StringComparison.Ordinal);
        var errorLines = result.Error.Split('\n').Where(static line => line.StartsWith("linksmith: error: ", StringComparison.Ordinal)).ToList();
        if (result.ExitCode is not (0 or 130) && !finding && errorLines.Count == 0)
        {
            problems.Add("no `linksmith: error:` line");
        }

        if (c.BadOption && result.ExitCode != 2)
        {
            problems.Add("a bad option value is a usage error (exit 2)");
        }

        if (c.BadOption && result.Error.Contains("unknown option", StringComparison.Ordinal))
        {
            problems.Add("a bad option value reported as an unknown option");
        }

        // The path may be named by a warning (a state folder that cannot be used makes dedupe go on without its cache).
        if (result.ExitCode is 1 or 3 && !finding && c.Input?.Mentions is { } mentions
            && !result.Error.Split('\n').Any(line => line.StartsWith("linksmith: ", StringComparison.Ordinal) && line.Contains(mentions, StringComparison.Ordinal)))
        {
            problems.Add($"no error line names the path ('{mentions}')");
        }

        if (both.Contains("Unhandled exception", StringComparison.Ordinal) || StackFrame().IsMatch(both))
        {
            problems.Add("a stack trace");
        }

        if (ResourceKey().Match(both) is { Success: true } key)
        {
            problems.Add($"a resource key ({key.Value})");
        }

        if (TypeName().Match(both) is { Success: true } type)
        {
            problems.Add($"a .NET type name ({type.Value})");
        }

        if (problems.Count == 0)
        {
            return null;
        }

        var error = string.Join("\n      ", result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries).Take(4).Select(static line => line.Length > 200 ? line[..200] + "…" : line));
        return $"- {c.Label}: {string.Join(", ", problems)} (exit {result.ExitCode})\n      {error}";
    }

    private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    [GeneratedRegex(@"^\s+at \S", RegexOptions.Multiline)]
    private static partial Regex StackFrame();

    // Resource keys look like IO_PathNotFound_Path or Arg_ParamName_Name; a placeholder such as
    // DEST_DIR (no lowercase letter) is not one.
    [GeneratedRegex(@"\b(?=[A-Za-z_]*[a-z])[A-Z][A-Za-z]*_[A-Z][A-Za-z_]*\b")]
    private static partial Regex ResourceKey();

    [GeneratedRegex(@"System\.Nullable|\b[A-Z]\w*Exception\b|System\.[A-Z]\w+\.")]
    private static partial Regex TypeName();

    [GeneratedRegex(@"^  ([a-z]+)\b", RegexOptions.Multiline)]
    private static partial Regex HelpCommand();
}
