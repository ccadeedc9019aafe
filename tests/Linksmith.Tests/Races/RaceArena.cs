namespace Linksmith.Tests.Races;

/// <summary>
/// One run's stage: <c>tree/</c> (where the job works, the current directory of the CLI),
/// <c>outside/</c> (the <see cref="Sentinels"/>), <c>attacker/</c> (the attacker's links), and a
/// private state folder. Removed afterwards without following links.
/// </summary>
internal sealed class RaceArena : IDisposable
{
    /// <summary>The user who owns the trees the job is given (root runs the job): no account needed.</summary>
    public const uint UserId = 1234;

    private readonly List<SwapSpot> spots = [];
    private readonly List<string> scratch = [];

    public RaceArena(string root, string marker, int run)
    {
        Root = root;
        Run = run;
        Tree = Path.Join(root, "tree");
        State = Path.Join(root, "state");
        Directory.CreateDirectory(Tree);
        Directory.CreateDirectory(State);
        Directory.CreateDirectory(Path.Join(root, "attacker"));
        Outside = new Sentinels(Path.Join(root, "outside"), marker);
    }

    public string Root { get; }

    /// <summary>The number of this run in its job (0, 1, …), for names that must not repeat.</summary>
    public int Run { get; }

    public string Tree { get; }

    public string State { get; }

    public Sentinels Outside { get; }

    public IReadOnlyList<SwapSpot> Spots => spots;

    public string this[string relative] => Path.Join(Tree, relative);

    /// <summary>A file of the user's (uid <see cref="UserId"/>) in the tree, folders made as needed (also the user's).</summary>
    public string UserFile(string relative, string content, string mode = "644")
    {
        var full = this[relative];
        UserDirectory(Path.GetDirectoryName(relative)!);
        File.WriteAllText(full, content);
        File.SetUnixFileMode(full, (UnixFileMode)Convert.ToInt32(mode, 8));
        RaceNative.Lchown(full, UserId, UserId);
        return full;
    }

    /// <summary>A folder of the user's, with its missing parents (also the user's).</summary>
    public string UserDirectory(string relative)
    {
        var full = this[relative];
        if (relative.Length > 0 && !Directory.Exists(full))
        {
            UserDirectory(Path.GetDirectoryName(relative)!);
            Directory.CreateDirectory(full);
            RaceNative.Lchown(full, UserId, UserId);
        }

        return full;
    }

    /// <summary>A file of root's (0644) in the tree, e.g. one that dedupe may merge.</summary>
    public string RootFile(string relative, string content, DateTime? modified = null)
    {
        var full = this[relative];
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content);
        if (modified is { } time)
        {
            File.SetLastWriteTimeUtc(full, time);
        }

        return full;
    }

    /// <summary>The attacker swaps the folder at <paramref name="relative"/> (in the tree) with its link, whenever it exists.</summary>
    public void Swap(string relative) => spots.Add(new SwapSpot(this[relative]));

    /// <summary>The attacker swaps whatever <paramref name="find"/> names at the moment (null: nothing yet).</summary>
    public void Swap(Func<string?> find) => spots.Add(new SwapSpot(null, find));

    /// <summary>A folder elsewhere (another file system) that belongs to this run and goes with it.</summary>
    public string Scratch(string path)
    {
        Directory.CreateDirectory(path);
        scratch.Add(path);
        return path;
    }

    public Attacker Attacker() => new(spots, Path.Join(Root, "attacker"), Outside.Path);

    public void Dispose()
    {
        // .NET's recursive delete removes a symlink as a link, never what it leads to.
        foreach (var path in scratch.Append(Root))
        {
            try
            {
                Directory.Delete(path, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
