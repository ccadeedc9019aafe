using System.Runtime.InteropServices;
using Linksmith.Tests.Trees;

namespace Linksmith.Tests.Backups;

/// <summary>
/// A backup links each unchanged file to the previous snapshot's; a file there that already has
/// every name its file system allows (ext4: 65,000) cannot take one more, and is copied instead,
/// starting a new chain of links.
/// </summary>
public sealed partial class LinkLimitTests : IDisposable
{
    private const int Ext4LinkMax = 65_000;

    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void An_unchanged_file_whose_previous_copy_has_every_name_ext4_allows_is_copied_and_the_rest_linked()
    {
        var disk = temp.MountImage("disk", "ext4");
        var source = Path.Combine(disk, "src");
        var repository = Path.Combine(disk, "repo");
        Directory.CreateDirectory(source);
        File.WriteAllText(Path.Combine(source, "full.txt"), "every name taken");
        File.WriteAllText(Path.Combine(source, "other.txt"), "linked as usual");
        var first = Backup(source, repository);
        var full = Path.Combine(first.SnapshotPath!, "full.txt");
        // Names outside the repository, up to the limit (link(2), not the library under test).
        var names = Path.Combine(disk, "names");
        Directory.CreateDirectory(names);
        for (var i = 2; i <= Ext4LinkMax; i++)
        {
            Assert.Equal(0, link(full, Path.Combine(names, i.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        }

        var second = Backup(source, repository);

        Assert.Equal(0, second.Errors);
        Assert.Equal(1, second.Copied);
        Assert.Equal(1, second.Linked);
        Assert.Equal("every name taken".Length, second.Bytes);
        var copied = Path.Combine(second.SnapshotPath!, "full.txt");
        Assert.NotEqual(FixtureTree.Identity(full), FixtureTree.Identity(copied));
        Assert.Equal("every name taken", File.ReadAllText(copied));
        Assert.Equal(FixtureTree.Identity(Path.Combine(first.SnapshotPath!, "other.txt")), FixtureTree.Identity(Path.Combine(second.SnapshotPath!, "other.txt")));
        // The manifest has the copy's line as for any file.
        Assert.Contains(File.ReadAllLines(second.SnapshotPath + ".linksmith-snapshot"), line => line.StartsWith("full.txt\t16\t", StringComparison.Ordinal));
    }

    private static TreeSummary Backup(string source, string repository) =>
        TreeOperations.Run(new TreeJob { Kind = TreeJobKind.Backup, SourcePath = source, DestinationPath = repository });

    [LibraryImport("libc", EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int link(string existing, string created);
}
