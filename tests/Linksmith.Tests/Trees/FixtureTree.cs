namespace Linksmith.Tests.Trees;

/// <summary>
/// A source tree with every case the tree engine must handle, built on the real file system:
/// <code>
/// outside/               (next to src: the target of outer links)
///   shared.txt           one name of an unsaturated group (the other is src/a/unsat.txt)
///   dir/inside.txt
/// src/
///   a/f.txt, a/b/g.txt   a saturated hard-link group (both names inside src)
///   a/unsat.txt          unsaturated group (its other name is outside/shared.txt)
///   a/exec.sh            mode 0750, an old mtime
///   a/private.txt        mode 0600
///   a/new\nline.txt      a name with a newline (on Windows, which forbids it: "new line ☃.txt")
///   empty/               an empty directory
///   old/                 a directory with an old mtime
///   inner-rel -> a/f.txt             inner, relative, to a file
///   a/inner-up -> ../empty           inner, relative, to a directory
///   inner-abs -> {src}/a/b           inner, absolute, to a directory
///   outer-rel -> ../outside/dir      outer, relative, to a directory
///   a/outer-rel-file -> ../../outside/shared.txt   outer, relative, to a file
///   outer-abs -> {outside}/dir       outer, absolute
///   dangling -> nowhere              dangling (inner: it resolves inside src)
///   loop1 -> loop2, loop2 -> loop1   a loop of links
///   up -> ..                         outer link to the parent of src (a loop when unrolled)
/// </code>
/// On Windows (and in the Wine pass) the modes are left out (Windows files have none), link texts
/// are written with '\', and a link to a folder is a directory symbolic link, as <c>mklink /D</c> makes.
/// </summary>
public sealed class FixtureTree
{
    public static readonly DateTime OldTime = new(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc);

    public FixtureTree(TempDirectory temp, string name = "src")
    {
        Temp = temp;
        Source = temp.Dir(name);
        Outside = temp.Dir("outside");
        temp.File("outside/shared.txt", "shared by two groups");
        temp.File("outside/dir/inside.txt", "outside content");
        temp.File($"{name}/a/f.txt", "saturated group");
        temp.Dir($"{name}/a/b");
        Symlink("inner-rel", "a/f.txt");
        Link.CreateHardLink(this["a/b/g.txt"], this["a/f.txt"]);
        Link.CreateHardLink(this["a/unsat.txt"], Path.Combine(Outside, "shared.txt"));
        temp.File($"{name}/a/exec.sh", "#!/bin/sh\necho hi\n");
        File.SetLastWriteTimeUtc(this["a/exec.sh"], OldTime);
        temp.File($"{name}/a/private.txt", "secret");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(this["a/exec.sh"], (UnixFileMode)0b111_101_000);
            File.SetUnixFileMode(this["a/private.txt"], UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        temp.File($"{name}/{UnusualName}", "newline");
        temp.Dir($"{name}/empty");
        temp.File($"{name}/old/file.txt", "old");
        Symlink("a/inner-up", "../empty");
        Symlink("inner-abs", this["a/b"]);
        Symlink("outer-rel", "../outside/dir");
        Symlink("a/outer-rel-file", "../../outside/shared.txt");
        Symlink("outer-abs", Path.Combine(Outside, "dir"));
        Symlink("dangling", "nowhere");
        Symlink("loop1", "loop2");
        Symlink("loop2", "loop1");
        Symlink("up", "..");
        Directory.SetLastWriteTimeUtc(this["old"], OldTime);
    }

    /// <summary>The file with an unusual name, relative to the source: a newline in it on Linux; on Windows, which forbids that, a space and a character beyond Latin-1.</summary>
    public static string UnusualName => OperatingSystem.IsWindows() ? "a/new line \u2603.txt" : "a/new\nline.txt";

    public TempDirectory Temp { get; }

    public string Source { get; }

    public string Outside { get; }

    /// <summary>The full path of <paramref name="relative"/> (written with '/') in the system's spelling.</summary>
    public string this[string relative] => Path.Combine(Source, TempDirectory.Native(relative));

    public static FileIdentity Identity(string path) => Link.Inspect(path).Identity!.Value;

    public static string? LinkText(string path) => Link.Inspect(path).Target;

    /// <summary>A symbolic link at <paramref name="relative"/> whose text is <paramref name="text"/> in the system's spelling.</summary>
    private void Symlink(string relative, string text) => TempDirectory.Symlink(this[relative], TempDirectory.Native(text));
}
