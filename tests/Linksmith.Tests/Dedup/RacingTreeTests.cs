namespace Linksmith.Tests.Dedup;

/// <summary>
/// Another process swaps a folder of the tree for a link between dedupe's scan and its work on
/// that folder: nothing outside the tree may be read or re-linked, and the change is reported.
/// </summary>
public sealed class RacingTreeTests : DedupeTestBase
{
    private string Outside => Temp.Dir("outside");

    [Fact]
    public void A_file_whose_folder_was_swapped_for_a_link_is_not_read()
    {
        Platform.RequireLinux();
        var file = Write("sub/f", RandomBytes(5_000, 42));
        var status = TreeWalker.StatPath(file, followLinks: false)!.Value;
        var listed = ScannedFile.From(status, 0, 0, 0, 0);
        var movedOut = Path.Combine(Outside, "sub");
        using var root = DirectoryHandle.Open(Tree);
        using var reader = new ContentReader();
        Directory.Move(Path.Combine(Tree, "sub"), movedOut);
        Directory.CreateSymbolicLink(Path.Combine(Tree, "sub"), movedOut);

        var error = Assert.Throws<TreeChangedException>(() => reader.Hash(root, "sub/f", listed, FileClass.Of(status), out _));

        Assert.Equal(file, error.Path);
        Assert.Equal(0, reader.FilesRead);
    }

    [Fact]
    public void A_file_that_is_gone_since_it_was_listed_is_reported_as_changed()
    {
        Platform.RequireLinux();
        var file = Write("sub/f", RandomBytes(5_000, 43));
        var status = TreeWalker.StatPath(file, followLinks: false)!.Value;
        using var root = DirectoryHandle.Open(Tree);
        using var reader = new ContentReader();
        File.Delete(file);

        Assert.Equal(ReadOutcome.Changed, reader.Hash(root, "sub/f", ScannedFile.From(status, 0, 0, 0, 0), FileClass.Of(status), out _));
    }
}
