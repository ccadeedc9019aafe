namespace Linksmith.Tests.Dedup;

/// <summary>
/// Another process swaps a folder of the tree for a link between dedupe's scan and its work on
/// that folder: nothing outside the tree may be read or re-linked, and the change is reported.
/// </summary>
public sealed class RacingTreeTests : DedupeTestBase
{
    private string Outside => Temp.Dir("outside");

    /// <summary>Two identical files in two folders; the first is the older, so it survives.</summary>
    private (string Keep, string Duplicate) Pair(byte[] content)
    {
        var keep = Write("keep/a", content);
        var duplicate = Write("dup/b", content);
        File.SetLastWriteTimeUtc(keep, File.GetLastWriteTimeUtc(duplicate).AddMinutes(-1));
        return (keep, duplicate);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_folder_swapped_for_a_link_to_an_outside_folder_is_reported_and_nothing_there_is_relinked(bool survivorsFolder)
    {
        var content = RandomBytes(5_000, 40);
        var (keep, duplicate) = Pair(content);
        var swapped = Path.GetDirectoryName(survivorsFolder ? keep : duplicate)!;
        var sentinel = Path.Combine(Outside, Path.GetFileName(survivorsFolder ? keep : duplicate));
        File.WriteAllBytes(sentinel, content);
        var sentinelId = Id(sentinel);

        using var fault = FaultPoints.Arm(FaultPoints.DedupeBeforeReplace, (survivor, dup) =>
        {
            Assert.Equal((keep, duplicate), (survivor, dup));
            Directory.Move(swapped, swapped + "-before");
            Directory.CreateSymbolicLink(swapped, Outside);
        });
        var result = Dedupe(apply: true);

        Assert.Equal(1, fault.Fired);
        Assert.Empty(result.Groups);
        Assert.Equal(0, result.SavedBytes);
        // Named by the folder that is a link now.
        var error = Assert.IsType<TreeChangedException>(Assert.Single(result.Errors));
        Assert.Equal(swapped, error.Path);
        Assert.Contains(result.Skipped, skip => skip.Path == (survivorsFolder ? keep : duplicate));
        Assert.Equal(sentinelId, Id(sentinel));
        Assert.Equal(1, Links(sentinel));
        Assert.Equal(content, File.ReadAllBytes(sentinel));
        Assert.Single(Directory.EnumerateFileSystemEntries(Outside));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_folder_moved_outside_and_linked_back_in_is_reported_and_its_file_is_not_relinked_though_it_is_the_same_file(bool survivorsFolder)
    {
        // By path, the moved file still looks exactly like the one that was read (identity, size,
        // times): only resolving below the open tree tells that it is outside now.
        var content = RandomBytes(5_000, 41);
        var (keep, duplicate) = Pair(content);
        var (keepId, duplicateId) = (Id(keep), Id(duplicate));
        var swapped = Path.GetDirectoryName(survivorsFolder ? keep : duplicate)!;
        var movedOut = Path.Combine(Outside, "moved");
        var moved = Path.Combine(movedOut, Path.GetFileName(survivorsFolder ? keep : duplicate));

        using var fault = FaultPoints.Arm(FaultPoints.DedupeBeforeReplace, (_, _) =>
        {
            Directory.Move(swapped, movedOut);
            Directory.CreateSymbolicLink(swapped, movedOut);
        });
        var result = Dedupe(apply: true);

        Assert.Equal(1, fault.Fired);
        Assert.Empty(result.Groups);
        var error = Assert.IsType<TreeChangedException>(Assert.Single(result.Errors));
        Assert.Equal(swapped, error.Path);
        Assert.Equal(survivorsFolder ? keepId : duplicateId, Id(moved));
        Assert.Equal(1, Links(moved));
        Assert.Equal(content, File.ReadAllBytes(moved));
        Assert.Single(Directory.EnumerateFileSystemEntries(movedOut));
        var inside = survivorsFolder ? duplicate : keep;
        Assert.Equal(survivorsFolder ? duplicateId : keepId, Id(inside));
        Assert.Equal(1, Links(inside));
    }

    [Fact]
    public void A_file_whose_folder_was_swapped_for_a_link_is_not_read()
    {
        var file = Write("sub/f", RandomBytes(5_000, 42));
        var status = PathFacts.Stat(file, followLinks: false)!.Value;
        var listed = ScannedFile.From(status, 0, 0, 0, 0);
        var movedOut = Path.Combine(Outside, "sub");
        using var root = DirectoryHandle.Open(Tree);
        using var reader = new ContentReader();
        Directory.Move(Path.Combine(Tree, "sub"), movedOut);
        Directory.CreateSymbolicLink(Path.Combine(Tree, "sub"), movedOut);

        var error = Assert.Throws<TreeChangedException>(() => reader.Hash(root, "sub/f", listed, FileClass.Of(status), null, sampledThisRun: false, out _));

        // Linux names the file (openat2 refuses the whole path), Windows the folder on its way that is a link now.
        Assert.Contains(error.Path, new[] { file, Path.Combine(Tree, "sub") });
        Assert.Equal(0, reader.FilesRead);
    }

    [Fact]
    public void A_file_that_is_gone_since_it_was_listed_is_reported_as_changed()
    {
        var file = Write("sub/f", RandomBytes(5_000, 43));
        var status = PathFacts.Stat(file, followLinks: false)!.Value;
        using var root = DirectoryHandle.Open(Tree);
        using var reader = new ContentReader();
        File.Delete(file);

        Assert.Equal(ReadOutcome.Changed, reader.Hash(root, "sub/f", ScannedFile.From(status, 0, 0, 0, 0), FileClass.Of(status), null, sampledThisRun: false, out _));
    }
}
