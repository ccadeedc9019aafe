using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Linksmith.Tests.Backups;

public sealed class ManifestTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void A_backup_records_every_file_with_its_size_time_and_sha256_beside_the_snapshot()
    {
        temp.File("src/a.txt", "alpha");
        temp.File("src/deep/er/b.bin", new string('b', 300_000));
        temp.File("src/empty");

        var snapshot = Backup();

        var manifest = ManifestOf(snapshot);
        Assert.True(File.Exists(manifest));
        Assert.False(File.Exists(Path.Combine(snapshot, ".linksmith-snapshot")));
        var lines = File.ReadAllLines(manifest);
        Assert.Equal("linksmith-snapshot-manifest\t1", lines[0]);
        var entries = lines.Skip(1).Select(line => line.Split('\t')).ToDictionary(f => f[0]);
        Assert.Equal(["a.txt", "deep/er/b.bin", "empty"], entries.Keys.Order(StringComparer.Ordinal));
        foreach (var (path, fields) in entries)
        {
            var file = Path.Combine(snapshot, TempDirectory.Native(path));
            Assert.Equal(new FileInfo(file).Length.ToString(CultureInfo.InvariantCulture), fields[1]);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file))), fields[3]);
            var seconds = long.Parse(fields[2].Split('.')[0], CultureInfo.InvariantCulture);
            Assert.Equal(new DateTimeOffset(File.GetLastWriteTimeUtc(file)).ToUnixTimeSeconds(), seconds);
        }
    }

    [Fact]
    public void The_next_backup_carries_linked_files_over_and_hashes_changed_ones()
    {
        temp.File("src/same.txt", "unchanged");
        temp.File("src/changes.txt", "before");
        var first = Backup();
        temp.File("src/changes.txt", "after, and longer");
        File.SetLastWriteTimeUtc(temp["src/changes.txt"], DateTime.UtcNow.AddMinutes(1));

        var second = Backup();

        var before = Lines(first);
        var after = Lines(second);
        Assert.Equal(before["same.txt"], after["same.txt"]);
        Assert.NotEqual(before["changes.txt"][3], after["changes.txt"][3]);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData("after, and longer"u8)), after["changes.txt"][3]);
    }

    [Fact]
    public void A_sparse_file_and_a_hard_link_group_are_hashed_as_their_contents_read()
    {
        var sparse = temp["src/sparse.img"];
        Directory.CreateDirectory(temp["src"]);
        using (var stream = new FileStream(sparse, FileMode.Create))
        {
            stream.Position = 1 << 20;
            stream.Write("middle"u8);
            stream.SetLength(3 << 20);
        }

        temp.File("src/one", "shared contents");
        Link.CreateHardLink(temp["src/two"], temp["src/one"]);

        var snapshot = Backup();

        var entries = Lines(snapshot);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(sparse))), entries["sparse.img"][3]);
        Assert.Equal(entries["one"][3], entries["two"][3]);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData("shared contents"u8)), entries["two"][3]);
    }

    [Fact]
    public void A_reflinked_copy_is_hashed_too()
    {
        Platform.SkipOnWindows("reflinks here need a Btrfs or XFS image loop-mounted (root on Linux); there is no ReFS volume to clone blocks on");
        var mount = temp.TryMountImage("fs", "btrfs", out var whyNot) ?? temp.TryMountImage("fs", "xfs", out whyNot);
        Assert.SkipWhen(mount is null, whyNot);
        var source = Path.Combine(mount!, "src");
        Directory.CreateDirectory(source);
        File.WriteAllText(Path.Combine(source, "data.txt"), new string('r', 100_000));

        var summary = TreeOperations.Run(new TreeJob { Kind = TreeJobKind.Backup, SourcePath = source, DestinationPath = Path.Combine(mount!, "repo"), Reflink = ReflinkMode.Always });

        var entries = Lines(summary.SnapshotPath!);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(source, "data.txt")))), entries["data.txt"][3]);
    }

    [Fact]
    public void Names_with_tabs_newlines_backslashes_and_bytes_that_are_not_utf8_fit_on_one_line()
    {
        string[] names = ["tab\there", "new\nline", "back\\slash", "bad\uDCFFbyte", "ünïcödé", "📁stuff", "\uD83D\uDCC1\uDCC1"];
        foreach (var name in names)
        {
            Assert.Equal(name, SnapshotManifest.Unescape(SnapshotManifest.Escape(name)));
            Assert.DoesNotContain('\n', SnapshotManifest.Escape(name));
            Assert.DoesNotContain('\t', SnapshotManifest.Escape(name));
        }

        Assert.Equal(@"bad\xffbyte", SnapshotManifest.Escape("bad\uDCFFbyte"));
        Assert.Equal("📁stuff", SnapshotManifest.Escape("📁stuff"));
        Assert.Equal(@"📁\xc1", SnapshotManifest.Escape("\uD83D\uDCC1\uDCC1"));
        Assert.Equal("dir/new\\nline", SnapshotManifest.Escape("dir/new\nline"));
        // A file name cannot hold a newline on Windows; the escapes above are the same there.
        var newline = !OperatingSystem.IsWindows();
        if (newline)
        {
            temp.File("src/new\nline", "x");
        }

        temp.File("src/📁stuff", "emoji");
        var snapshot = Backup();
        if (newline)
        {
            Assert.Contains("new\\nline", Lines(snapshot).Keys);
        }

        Assert.Contains("📁stuff", Lines(snapshot).Keys);
        Assert.Equal(0, CliRunner.Run(temp.Path, "snapshots", "verify", "repo").ExitCode);
    }

    [Fact]
    public void A_path_longer_than_a_kilobyte_is_recorded_whole_and_carried_over_by_the_next_backup()
    {
        // Longer than the buffer a manifest line is first formatted into.
        var deep = "src/" + string.Join('/', Enumerable.Repeat(new string('d', 200), 6)) + "/ünïcödé file";
        temp.File(deep, "deep");
        var first = Backup();

        var second = Backup();

        var key = deep["src/".Length..];
        Assert.True(Encoding.UTF8.GetByteCount(key) > 1024);
        Assert.Equal(Lines(first)[key], Lines(second)[key]);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData("deep"u8)), Lines(second)[key][3]);
        Assert.Equal(0, CliRunner.Run(temp.Path, "snapshots", "verify", "repo").ExitCode);
    }

    [Fact]
    public void Pruning_a_snapshot_removes_its_manifest_and_a_dry_run_writes_none()
    {
        temp.File("src/a.txt", "a");
        var first = Backup();
        var second = Backup();

        var summary = TreeOperations.Run(new TreeJob { Kind = TreeJobKind.Backup, SourcePath = temp["src"], DestinationPath = temp["repo"], Keep = 2 });
        var dry = TreeOperations.Run(new TreeJob { Kind = TreeJobKind.Backup, SourcePath = temp["src"], DestinationPath = temp["repo"], DryRun = true });

        Assert.Equal([first], summary.Pruned);
        Assert.False(File.Exists(ManifestOf(first)));
        Assert.True(File.Exists(ManifestOf(second)));
        Assert.True(File.Exists(ManifestOf(summary.SnapshotPath!)));
        Assert.False(File.Exists(ManifestOf(dry.SnapshotPath!)));
        Assert.Equal(2, Directory.GetFiles(temp["repo"], "*.linksmith-snapshot").Length);
    }

    [Fact]
    public void An_orphan_manifest_is_removed_by_the_next_backup()
    {
        temp.File("src/a.txt", "a");
        Backup();
        temp.File("repo/2001-01-01_000000.linksmith-snapshot", "linksmith-snapshot-manifest\t1\n");
        temp.File("repo/.partial-2001-01-02_000000.linksmith-snapshot", "linksmith-snapshot-manifest\t1\n");
        temp.File("repo/notes.linksmith-snapshot", "not ours");

        Backup();

        Assert.False(File.Exists(temp["repo/2001-01-01_000000.linksmith-snapshot"]));
        Assert.False(File.Exists(temp["repo/.partial-2001-01-02_000000.linksmith-snapshot"]));
        Assert.True(File.Exists(temp["repo/notes.linksmith-snapshot"]));
    }

    private string Backup()
    {
        var summary = TreeOperations.Run(new TreeJob { Kind = TreeJobKind.Backup, SourcePath = temp["src"], DestinationPath = temp["repo"] });
        Assert.Equal(0, summary.Errors);
        return summary.SnapshotPath!;
    }

    private static string ManifestOf(string snapshot) => snapshot + ".linksmith-snapshot";

    private static Dictionary<string, string[]> Lines(string snapshot) =>
        File.ReadAllLines(ManifestOf(snapshot)).Skip(1).Select(line => line.Split('\t')).ToDictionary(f => f[0]);
}
