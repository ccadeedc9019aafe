namespace Linksmith.Tests.Trees;

public sealed class FilterTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Exclude_leaves_out_matching_names_at_any_depth_and_whole_folders()
    {
        temp.File("src/keep.txt");
        temp.File("src/deep/er/skip.tmp");
        temp.File("src/cache/big.bin");
        temp.File("src/deep/cache-not/keep.bin");

        TreeOperations.Run(new TreeJob { Kind = TreeJobKind.Copy, SourcePath = temp["src"], DestinationPath = temp["dst"], Filter = new PathFilter(null, ["*.tmp", "/cache"]) });

        Assert.True(File.Exists(temp["dst/keep.txt"]));
        Assert.True(File.Exists(temp["dst/deep/cache-not/keep.bin"]));
        Assert.False(File.Exists(temp["dst/deep/er/skip.tmp"]));
        Assert.False(Path.Exists(temp["dst/cache"]));
    }

    [Fact]
    public void Include_takes_only_matching_files_and_exclude_beats_it()
    {
        temp.File("src/a.jpg");
        temp.File("src/sub/b.jpg");
        temp.File("src/sub/c.txt");
        temp.File("src/sub/private.jpg");

        var result = CliRunner.Run(temp.Path, "copy", "--include", "*.jpg", "--exclude", "private.*", "src", "dst");

        Assert.Equal(0, result.ExitCode);
        Assert.True(File.Exists(temp["dst/a.jpg"]));
        Assert.True(File.Exists(temp["dst/sub/b.jpg"]));
        Assert.False(File.Exists(temp["dst/sub/c.txt"]));
        Assert.False(File.Exists(temp["dst/sub/private.jpg"]));
    }

    [Fact]
    public void Mirror_leaves_excluded_entries_in_the_destination_alone()
    {
        temp.File("src/a.txt");
        temp.File("dst/notes.local", "mine");
        temp.File("dst/stale.txt");

        TreeOperations.Run(new TreeJob { Kind = TreeJobKind.Mirror, SourcePath = temp["src"], DestinationPath = temp["dst"], Filter = new PathFilter(null, ["*.local"]) });

        Assert.Equal("mine", File.ReadAllText(temp["dst/notes.local"]));
        Assert.False(File.Exists(temp["dst/stale.txt"]));
    }
}
