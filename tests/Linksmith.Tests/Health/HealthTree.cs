namespace Linksmith.Tests.Health;

/// <summary>
/// A tree with known answers for the health commands: under <c>anchor/</c> healthy, dangling and
/// looping links, relative and absolute, inner and outer; hard-link groups with all names inside
/// and with a name in <c>outside/</c>.
/// </summary>
public sealed class HealthTree : IDisposable
{
    public HealthTree()
    {
        Temp.File("anchor/data/file.txt", "hello");
        Temp.Dir("anchor/data/sub");
        Temp.File("outside/o.txt", "outer");
        Temp.File("anchor/hl-a", "shared inside");
        Link.CreateHardLink(Temp["anchor/data/hl-b"], Temp["anchor/hl-a"]);
        Temp.File("outside/hl-out", "shared with outside");
        Link.CreateHardLink(Temp["anchor/hl-in"], Temp["outside/hl-out"]);
        Symlink("anchor/rel-inner", "data/file.txt");
        Symlink("anchor/abs-inner", Temp["anchor/data/file.txt"]);
        Symlink("anchor/rel-outer", "../outside/o.txt");
        Symlink("anchor/abs-outer", Temp["outside/o.txt"]);
        Symlink("anchor/dangling-inner", "data/missing");
        Symlink("anchor/dangling-outer", "/nonexistent-linksmith/x");
        Symlink("anchor/self", "self");
        Symlink("anchor/ping", "pong");
        Symlink("anchor/pong", "ping");
        Symlink("anchor/data/sub/up", "../../data");
    }

    public TempDirectory Temp { get; } = new();

    public string Anchor => Temp["anchor"];

    public string this[string relative] => Temp[relative];

    /// <summary>
    /// Every link under the anchor, by path relative to the temp directory: (target text, relative,
    /// inner, dangling, loop). Paths and texts in the system's spelling (a backslash on Windows),
    /// as the link stores them (see <see cref="AsStored"/>).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, (string Target, bool Relative, bool Inner, bool Dangling, bool Loop)> Expected =
        new Dictionary<string, (string Target, bool Relative, bool Inner, bool Dangling, bool Loop)>
        {
            ["anchor/rel-inner"] = ("data/file.txt", true, true, false, false),
            ["anchor/abs-inner"] = ("{temp}/anchor/data/file.txt", false, true, false, false),
            ["anchor/rel-outer"] = ("../outside/o.txt", true, false, false, false),
            ["anchor/abs-outer"] = ("{temp}/outside/o.txt", false, false, false, false),
            ["anchor/dangling-inner"] = ("data/missing", true, true, true, false),
            ["anchor/dangling-outer"] = ("/nonexistent-linksmith/x", false, false, true, false),
            ["anchor/self"] = ("self", true, true, true, true),
            ["anchor/ping"] = ("pong", true, true, true, true),
            ["anchor/pong"] = ("ping", true, true, true, true),
            ["anchor/data/sub/up"] = ("../../data", true, true, false, false),
        }.ToDictionary(pair => TempDirectory.Native(pair.Key), pair => pair.Value with { Target = AsStored(TempDirectory.Native(pair.Value.Target)) });

    /// <summary>
    /// A link's <paramref name="target"/> text (in the system's spelling) as the link stores it.
    /// Wine stores a drive-relative target (<c>\nonexistent-linksmith\x</c>) as a full path on the
    /// drive the tests run from, <c>Z:</c> (measured); Windows keeps it drive-relative, as written.
    /// </summary>
    public static string AsStored(string target) =>
        Windows.WindowsHost.IsWine && target.StartsWith('\\') && !target.StartsWith(@"\\", StringComparison.Ordinal) ? "Z:" + target : target;

    public string Symlink(string relative, string target)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Temp[relative])!);
        File.CreateSymbolicLink(Temp[relative], TempDirectory.Native(target));
        return Temp[relative];
    }

    public string TargetOf(string relative) => Link.Inspect(Temp[relative]).Target!;

    public string Expand(string text) => text.Replace("{temp}", Temp.Path, StringComparison.Ordinal);

    public void Dispose() => Temp.Dispose();
}
