using System.Security.Cryptography;
using System.Text;

namespace Linksmith.Tests.Races;

/// <summary>
/// The folder outside every tree that the attacker's link leads to: root's files (some 0600 with a
/// secret, some 0644), a 0700 folder, links, named like the entries the job touches in the swapped
/// folder, so that a job that follows the link lands on them. <see cref="Record"/> and
/// <see cref="Compare"/> tell what a run did to them.
/// </summary>
internal sealed class Sentinels
{
    public Sentinels(string path, string marker)
    {
        Path = path;
        Marker = marker;
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32("755", 8));
    }

    public string Path { get; }

    /// <summary>The text every secret holds; found in a job's output, it was read through the link.</summary>
    public string Marker { get; }

    /// <summary>A root-only file (0600) whose content holds the marker.</summary>
    public void Secret(string relative) => Write(relative, $"{Marker} {relative}: root only\n", "600");

    /// <summary>A root file anyone may read (0644), with the content given (e.g. that of a duplicate in the tree).</summary>
    public void Public(string relative, string content) => Write(relative, content, "644");

    /// <summary>A root-only folder (0700) with a secret in it.</summary>
    public void Vault(string relative)
    {
        var full = System.IO.Path.Join(Path, relative);
        Directory.CreateDirectory(full);
        File.SetUnixFileMode(full, (UnixFileMode)Convert.ToInt32("700", 8));
        Secret(relative + "/key");
    }

    /// <summary>A symbolic link of root's.</summary>
    public void Link(string relative, string target) => File.CreateSymbolicLink(System.IO.Path.Join(Path, relative), target);

    /// <summary>Every name under the folder (the folder itself as "."), with what must not change.</summary>
    public IReadOnlyDictionary<string, Sentinel> Record()
    {
        var found = new Dictionary<string, Sentinel>(StringComparer.Ordinal);
        Visit(".", Path, found);
        return found;
    }

    /// <summary>What happened to the sentinels between two records, one line per finding ("chmod f02 0600 -> 0755").</summary>
    public static List<Escape> Compare(IReadOnlyDictionary<string, Sentinel> before, IReadOnlyDictionary<string, Sentinel> after)
    {
        var escapes = new List<Escape>();
        foreach (var (name, old) in before)
        {
            if (!after.TryGetValue(name, out var now))
            {
                escapes.Add(new("deleted", name));
                continue;
            }

            var (a, b) = (old.Status, now.Status);
            if (a.Inode != b.Inode || a.Device != b.Device || (a.Mode & 0xF000) != (b.Mode & 0xF000))
            {
                escapes.Add(new("replaced", $"{name} (inode {a.Inode} -> {b.Inode}, {Convert.ToString(b.Mode, 8)} with {b.Links} links)"));
                continue;
            }

            if (old.Content != now.Content)
            {
                escapes.Add(new("written", name));
            }

            if (!a.IsDirectory && a.Links != b.Links)
            {
                escapes.Add(new("re-linked", $"{name} (links {a.Links} -> {b.Links})"));
            }

            if ((a.Mode & 0xFFF) != (b.Mode & 0xFFF))
            {
                escapes.Add(new("chmod", $"{name} ({Convert.ToString(a.Mode & 0xFFF, 8)} -> {Convert.ToString(b.Mode & 0xFFF, 8)})"));
            }

            if (a.Uid != b.Uid || a.Gid != b.Gid)
            {
                escapes.Add(new("chown", $"{name} ({a.Uid}:{a.Gid} -> {b.Uid}:{b.Gid})"));
            }

            if (a.IsRegularFile && a.MtimeNanoseconds != b.MtimeNanoseconds)
            {
                escapes.Add(new("touched", name));
            }
        }

        escapes.AddRange(after.Keys.Where(name => !before.ContainsKey(name)).Select(name => new Escape("created", name)));
        return escapes;
    }

    /// <summary>
    /// The sentinel files whose blocks are shared with another file (FIEMAP's shared flag): a
    /// reflink dedupe that followed the attacker's link. Their bytes, owner, mode and times would
    /// all be as before, so <see cref="Compare"/> cannot see it.
    /// </summary>
    public IEnumerable<Escape> Shared() =>
        Record().Where(entry => entry.Value.Status.IsRegularFile)
            .Where(entry => Reflinks.ReflinkCopyTests.Extents(System.IO.Path.Join(Path, entry.Key)).SharedBytes > 0)
            .Select(entry => new Escape("shared", entry.Key));

    /// <summary>Regular files under <paramref name="root"/> (never through a link) that hold the marker.</summary>
    public IEnumerable<Escape> ReadInto(string root)
    {
        var marker = Encoding.UTF8.GetBytes(Marker);
        var pending = new Stack<string>([root]);
        while (pending.TryPop(out var path))
        {
            if (RaceNative.Lstat(path) is not { } status)
            {
                continue;
            }

            if (status.IsDirectory)
            {
                foreach (var child in SafeList(path))
                {
                    pending.Push(child);
                }
            }
            else if (status.IsRegularFile && SafeRead(path).AsSpan().IndexOf(marker) >= 0)
            {
                yield return new Escape("read", path);
            }
        }
    }

    private void Write(string relative, string content, string mode)
    {
        var full = System.IO.Path.Join(Path, relative);
        File.WriteAllText(full, content);
        File.SetUnixFileMode(full, (UnixFileMode)Convert.ToInt32(mode, 8));
    }

    private static void Visit(string relative, string full, Dictionary<string, Sentinel> found)
    {
        if (RaceNative.Lstat(full) is not { } status)
        {
            return;
        }

        var content = status.IsRegularFile ? Convert.ToHexString(SHA256.HashData(SafeRead(full)))
            : status.IsSymbolicLink ? new FileInfo(full).LinkTarget
            : null;
        found[relative] = new Sentinel(status, content);
        if (status.IsDirectory)
        {
            foreach (var child in SafeList(full))
            {
                Visit(relative == "." ? System.IO.Path.GetFileName(child) : relative + "/" + System.IO.Path.GetFileName(child), child, found);
            }
        }
    }

    // A name can vanish between the listing and the read while a job is still cleaning up; such a
    // name is simply not there.
    private static string[] SafeList(string directory)
    {
        try
        {
            return Directory.GetFileSystemEntries(directory);
        }
        catch (IOException)
        {
            return [];
        }
    }

    private static byte[] SafeRead(string file)
    {
        try
        {
            return File.ReadAllBytes(file);
        }
        catch (IOException)
        {
            return [];
        }
    }
}

/// <summary>A sentinel's facts: its status and its content's hash (a link: its target text).</summary>
internal sealed record Sentinel(NodeStatus Status, string? Content);

/// <summary>One thing a job did outside its tree: its kind ("deleted", "chmod", "read", …) and what it hit.</summary>
internal sealed record Escape(string Kind, string What);
