namespace Linksmith.Tests.Library;

public sealed class TreeWalkerTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void The_walk_lists_every_entry_once_without_following_links_directories_before_their_contents()
    {
        Platform.SkipOnWindows("the tree holds a name whose bytes are not UTF-8 (n\\xFF), which a UTF-16 Windows name cannot be");
        temp.File("a/b/file.txt");
        temp.File("a/other.txt");
        temp.Dir("empty");
        temp.File("outside/secret.txt");
        File.CreateSymbolicLink(temp["a/link-to-outside"], temp["outside"]);
        File.CreateSymbolicLink(temp["a/loop"], ".");
        var name = NativePath.FromBytes([(byte)'n', 0xFF]);
        File.WriteAllText(temp["a/b/plain"], "x");
        Link.CreateHardLink(temp["a/b/" + name], temp["a/b/plain"]);

        var entries = TreeWalker.Walk(temp["a"], new WalkOptions { Sorted = true }).ToList();

        Assert.Equal(["", "b", "b/file.txt", "b/n\uDCFF", "b/plain", "link-to-outside", "loop", "other.txt"], entries.Select(e => e.RelativePath).Order(StringComparer.Ordinal));
        Assert.True(entries.FindIndex(e => e.RelativePath == "b") < entries.FindIndex(e => e.RelativePath == "b/file.txt"));
        Assert.Equal(LinkKind.SymbolicLink, entries.Single(e => e.RelativePath == "loop").Kind);
        var plain = entries.Single(e => e.RelativePath == "b/plain").Status;
        var odd = entries.Single(e => e.RelativePath == "b/n\uDCFF").Status;
        Assert.Equal(plain.Identity, odd.Identity);
        Assert.Equal(2, plain.LinkCount);
    }

    [Fact]
    public void An_unreadable_directory_is_reported_and_the_walk_goes_on()
    {
        Platform.SkipOnWindows("no Unix mode bits, so a folder cannot be made unreadable with chmod 000 (File.SetUnixFileMode throws)");
        if (Platform.IsRoot)
        {
            Assert.Skip("root reads every directory, so none can be made unreadable");
        }

        temp.File("ok/file.txt");
        temp.File("locked/file.txt");
        File.SetUnixFileMode(temp["locked"], UnixFileMode.None);
        var errors = new List<LinksmithException>();

        var entries = TreeWalker.Walk(temp.Path, new WalkOptions { OnError = errors.Add }).Select(e => e.RelativePath).ToList();

        Assert.Contains("ok/file.txt", entries);
        Assert.Contains("locked", entries);
        Assert.Equal(temp["locked"], Assert.Single(errors).Path);
    }

    [Fact]
    public void Descend_lets_the_caller_skip_a_subtree()
    {
        temp.File("keep/file.txt");
        temp.File("skip/file.txt");

        var entries = TreeWalker.Walk(temp.Path, new WalkOptions { Descend = e => e.RelativePath != "skip" }).Select(e => e.RelativePath).ToList();

        Assert.Contains("skip", entries);
        Assert.DoesNotContain("skip/file.txt", entries);
        Assert.Contains(TempDirectory.Native("keep/file.txt"), entries);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void The_parallel_walk_visits_exactly_the_entries_of_the_sequential_walk(int threads)
    {
        for (var i = 0; i < 40; i++)
        {
            temp.File($"d{i % 7}/sub{i % 3}/deeper{i}/file{i}.txt");
        }

        temp.Dir("empty/also-empty");
        File.CreateSymbolicLink(temp["d0/loop"], ".");
        var expected = TreeWalker.Walk(temp.Path, new WalkOptions()).Select(e => e.FullPath).Order(StringComparer.Ordinal).ToList();
        var seen = new List<string>[threads];
        for (var i = 0; i < threads; i++)
        {
            seen[i] = [];
        }

        TreeWalker.VisitInParallel(temp.Path, new WalkOptions(), threads, (listing, worker) =>
        {
            for (var i = 0; i < listing.Count; i++)
            {
                seen[worker].Add(listing.FullPath(i));
            }
        });

        Assert.Equal(expected, seen.SelectMany(s => s).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_failure_while_visiting_stops_the_parallel_walk_and_is_thrown_to_the_caller()
    {
        for (var i = 0; i < 20; i++)
        {
            temp.File($"d{i}/file.txt");
        }

        var error = Assert.Throws<InvalidOperationException>(() => TreeWalker.VisitInParallel(temp.Path, new WalkOptions(), 3, (listing, _) =>
        {
            if (listing.Depth == 2)
            {
                throw new InvalidOperationException("stop");
            }
        }));

        Assert.Equal("stop", error.Message);
    }

    [Fact]
    public void A_directory_too_large_for_one_read_is_listed_completely_by_the_walk_and_by_ListNames()
    {
        // 1,500 records of about 120 bytes: several getdents64 reads of 32 KiB.
        var names = Enumerable.Range(0, 1500).Select(i => $"{i:D4}-{new string('x', 96)}").ToList();
        foreach (var name in names)
        {
            temp.File(Path.Join("big", name), string.Empty);
        }

        var listed = TreeWalker.Walk(temp["big"], new WalkOptions { Sorted = true }).Skip(1).Select(e => e.Name).ToList();
        using var handle = DirectoryHandle.Open(temp["big"]);

        Assert.Equal(names, listed);
        Assert.Equal(names, handle.ListNames(string.Empty).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Without_a_status_for_every_entry_a_file_still_carries_its_kind_and_inode()
    {
        Platform.SkipOnWindows("the walk reads each entry's full status through System.IO here (there is no d_type-only listing to leave it partial)");
        temp.File("tree/file.txt");
        temp.Dir("tree/sub");
        var inode = PathFacts.Stat(temp["tree/file.txt"], followLinks: false)!.Value.Identity.FileId;

        var entries = TreeWalker.Walk(temp["tree"], new WalkOptions { StatEverything = false, Sorted = true }).Skip(1).ToList();

        var file = entries.Single(e => e.Name == "file.txt").Status;
        var sub = entries.Single(e => e.Name == "sub").Status;
        Assert.Equal((LinkKind.File, false, inode), (file.Kind, file.IsComplete, file.Identity.FileId));
        Assert.Equal((LinkKind.Directory, true), (sub.Kind, sub.IsComplete));
    }
}
