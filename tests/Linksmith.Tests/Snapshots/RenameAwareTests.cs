using System.Text.Json;
using Linksmith.Tests.Trees;

namespace Linksmith.Tests.Backups;

public sealed class RenameAwareTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void A_renamed_or_moved_file_is_linked_to_the_previous_snapshot_and_nothing_of_it_is_written()
    {
        temp.File("src/photo.jpg", new string('p', 200_000));
        temp.File("src/notes/todo.txt", new string('t', 50_000));
        temp.File("src/stays.txt", "stays");
        var first = Backup();
        File.Move(temp["src/photo.jpg"], temp["src/renamed.jpg"]);
        Directory.CreateDirectory(temp["src/archive"]);
        File.Move(temp["src/notes/todo.txt"], temp["src/archive/todo.txt"]);

        var result = CliRunner.Run(temp.Path, "backup", "src", "repo", "--json");

        Assert.Equal(0, result.ExitCode);
        using var summary = JsonDocument.Parse(result.Out);
        Assert.Equal(2, summary.RootElement.GetProperty("renamed").GetInt64());
        Assert.Equal(0, summary.RootElement.GetProperty("copied").GetInt64());
        Assert.Equal(0, summary.RootElement.GetProperty("bytes").GetInt64());
        Assert.Equal(3, summary.RootElement.GetProperty("linked").GetInt64());
        var second = summary.RootElement.GetProperty("snapshot").GetString()!;
        Assert.Equal(FixtureTree.Identity(Path.Combine(first, "photo.jpg")), FixtureTree.Identity(Path.Combine(second, "renamed.jpg")));
        Assert.Equal(FixtureTree.Identity(Path.Combine(first, "notes", "todo.txt")), FixtureTree.Identity(Path.Combine(second, "archive", "todo.txt")));
        // The manifest carries the hash over to the new name.
        var manifest = File.ReadAllLines(second + ".linksmith-snapshot");
        Assert.Contains(manifest, line => line.StartsWith("renamed.jpg\t200000\t", StringComparison.Ordinal));
    }

    [Fact]
    public void Renamed_counts_only_files_found_by_their_contents_not_group_names_or_empty_files()
    {
        // What `renamed` counts, as the benchmark's --mutate shows it (small preset: 200 of 206).
        temp.File("src/photo.jpg", new string('p', 30_000));
        temp.File("src/big.bin", new string('b', 20_000));
        Link.CreateHardLink(temp["src/big-link.bin"], temp["src/big.bin"]);
        temp.File("src/empty.txt", string.Empty);
        var first = Backup();
        File.Move(temp["src/photo.jpg"], temp["src/photo-renamed.jpg"]);
        Directory.CreateDirectory(temp["src/moved"]);
        File.Move(temp["src/big-link.bin"], temp["src/moved/big-link.bin"]);
        File.Move(temp["src/empty.txt"], temp["src/blank.txt"]);

        var result = CliRunner.Run(temp.Path, "backup", "src", "repo", "--json");

        Assert.Equal(0, result.ExitCode);
        using var summary = JsonDocument.Parse(result.Out);
        var second = summary.RootElement.GetProperty("snapshot").GetString()!;
        // Found by its contents: a name of no file of the previous snapshot.
        Assert.Equal(FixtureTree.Identity(Path.Combine(first, "photo.jpg")), FixtureTree.Identity(Path.Combine(second, "photo-renamed.jpg")));
        // The group's renamed name gets the previous snapshot's inode through its unchanged name
        // (big.bin), so it is a hard link of the group, never looked up by contents.
        var group = FixtureTree.Identity(Path.Combine(first, "big.bin"));
        Assert.Equal(group, FixtureTree.Identity(Path.Combine(second, "big.bin")));
        Assert.Equal(group, FixtureTree.Identity(Path.Combine(second, "moved", "big-link.bin")));
        // An empty file is never a rename candidate: it is made anew (nothing to save by linking it).
        var blank = Path.Combine(second, "blank.txt");
        Assert.Equal(0, new FileInfo(blank).Length);
        Assert.NotEqual(FixtureTree.Identity(Path.Combine(first, "empty.txt")), FixtureTree.Identity(blank));
        Assert.Equal(1, summary.RootElement.GetProperty("renamed").GetInt64());
        Assert.Equal(3, summary.RootElement.GetProperty("linked").GetInt64());
        Assert.Equal(1, summary.RootElement.GetProperty("copied").GetInt64());
        Assert.Equal(0, summary.RootElement.GetProperty("bytes").GetInt64());
    }

    [Fact]
    public void The_text_summary_says_how_many_were_renamed()
    {
        temp.File("src/big.bin", new string('b', 100_000));
        Backup();
        File.Move(temp["src/big.bin"], temp["src/moved.bin"]);

        var result = CliRunner.Run(temp.Path, "backup", "src", "repo");

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"renamed\s+1 ", result.Out);
        Assert.Matches(@"copied\s+0 files \(0 B\)", result.Out);
    }

    [Fact]
    public void Same_size_and_time_but_other_contents_or_mode_is_copied_not_linked()
    {
        var time = new DateTime(2024, 5, 1, 12, 0, 0, DateTimeKind.Utc);
        temp.File("src/a.txt", "aaaa");
        File.SetLastWriteTimeUtc(temp["src/a.txt"], time);
        temp.File("src/m.txt", "mmmm");
        var first = Backup();
        File.Delete(temp["src/a.txt"]);
        temp.File("src/b.txt", "bbbb");
        File.SetLastWriteTimeUtc(temp["src/b.txt"], time);
        if (!OperatingSystem.IsWindows())
        {
            File.Move(temp["src/m.txt"], temp["src/n.txt"]);
            File.SetUnixFileMode(temp["src/n.txt"], UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var summary = TreeOperations.Run(new TreeJob { Kind = TreeJobKind.Backup, SourcePath = temp["src"], DestinationPath = temp["repo"] });

        Assert.Equal(0, summary.Renamed);
        Assert.NotEqual(FixtureTree.Identity(Path.Combine(first, "a.txt")), FixtureTree.Identity(Path.Combine(summary.SnapshotPath!, "b.txt")));
        Assert.Equal("bbbb", File.ReadAllText(Path.Combine(summary.SnapshotPath!, "b.txt")));
        if (!OperatingSystem.IsWindows())
        {
            Assert.NotEqual(FixtureTree.Identity(Path.Combine(first, "m.txt")), FixtureTree.Identity(Path.Combine(summary.SnapshotPath!, "n.txt")));
        }
    }

    [Fact]
    public void A_dry_run_reports_the_rename_and_links_nothing()
    {
        temp.File("src/a.bin", new string('a', 10_000));
        Backup();
        File.Move(temp["src/a.bin"], temp["src/z.bin"]);

        var summary = TreeOperations.Run(new TreeJob { Kind = TreeJobKind.Backup, SourcePath = temp["src"], DestinationPath = temp["repo"], DryRun = true });

        Assert.Equal(1, summary.Renamed);
        Assert.Single(Directory.GetDirectories(temp["repo"]));
    }

    private string Backup()
    {
        var summary = TreeOperations.Run(new TreeJob { Kind = TreeJobKind.Backup, SourcePath = temp["src"], DestinationPath = temp["repo"] });
        Assert.Equal(0, summary.Errors);
        return summary.SnapshotPath!;
    }
}
