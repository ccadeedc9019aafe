namespace Linksmith.Tests.Dedup;

public sealed class FindingDuplicatesTests : DedupeTestBase
{
    [Fact]
    public void Identical_files_become_one_file_and_the_space_of_the_duplicates_is_reported_as_saved()
    {
        var content = RandomBytes(200_000, 1);
        var a = Write("a/one.bin", content);
        var b = Write("b/two.bin", content);
        var c = Write("c/three.bin", content);

        var result = Dedupe(apply: true);

        Assert.True(result.Applied);
        var group = Assert.Single(result.Groups);
        Assert.Equal(a, group.Keep);
        Assert.Equal([b, c], group.Duplicates);
        Assert.Equal(400_000, result.SavedBytes);
        Assert.Equal(Id(a), Id(b));
        Assert.Equal(Id(a), Id(c));
        Assert.Equal(3, Links(a));
    }

    [Fact]
    public void Many_sets_replaced_on_several_threads_each_end_as_one_file_and_progress_counts_every_set()
    {
        var expected = new List<(string Keep, string Duplicate)>();
        for (var i = 0; i < 60; i++)
        {
            var content = RandomBytes(1_000 + i, 100 + i);
            expected.Add((Write($"d{i % 4}/a{i:D2}", content), Write($"e{i % 3}/b{i:D2}", content)));
        }

        var progress = new DedupeProgress();
        var result = Dedupe(apply: true, o => o with { Threads = 4, Progress = progress });

        Assert.Equal(60, result.Groups.Count);
        Assert.All(expected, pair => Assert.Equal(Id(pair.Keep), Id(pair.Duplicate)));
        // Reported in walk order whatever order the threads finished in.
        Assert.Equal(expected.Select(pair => pair.Keep).Order(StringComparer.Ordinal), result.Groups.Select(g => g.Keep));
        Assert.Equal((60, 60), (progress.SetsToResolve, progress.SetsResolved));
        Assert.Empty(Directory.EnumerateFiles(Tree, "*.lsmith-*", SearchOption.AllDirectories));
    }

    [Fact]
    public void A_group_is_reported_where_its_first_file_is_in_walk_order_whichever_file_survives_and_whatever_batch_found_it()
    {
        // P's survivor (older) comes after Q's first file in walk order; P's first file before it.
        // Read a batch each, P's re-linked while Q's batch is read.
        var p = RandomBytes(3_000, 71);
        var q = RandomBytes(4_000, 72);
        var pFirst = Write("a/p", p);
        var pSurvivor = Write("c/p", p);
        File.SetLastWriteTimeUtc(pSurvivor, new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var qFirst = Write("b/q", q);
        var qSecond = Write("d/q", q);

        var report = Dedupe(apply: false, o => o with { BatchFiles = 2, UseCache = false });
        var applied = Dedupe(apply: true, o => o with { BatchFiles = 2, UseCache = false });

        Assert.All([report, applied], result => Assert.Equal([(pSurvivor, pFirst), (qFirst, qSecond)], result.Groups.Select(g => (g.Keep, g.Duplicates.Single()))));
        Assert.Equal(Id(pSurvivor), Id(pFirst));
    }

    [Fact]
    public void The_duplicates_space_is_free_when_the_run_returns_and_none_of_them_is_left_open()
    {
        Platform.RequireLinux("counts the process's open descriptors in /proc/self/fd");
        // A tmpfs of its own: nothing else writes there while the freed space is measured.
        var root = Temp.TryMountTmpfs("own", "128m");
        if (root is null)
        {
            Assert.Skip("needs root, to mount a tmpfs where nothing else writes while the freed space is measured");
        }

        const int Sets = 40;
        for (var i = 0; i < Sets; i++)
        {
            var content = RandomBytes(1 << 20, 200 + i);
            foreach (var folder in new[] { "a", "b" })
            {
                Directory.CreateDirectory(Path.Join(root, folder));
                File.WriteAllBytes(Path.Join(root, folder, $"f{i:00}"), content);
            }
        }

        var freeBefore = new DriveInfo(root).AvailableFreeSpace;

        var result = Dedupe(apply: true, roots: [root]);

        Assert.Equal((Sets, (long)Sets << 20), (result.Groups.Count, result.SavedBytes));
        var freed = new DriveInfo(root).AvailableFreeSpace - freeBefore;
        Assert.True(freed >= (long)Sets << 20, $"{freed:N0} bytes free more than before, for {result.SavedBytes:N0} saved");
        var open = Directory.EnumerateFileSystemEntries("/proc/self/fd")
            .Select(fd => { try { return File.ResolveLinkTarget(fd, returnFinalTarget: false)?.FullName; } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; } })
            .Where(target => target is not null && target.StartsWith(root + "/", StringComparison.Ordinal))
            .ToList();
        Assert.Empty(open);
    }

    [Fact]
    public void Files_that_differ_anywhere_are_never_merged_however_alike_they_look()
    {
        var big = RandomBytes(3 * 1024 * 1024, 2);
        Write("big/original", big);
        Write("big/middle", Flip(big, big.Length / 2));
        Write("big/first", Flip(big, 0));
        Write("big/last", Flip(big, big.Length - 1));
        var medium = RandomBytes(100_000, 3);
        Write("medium/original", medium);
        Write("medium/middle", Flip(medium, 50_000));
        Write("medium/last", Flip(medium, medium.Length - 1));
        Write("small/original", "abcdefgh");
        Write("small/first", "Xbcdefgh");
        Write("small/last", "abcdefgX");
        Write("small/middle", "abcXefgh");
        Write("same-size/one", "11111111");
        Write("same-size/two", "22222222");
        var before = ContentHashes();

        var result = Dedupe(apply: true);

        Assert.Empty(result.Groups);
        Assert.Equal(0, result.SavedBytes);
        Assert.Equal(before, ContentHashes());
        Assert.All(before.Keys, path => Assert.Equal(1, Links(path)));
    }

    [Fact]
    public void Empty_files_are_never_merged()
    {
        var a = Write("a", []);
        var b = Write("b", []);

        var result = Dedupe(apply: true);

        Assert.Empty(result.Groups);
        Assert.NotEqual(Id(a), Id(b));
    }

    [Fact]
    public void All_names_of_a_duplicate_are_relinked_so_an_existing_hard_link_group_is_never_split()
    {
        var content = RandomBytes(10_000, 4);
        var keep = Write("1-keep", content);
        var duplicate = Write("2-dup/name-a", content);
        var other = Temp[Path.Combine("tree", "3-elsewhere", "name-b")];
        Directory.CreateDirectory(Path.GetDirectoryName(other)!);
        Link.CreateHardLink(other, duplicate);
        var third = Temp[Path.Combine("tree", "3-elsewhere", "name-c")];
        Link.CreateHardLink(third, duplicate);

        var result = Dedupe(apply: true);

        // The three-name file has the most links, so it survives and the single-name file joins it.
        var group = Assert.Single(result.Groups);
        Assert.Equal(duplicate, group.Keep);
        Assert.Equal([keep], group.Duplicates);
        Assert.Equal(4, Links(keep));
        Assert.All([duplicate, other, third], p => Assert.Equal(Id(keep), Id(p)));
    }

    [Fact]
    public void A_duplicate_with_several_names_has_every_name_moved_to_the_survivor()
    {
        var content = RandomBytes(10_000, 5);
        var survivorA = Write("a/survivor", content);
        var survivorB = Temp[Path.Combine("tree", "a", "survivor-2")];
        Link.CreateHardLink(survivorB, survivorA);
        var survivorC = Temp[Path.Combine("tree", "a", "survivor-3")];
        Link.CreateHardLink(survivorC, survivorA);
        var dupA = Write("b/dup", content);
        var dupB = Temp[Path.Combine("tree", "c", "dup-2")];
        Directory.CreateDirectory(Path.GetDirectoryName(dupB)!);
        Link.CreateHardLink(dupB, dupA);

        var result = Dedupe(apply: true);

        var group = Assert.Single(result.Groups);
        Assert.Equal([dupA, dupB], group.Duplicates);
        Assert.Equal(1, group.DuplicateFiles);
        Assert.Equal(10_000, result.SavedBytes);
        Assert.Equal(5, Links(survivorA));
        Assert.Equal(Id(survivorA), Id(dupB));
    }

    [Fact]
    public void A_duplicate_with_names_outside_the_searched_directories_is_left_alone()
    {
        var content = RandomBytes(10_000, 6);
        var keep = Write("searched/keep", content);
        var duplicate = Write("searched/dup", content);
        Temp.Dir("outside");
        Link.CreateHardLink(Temp["outside/dup-elsewhere"], duplicate);
        Link.CreateHardLink(Temp["outside/keep-elsewhere"], keep);
        Link.CreateHardLink(Temp["outside/keep-elsewhere-2"], keep);

        var result = Dedupe(apply: true, roots: Temp["tree/searched"]);

        Assert.Empty(result.Groups);
        var skip = Assert.Single(result.Skipped);
        Assert.Equal(duplicate, skip.Path);
        Assert.Contains("outside the directories searched", skip.Reason, StringComparison.Ordinal);
        Assert.NotEqual(Id(keep), Id(duplicate));
    }

    [Fact]
    public void The_survivor_is_the_oldest_when_link_counts_are_equal_and_keeps_its_metadata()
    {
        var content = RandomBytes(5_000, 7);
        var newer = Write("a-newer", content);
        var older = Write("b-older", content);
        File.SetLastWriteTimeUtc(older, new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        File.SetLastWriteTimeUtc(newer, new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));

        var result = Dedupe(apply: true);

        Assert.Equal(older, Assert.Single(result.Groups).Keep);
        Assert.Equal(new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc), File.GetLastWriteTimeUtc(newer));
    }

    [Fact]
    public void With_equal_links_and_times_the_first_directory_given_wins()
    {
        var content = RandomBytes(5_000, 8);
        var inZ = Write("z/file", content);
        var inA = Write("a/file", content);
        var time = new DateTime(2010, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(inZ, time);
        File.SetLastWriteTimeUtc(inA, time);

        var result = Dedupe(apply: false, roots: [Temp["tree/z"], Temp["tree/a"]]);

        Assert.Equal(inZ, Assert.Single(result.Groups).Keep);
    }

    [Fact]
    public void Ties_go_to_the_first_file_in_walk_order_depth_first_by_name_however_the_directories_were_read()
    {
        var content = RandomBytes(3_000, 9);
        var time = new DateTime(2010, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        // As whole strings "a b/x" < "a-b/x" < "a.b/x" < "a/x"; a walk meets a/ and all below it first.
        string[] walkOrder = ["a/x", "a/zz/x", "a b/x", "a-b/x", "a.b/x"];
        foreach (var relative in walkOrder.Reverse())
        {
            File.SetLastWriteTimeUtc(Write(relative, content), time);
        }

        for (var run = 0; run < 5; run++)
        {
            var group = Assert.Single(Dedupe(apply: false).Groups);

            Assert.Equal(Temp["tree/a/x"], group.Keep);
            Assert.Equal(walkOrder.Skip(1).Select(r => Temp["tree/" + r]), group.Duplicates);
        }
    }

    [Fact]
    public void Paths_come_back_whole_for_folders_with_any_characters_files_given_as_roots_and_the_root_itself()
    {
        var content = RandomBytes(4_000, 10);
        var time = new DateTime(2010, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        // In the order a walk of the roots below meets them: the file root, then the tree's own
        // files, then its folders depth first (Latin-1 ones kept a byte a char, others two).
        string[] walkOrder = ["single", "tree/x", "tree/caf\u00e9/x", "tree/caf\u00e9/\u65e5\u672c/x", "tree/\u0424\u043e\u0442\u043e/x", "tree/\u0424\u043e\u0442\u043e/a b/x"];
        foreach (var relative in walkOrder)
        {
            var path = Temp[relative];
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, content);
            File.SetLastWriteTimeUtc(path, time);
        }

        var group = Assert.Single(Dedupe(apply: true, roots: [Temp["single"], Tree]).Groups);

        Assert.Equal(Temp["single"], group.Keep);
        Assert.Equal(walkOrder.Skip(1).Select(r => Temp[r]), group.Duplicates);
        Assert.All(walkOrder, relative => Assert.Equal(Id(Temp["single"]), Id(Temp[relative])));
    }

    [Fact]
    public void Different_permissions_prevent_a_merge_unless_metadata_is_ignored()
    {
        Platform.SkipOnWindows("no Unix mode bits to differ (File.SetUnixFileMode throws)");
        var content = RandomBytes(5_000, 9);
        var a = Write("a", content);
        var b = Write("b", content);
        File.SetUnixFileMode(b, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.SetUnixFileMode(a, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        Assert.Empty(Dedupe(apply: true).Groups);
        Assert.NotEqual(Id(a), Id(b));

        var result = Dedupe(apply: true, o => o with { IgnoreMetadata = true });
        Assert.Single(result.Groups);
        Assert.Equal(Id(a), Id(b));
    }

    [Fact]
    public void Different_owners_prevent_a_merge()
    {
        if (!Platform.IsRoot)
        {
            Assert.Skip("changing a file's owner needs root");
        }

        var content = RandomBytes(5_000, 10);
        var a = Write("a", content);
        var b = Write("b", content);
        var c = Write("c", content);
        Assert.Equal(0, Processes.Run("chown", ["1000:1000", b]).ExitCode);
        Assert.Equal(0, Processes.Run("chown", ["0:1001", c]).ExitCode);

        var result = Dedupe(apply: true);

        Assert.Empty(result.Groups);
        Assert.Equal(3, new[] { Id(a), Id(b), Id(c) }.Distinct().Count());
    }

    [Fact]
    public void A_copy_on_another_file_system_is_never_linked()
    {
        // Linux: a tmpfs mounted inside the tree; Windows: a folder on another drive, a second root.
        var other = Temp.OtherVolume("tree/other-fs");
        var content = RandomBytes(5_000, 11);
        var a = Write("here", content);
        var b = Path.Combine(other, "there");
        File.WriteAllBytes(b, content);

        var result = OperatingSystem.IsWindows() ? Dedupe(apply: true, roots: [Tree, other]) : Dedupe(apply: true);

        Assert.Empty(result.Groups);
        Assert.Empty(result.Errors);
        Assert.Equal(1, Links(a));
        Assert.Equal(1, Links(b));
    }

    [Fact]
    public void A_file_changed_between_reading_and_replacing_is_skipped_and_left_as_it_was()
    {
        var content = RandomBytes(5_000, 12);
        var keep = Write("a", content);
        var duplicate = Write("b", content);
        var changed = RandomBytes(5_000, 13);

        using var fault = FaultPoints.Arm(FaultPoints.DedupeBeforeReplace, (_, dup) => File.WriteAllBytes(dup, changed));
        var result = Dedupe(apply: true);

        Assert.Equal(1, fault.Fired);
        Assert.Empty(result.Groups);
        Assert.Equal(0, result.SavedBytes);
        var skip = Assert.Single(result.Skipped);
        Assert.Equal(duplicate, skip.Path);
        // Either reason leaves it alone. The writer has closed the file before the lease is asked
        // for, but a full CI pass once saw the kernel still count it open for writing then.
        Assert.Matches("changed since it was read|open for writing elsewhere", skip.Reason);
        Assert.Equal(changed, File.ReadAllBytes(duplicate));
        Assert.NotEqual(Id(keep), Id(duplicate));
    }

    [Fact]
    public void A_survivor_changed_between_reading_and_replacing_stops_its_group()
    {
        var content = RandomBytes(5_000, 14);
        var keep = Write("a", content);
        var duplicate = Write("b", content);

        using var fault = FaultPoints.Arm(FaultPoints.DedupeBeforeReplace, (survivor, _) => File.AppendAllText(survivor, "more"));
        var result = Dedupe(apply: true);

        Assert.Equal(1, fault.Fired);
        Assert.Empty(result.Groups);
        Assert.Contains(result.Skipped, s => s.Path == keep);
        Assert.NotEqual(Id(keep), Id(duplicate));
        Assert.Equal(content, File.ReadAllBytes(duplicate));
    }

    [Fact]
    public void A_survivor_changed_between_two_of_its_replacements_keeps_the_rest_of_its_group_apart()
    {
        // The survivor is held from its group's first replacement to its last, and checked again before each.
        var content = RandomBytes(5_000, 15);
        var keep = Write("a", content);
        var first = Write("b", content);
        var second = Write("c", content);
        var now = DateTime.UtcNow;
        File.SetLastWriteTimeUtc(keep, now.AddMinutes(-3));
        File.SetLastWriteTimeUtc(first, now.AddMinutes(-2));
        File.SetLastWriteTimeUtc(second, now.AddMinutes(-1));

        using var fault = FaultPoints.Arm(FaultPoints.DedupeBeforeReplace, (survivor, duplicate) =>
        {
            if (duplicate == second)
            {
                File.SetLastWriteTimeUtc(survivor, now);
            }
        });
        var result = Dedupe(apply: true);

        Assert.Equal(2, fault.Fired);
        Assert.Equal([first], Assert.Single(result.Groups).Duplicates);
        Assert.Equal(new DedupeSkip(keep, "changed since it was read; its duplicates were left alone"), Assert.Single(result.Skipped));
        Assert.Empty(result.Errors);
        Assert.Equal(Id(keep), Id(first));
        Assert.NotEqual(Id(keep), Id(second));
        Assert.Equal(1, Links(second));
        Assert.Equal(content, File.ReadAllBytes(second));
    }

    [Fact]
    public void Every_file_keeps_its_content_and_a_second_run_finds_nothing_more()
    {
        for (var i = 0; i < 30; i++)
        {
            Write($"d{i % 4}/f{i}", RandomBytes(100 + (i % 5 * 40_000), i % 5));
        }

        var before = ContentHashes();

        var first = Dedupe(apply: true);
        var second = Dedupe(apply: true);

        Assert.NotEmpty(first.Groups);
        Assert.Equal(before, ContentHashes());
        Assert.Empty(second.Groups);
        Assert.Equal(0, second.SavedBytes);
    }

    [Fact]
    public void Without_apply_nothing_on_disk_changes()
    {
        var content = RandomBytes(70_000, 15);
        Write("a", content);
        Write("b", content);
        var before = TreeSnapshot.Take(Tree);

        var result = Dedupe(apply: false);

        Assert.False(result.Applied);
        Assert.Single(result.Groups);
        Assert.Equal(70_000, result.SavedBytes);
        Assert.Equal(before, TreeSnapshot.Take(Tree));
    }

    [Fact]
    public void Size_limits_and_globs_choose_the_files()
    {
        Write("keep/small-1.txt", "0123456789");
        Write("keep/small-2.txt", "0123456789");
        Write("keep/big-1.bin", RandomBytes(9_000, 16));
        Write("keep/big-2.bin", RandomBytes(9_000, 16));
        Write("cache/big-3.bin", RandomBytes(9_000, 16));

        var bigOnly = Dedupe(apply: false, o => o with { MinSize = 1024, Filter = new PathFilter(null, ["cache"]) });
        var group = Assert.Single(bigOnly.Groups);
        Assert.EndsWith("big-1.bin", group.Keep, StringComparison.Ordinal);
        Assert.Equal(9_000, bigOnly.SavedBytes);

        var textOnly = Dedupe(apply: false, o => o with { Filter = new PathFilter(["*.txt"], null) });
        Assert.Equal(10, textOnly.SavedBytes);

        var capped = Dedupe(apply: false, o => o with { MaxSize = 100 });
        Assert.Equal(10, capped.SavedBytes);
    }
}
