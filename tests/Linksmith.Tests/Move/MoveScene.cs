using System.Diagnostics;
using System.Security.Cryptography;

namespace Linksmith.Tests.Move;

/// <summary>
/// A move's stage: <c>home/app</c> (the data: files, a hard-link group, inner and outer links, an
/// empty folder), a destination folder (a tmpfs mounted inside the test's directory for a move
/// across file systems), and a private state folder for the journal. Knows what the data must
/// look like wherever it ends up.
/// </summary>
public sealed class MoveScene : IDisposable
{
    private readonly TempDirectory temp = new();

    public MoveScene(int files = 30, bool acrossVolumes = true, string tmpfsSize = "8m")
    {
        Home = temp.Dir("home");
        State = temp.Dir("state");
        if (acrossVolumes)
        {
            Away = temp.TryOtherVolume("away", tmpfsSize) ?? string.Empty;
            if (Away.Length == 0)
            {
                Assert.Skip(OperatingSystem.IsWindows()
                    ? $"moving across volumes needs a second one: set {Windows.WindowsHost.OtherVolumeVariable} (.ci/wine-tests.sh does)"
                    : "moving across file systems needs a second one: mounting a tmpfs needs root on Linux");
            }
        }
        else
        {
            Away = temp.Dir("away");
        }

        for (var i = 0; i < files; i++)
        {
            temp.File($"home/app/d{i % 7}/sub{i % 3}/file{i}.txt", $"file {i} " + new string((char)('a' + (i % 26)), i % 97));
        }

        temp.File("home/app/big.bin", string.Empty);
        File.WriteAllBytes(Source + "/big.bin", RandomNumberGenerator.GetBytes(300_000));
        Link.CreateHardLink(Source + "/d0/hard-twin.txt", Source + "/d0/sub0/file0.txt");
        File.CreateSymbolicLink(Source + "/inner-rel", "d1");
        File.CreateSymbolicLink(Source + "/outer-abs", "/etc/hostname");
        temp.Dir("home/app/empty");
        Expected = Capture(Source);
    }

    public string Home { get; }

    public string Source => Path.Combine(Home, "app");

    public string Away { get; }

    public string Target => Path.Combine(Away, "app");

    public string State { get; }

    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string> { ["LINKSMITH_STATE_DIR"] = State };

    /// <summary>Relative path → what it is (a file with its content's hash, a folder, a link).</summary>
    public IReadOnlyDictionary<string, string> Expected { get; }

    public MoveOptions Options => new() { StateDirectory = State };

    public ProcessResult Cli(params string[] arguments) => CliRunner.RunWithEnvironment(Home, Environment, arguments);

    /// <summary>Runs the real CLI, killed the <paramref name="after"/>-th time it reaches fault point <paramref name="point"/>; fails unless it died there.</summary>
    public ProcessResult CliKilledAt(string point, int after, params string[] arguments) =>
        FaultKills.RunKilledAt(Home, Environment, point, after, arguments);

    /// <summary>Starts the real CLI and kills it (SIGKILL) after <paramref name="delay"/>, if it is still running.</summary>
    public void RunAndKill(TimeSpan delay, params string[] arguments)
    {
        var exe = System.Environment.GetEnvironmentVariable("LINKSMITH_CLI");
        var start = new ProcessStartInfo(exe ?? "dotnet") { WorkingDirectory = Home, RedirectStandardError = true, RedirectStandardOutput = true };
        if (exe is null)
        {
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Linksmith.Cli.dll"));
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["LINKSMITH_STATE_DIR"] = State;
        using var process = Process.Start(start)!;
        if (!process.WaitForExit(delay))
        {
            process.Kill();
        }

        process.WaitForExit(30_000);
    }

    /// <summary>Whether a complete, intact copy of the data is at <paramref name="root"/> (a real folder).</summary>
    public bool IsComplete(string root) =>
        PathFacts.Stat(root, followLinks: false) is { Kind: LinkKind.Directory } && Same(Capture(root), Expected);

    /// <summary>
    /// After a move settled (finished or rolled back): the data intact at exactly one place, the
    /// old path the original folder or a working link to the new one, nothing left behind.
    /// </summary>
    public void AssertSettled(bool? moved = null)
    {
        var old = Link.Inspect(Source);
        if (old.Kind == LinkKind.Directory)
        {
            Assert.True(moved is null or false, "the move was expected to be done");
            Assert.True(IsComplete(Source), "the original folder is not intact");
            Assert.False(Path.Exists(Target), "a rolled-back move left its data at the destination");
        }
        else
        {
            Assert.True(moved is null or true, "the move was expected to be rolled back");
            // The default --leave: a junction for a folder on Windows, an absolute symlink elsewhere.
            Assert.Equal(OperatingSystem.IsWindows() ? LinkKind.Junction : LinkKind.SymbolicLink, old.Kind);
            Assert.Equal(Target, old.ResolvedTarget);
            Assert.True(IsComplete(Target), "the moved data is not intact");
            // The link works: the data reads through it.
            Assert.True(Same(Capture(Source), Expected));
        }

        Assert.Equal(["app"], TempDirectory.Names(Home));
        Assert.All(TempDirectory.Names(Away), name => Assert.Equal("app", name));
        Assert.Empty(Directory.GetFiles(State, "move-*.lock"));
    }

    public void Dispose() => temp.Dispose();

    public static Dictionary<string, string> Capture(string root)
    {
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in TreeWalker.Walk(root, new WalkOptions()))
        {
            if (entry.Depth == 0)
            {
                continue;
            }

            entries[entry.RelativePath] = entry.Kind switch
            {
                LinkKind.File => "file " + Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(entry.FullPath))),
                LinkKind.Directory => "directory",
                _ => entry.Kind.ToString(),
            };
        }

        return entries;
    }

    private static bool Same(Dictionary<string, string> actual, IReadOnlyDictionary<string, string> expected) =>
        actual.Count == expected.Count && actual.All(e => expected.TryGetValue(e.Key, out var value) && value == e.Value);
}
