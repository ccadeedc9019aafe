namespace Linksmith.Tests.Dedup;

public sealed class HashCacheTests : DedupeTestBase
{
    [Fact]
    public void A_second_run_over_an_unchanged_tree_reads_no_file_content()
    {
        var big = RandomBytes(300_000, 1);
        Write("a/big", big);
        Write("b/big", big);
        Write("c/big-other", RandomBytes(300_000, 2));
        Write("a/small", "same text");
        Write("b/small", "same text");
        Write("c/small", "diff text");

        var first = Dedupe(apply: false);
        var second = Dedupe(apply: false);

        Assert.True(first.Statistics.BytesRead > 600_000);
        // Each candidate once, though the two big twins were sampled and then read in full.
        Assert.Equal(6, first.Statistics.FilesRead);
        Assert.Equal(0, second.Statistics.FilesRead);
        Assert.Equal(0, second.Statistics.BytesRead);
        Assert.Equal(first.SavedBytes, second.SavedBytes);
        Assert.Equal(first.Groups.Select(g => g.Keep), second.Groups.Select(g => g.Keep));
        Assert.Null(second.Statistics.CacheProblem);
    }

    [Fact]
    public void Candidates_read_in_small_batches_are_found_linked_and_remembered_as_in_one()
    {
        var pairs = new List<(string A, string B, string Other)>();
        for (var i = 0; i < 12; i++)
        {
            // Every other size is above the sampling threshold; each size has a third file that
            // differs from the pair in its last byte only.
            var content = RandomBytes(i % 2 == 0 ? 70_000 + i : 1_000 + i, 10 + i);
            pairs.Add((Write($"a/{i:D2}", content), Write($"b/{i:D2}", content), Write($"c/{i:D2}", Flip(content, content.Length - 1))));
        }

        // One group of five identical files, larger than a batch.
        var five = RandomBytes(5_000, 99);
        var fives = Enumerable.Range(0, 5).Select(i => Write($"d/five{i}", five)).ToList();

        var whole = Dedupe(apply: false, o => o with { UseCache = false });
        var progress = new DedupeProgress();
        var batched = Dedupe(apply: false, o => o with { BatchFiles = 2, Progress = progress });
        var fromCache = Dedupe(apply: false);

        Assert.Equal(13, whole.Groups.Count);
        Assert.Equal(Describe(whole), Describe(batched));
        Assert.Equal((batched.Statistics.Candidates, batched.Statistics.Candidates), (progress.Candidates, progress.CandidatesChecked));
        Assert.Equal(Describe(whole), Describe(fromCache));
        Assert.Equal(0, fromCache.Statistics.BytesRead);
        Assert.Equal(fromCache.Statistics.Candidates, fromCache.Statistics.CacheHits);

        var applied = Dedupe(apply: true, o => o with { BatchFiles = 3 });

        Assert.Equal(whole.SavedBytes, applied.SavedBytes);
        // Each batch's sets re-linked while the next batches were read; reported as one, in walk order.
        Assert.Equal(Describe(whole), Describe(applied));
        Assert.All(pairs, p => Assert.Equal(Id(p.A), Id(p.B)));
        Assert.All(pairs, p => Assert.Equal(1, Links(p.Other)));
        Assert.All(fives, f => Assert.Equal(Id(fives[0]), Id(f)));
        var again = Dedupe(apply: false, o => o with { BatchFiles = 2 });
        Assert.Empty(again.Groups);
        Assert.Equal(0, again.Statistics.BytesRead);

        static List<string> Describe(DedupeResult result) =>
            [.. result.Groups.Select(g => $"{g.Size} {g.Keep} <- {string.Join(", ", g.Duplicates)}"), $"saved {result.SavedBytes}"];
    }

    [Fact]
    public void A_tree_grouped_and_looked_up_on_two_threads_reports_as_one_read_without_the_cache()
    {
        // Over 8,192 names and 4,096 candidates in a batch: names are grouped, and cached hashes
        // merged, in two halves (on two threads where there are two cores). 4,000 pairs and 2,000
        // files that share a size but not their bytes, over 50 sizes; 20 files touched after the
        // cache was filled must be read again, wherever they fall.
        var touched = new List<string>();
        for (var i = 0; i < 4_000; i++)
        {
            var content = RandomBytes(100 + (i % 50), 1_000 + i);
            var a = Write($"p{i % 40}/a{i}", content);
            Write($"q{i % 40}/b{i}", content);
            if (i % 200 == 7)
            {
                touched.Add(a);
            }
        }

        for (var i = 0; i < 2_000; i++)
        {
            Write($"u{i % 20}/u{i}", RandomBytes(100 + (i % 50), 100_000 + i));
        }

        var withoutCache = Dedupe(apply: false, o => o with { UseCache = false });
        Dedupe(apply: false);
        foreach (var path in touched)
        {
            File.SetLastWriteTimeUtc(path, File.GetLastWriteTimeUtc(path).AddSeconds(-10));
        }

        var fromCache = Dedupe(apply: false);

        Assert.Equal(4_000, withoutCache.Groups.Count);
        Assert.Equal(Describe(withoutCache), Describe(fromCache));
        Assert.Equal(touched.Count, fromCache.Statistics.FilesRead);
        Assert.Equal(fromCache.Statistics.Candidates - touched.Count, fromCache.Statistics.CacheHits);

        static List<string> Describe(DedupeResult result) =>
            [.. result.Groups.Select(g => $"{g.Size} {g.Keep} <- {string.Join(", ", g.Duplicates)}"), $"saved {result.SavedBytes}"];
    }

    [Fact]
    public void After_apply_the_survivors_are_still_remembered()
    {
        Write("a", "same text");
        Write("b", "same text");
        Write("c", "diff text");

        Dedupe(apply: true);
        var again = Dedupe(apply: false);

        Assert.Equal(0, again.Statistics.BytesRead);
        Assert.Empty(again.Groups);
    }

    [Fact]
    public void The_rows_of_duplicates_replaced_by_links_are_deleted_by_the_run_that_replaced_them()
    {
        var content = RandomBytes(5_000, 5);
        Write("a/one", content);
        Write("b/one", content);
        Write("c/one", content);
        Write("d/other", RandomBytes(5_000, 6));
        Dedupe(apply: false);
        Assert.Equal(4, StateSummary.Read(StatePath).CachedHashes.Count);

        var applied = Dedupe(apply: true);

        // Two of the three identical files are gone (their names point at the survivor): their rows go with them.
        Assert.Equal(2, applied.Groups.Single().Duplicates.Count);
        Assert.Equal(2, StateSummary.Read(StatePath).CachedHashes.Count);
        var again = Dedupe(apply: false);
        Assert.Equal(0, again.Statistics.BytesRead);
        Assert.Equal(2, StateSummary.Read(StatePath).CachedHashes.Count);
    }

    [Fact]
    public void Repeated_changes_and_merges_leave_no_more_rows_than_files()
    {
        for (var round = 0; round < 4; round++)
        {
            // Each round: new duplicates are made and merged, and a survivor's bytes are rewritten in place.
            var content = RandomBytes(5_000, 100 + round);
            Write($"r{round}/x", content);
            Write($"r{round}/y", content);
            Dedupe(apply: true);
            if (round > 0)
            {
                File.WriteAllBytes(Path.Combine(Tree, $"r{round - 1}/x"), RandomBytes(5_000, 200 + round));
            }
        }

        Dedupe(apply: false);

        var files = Directory.EnumerateFiles(Tree, "*", SearchOption.AllDirectories).Select(path => Id(path)).Distinct().Count();
        Assert.Equal(files, StateSummary.Read(StatePath).CachedHashes.Count);
    }

    [Fact]
    public void A_file_rewritten_in_place_with_its_old_mtime_is_read_again_and_not_merged()
    {
        var content = RandomBytes(5_000, 3);
        var a = Write("a", content);
        var b = Write("b", content);
        Dedupe(apply: false);

        // Same size, same mtime, different bytes: only ctime tells.
        var mtime = File.GetLastWriteTimeUtc(b);
        File.WriteAllBytes(b, RandomBytes(5_000, 4));
        File.SetLastWriteTimeUtc(b, mtime);
        var result = Dedupe(apply: true);

        Assert.Empty(result.Groups);
        Assert.True(result.Statistics.FilesRead >= 1);
        Assert.NotEqual(Id(a), Id(b));
    }

    [Fact]
    public void No_cache_neither_reads_nor_writes_remembered_hashes()
    {
        Write("a", "same text");
        Write("b", "same text");

        var first = Dedupe(apply: false, o => o with { UseCache = false });
        var second = Dedupe(apply: false, o => o with { UseCache = false });

        Assert.False(File.Exists(StatePath));
        Assert.Equal(2, first.Statistics.FilesRead);
        Assert.Equal(2, second.Statistics.FilesRead);
    }

    [Fact]
    public void A_corrupt_state_database_is_reported_and_the_run_goes_on_without_it()
    {
        Write("a", "same text");
        Write("b", "same text");
        Directory.CreateDirectory(Path.GetDirectoryName(StatePath)!);
        File.WriteAllText(StatePath, "this is not an SQLite database, just some text that is long enough to have a header");

        var result = Dedupe(apply: true);

        Assert.NotNull(result.Statistics.CacheProblem);
        Assert.Single(result.Groups);
        Assert.Equal(9, result.SavedBytes);
    }
}
