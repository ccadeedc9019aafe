namespace Linksmith.Tests.Move;

/// <summary>
/// A move's verify reads both trees beneath their open roots: a file or folder swapped for a
/// link (to an outside copy with the very same bytes) is reported, never read through.
/// </summary>
public sealed class VerifyRaceTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public VerifyRaceTests()
    {
        foreach (var root in new[] { "original", "copy", "outside" })
        {
            temp.File($"{root}/a.txt", "alpha");
            temp.File($"{root}/sub/b.txt", "bravo");
        }
    }

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Identical_trees_verify()
    {
        var verifier = new TreeVerifier(null, CancellationToken.None);

        verifier.Verify(temp["original"], temp["copy"]);

        Assert.Equal(2, verifier.Files);
    }

    [Fact]
    public void A_file_of_the_copy_swapped_for_a_link_to_an_outside_file_with_the_same_bytes_is_reported()
    {
        File.Delete(temp["copy/a.txt"]);
        File.CreateSymbolicLink(temp["copy/a.txt"], temp["outside/a.txt"]);

        var error = Assert.ThrowsAny<LinksmithException>(() => new TreeVerifier(null, CancellationToken.None).Verify(temp["original"], temp["copy"]));

        Assert.Equal(temp["copy/a.txt"], error.Path);
    }

    [Fact]
    public void A_folder_of_the_copy_swapped_for_a_link_to_an_outside_folder_with_the_same_bytes_is_reported()
    {
        Directory.Move(temp["copy/sub"], temp["copy-sub-aside"]);
        TempDirectory.Symlink(temp["copy/sub"], temp["outside/sub"]);

        var error = Assert.ThrowsAny<LinksmithException>(() => new TreeVerifier(null, CancellationToken.None).Verify(temp["original"], temp["copy"]));

        Assert.StartsWith(temp["copy/sub"], error.Path, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_of_the_original_swapped_for_a_link_is_not_read_through()
    {
        using var root = DirectoryHandle.Open(temp["original"]);
        File.Move(temp["original/a.txt"], temp["a-aside.txt"]);
        File.CreateSymbolicLink(temp["original/a.txt"], temp["outside/a.txt"]);
        Directory.Move(temp["original/sub"], temp["sub-aside"]);
        TempDirectory.Symlink(temp["original/sub"], temp["outside/sub"]);

        // What verify opens each file with, after its walk saw a regular file there.
        if (root is WindowsDirectoryHandle windows)
        {
            // FILE_OPEN_REPARSE_POINT opens the link itself, never the file it points to; verify
            // then refuses a link where it listed a file.
            using (windows.OpenFileForRead("a.txt", out var opened))
            {
                Assert.Equal(LinkKind.SymbolicLink, opened.Kind);
            }

            Assert.Throws<TreeChangedException>(() => windows.OpenFileForRead("sub/b.txt", out _).Dispose());
        }
        else
        {
            var unix = (UnixDirectoryHandle)root;
            Assert.Throws<TreeChangedException>(() => unix.OpenFileForRead("a.txt").Dispose());
            Assert.Throws<TreeChangedException>(() => unix.OpenFileForRead("sub/b.txt").Dispose());
        }
    }
}
