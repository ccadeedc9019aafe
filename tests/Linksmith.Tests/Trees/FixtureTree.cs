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
///   a/new\nline.txt      a name with a newline
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
/// </summary>
public sealed class FixtureTree
{
    public static readonly DateTime OldTime = new(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc);

    public FixtureTree(TempDirectory temp, string name = "src")
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("the fixture holds a name with a newline and files with Unix mode bits (0750, 0600), which Windows names and files cannot have");
        }

        Temp = temp;
        Source = temp.Dir(name);
        Outside = temp.Dir("outside");
        temp.File("outside/shared.txt", "shared by two groups");
        temp.File("outside/dir/inside.txt", "outside content");
        temp.File($"{name}/a/f.txt", "saturated group");
        temp.Dir($"{name}/a/b");
        File.CreateSymbolicLink(Path.Combine(Source, "inner-rel"), "a/f.txt");
        Link.CreateHardLink(Path.Combine(Source, "a/b/g.txt"), Path.Combine(Source, "a/f.txt"));
        Link.CreateHardLink(Path.Combine(Source, "a/unsat.txt"), Path.Combine(Outside, "shared.txt"));
        temp.File($"{name}/a/exec.sh", "#!/bin/sh\necho hi\n");
        File.SetUnixFileMode(Path.Combine(Source, "a/exec.sh"), (UnixFileMode)0b111_101_000);
        File.SetLastWriteTimeUtc(Path.Combine(Source, "a/exec.sh"), OldTime);
        temp.File($"{name}/a/private.txt", "secret");
        File.SetUnixFileMode(Path.Combine(Source, "a/private.txt"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        temp.File($"{name}/a/new\nline.txt", "newline");
        temp.Dir($"{name}/empty");
        temp.File($"{name}/old/file.txt", "old");
        File.CreateSymbolicLink(Path.Combine(Source, "a/inner-up"), "../empty");
        File.CreateSymbolicLink(Path.Combine(Source, "inner-abs"), Path.Combine(Source, "a/b"));
        File.CreateSymbolicLink(Path.Combine(Source, "outer-rel"), "../outside/dir");
        File.CreateSymbolicLink(Path.Combine(Source, "a/outer-rel-file"), "../../outside/shared.txt");
        File.CreateSymbolicLink(Path.Combine(Source, "outer-abs"), Path.Combine(Outside, "dir"));
        File.CreateSymbolicLink(Path.Combine(Source, "dangling"), "nowhere");
        File.CreateSymbolicLink(Path.Combine(Source, "loop1"), "loop2");
        File.CreateSymbolicLink(Path.Combine(Source, "loop2"), "loop1");
        File.CreateSymbolicLink(Path.Combine(Source, "up"), "..");
        Directory.SetLastWriteTimeUtc(Path.Combine(Source, "old"), OldTime);
    }

    public TempDirectory Temp { get; }

    public string Source { get; }

    public string Outside { get; }

    public string this[string relative] => Path.Combine(Source, relative);

    public static FileIdentity Identity(string path) => Link.Inspect(path).Identity!.Value;

    public static string? LinkText(string path) => Link.Inspect(path).Target;
}
