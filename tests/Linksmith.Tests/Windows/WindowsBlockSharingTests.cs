namespace Linksmith.Tests.Windows;

/// <summary>
/// <c>dedupe --reflink</c>'s Windows half through the real kernel32 and ntdll (Windows, or Wine
/// under .ci/wine-tests.sh): a volume without block cloning refuses it with exit 3 and nothing
/// changed (all of dedupe --reflink that can run under Wine, whose volumes report no
/// FILE_SUPPORTS_BLOCK_REFCOUNTING), and the hold that keeps other writers out of both files while
/// they are compared and cloned. The cloning itself needs ReFS or a Dev Drive and was checked on
/// paper only; its pure parts are in <see cref="DuplicateExtentsTests"/> and <see cref="RetrievalPointersTests"/>.
/// </summary>
[Trait("Platform", "Windows")]
public sealed class WindowsBlockSharingTests : IDisposable
{
    private const int Size = 300 << 10;

    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private Dictionary<string, string> State => new() { ["LINKSMITH_STATE_DIR"] = temp["state"] };

    [Fact]
    public async Task Dedupe_reflink_on_a_volume_without_block_cloning_exits_3_with_or_without_apply_and_changes_nothing()
    {
        await RequireNoBlockCloningAsync();
        var root = temp.Dir("data");
        var keep = Write("data/keep.bin", seed: 1, new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var duplicate = Write("data/sub/dup.bin", seed: 1, new DateTime(2021, 6, 1, 12, 0, 0, DateTimeKind.Utc));
        var before = TreeSnapshot.Take(root);

        var applied = CliRunner.RunWithEnvironment(temp.Path, State, "dedupe", "--reflink", "--apply", root);
        var reported = CliRunner.RunWithEnvironment(temp.Path, State, "dedupe", "--reflink", "--json", root);
        var error = Assert.Throws<ReflinksNotSupportedException>(() => Deduplicator.Run(new DedupeOptions
        {
            Roots = [root],
            Apply = true,
            Reflink = true,
            StateDatabasePath = Path.Combine(temp.Dir("library-state"), "state.db"),
        }, TestContext.Current.CancellationToken));

        foreach (var result in new[] { applied, reported })
        {
            Assert.True(result.ExitCode == 3, $"exit {result.ExitCode}: {result.Error}");
            Assert.StartsWith("linksmith: error: ", result.Error, StringComparison.Ordinal);
            Assert.Contains("block cloning needs ReFS or a Dev Drive", result.Error, StringComparison.Ordinal);
            Assert.Contains("hint: ", result.Error, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
        }

        Assert.Contains(error.Path, new[] { keep, duplicate });
        Assert.Contains("ReFS volume or a Dev Drive", error.Hint, StringComparison.Ordinal);
        Assert.Equal(before, TreeSnapshot.Take(root));
    }

    [Fact]
    public async Task A_pair_on_a_volume_without_block_cloning_is_refused_by_the_probe_and_counted_whole()
    {
        await RequireNoBlockCloningAsync();
        Write("keep.bin", seed: 2, DateTime.UtcNow);
        var duplicate = Write("dup.bin", seed: 2, DateTime.UtcNow);
        using var root = DirectoryHandle.Open(temp.Path);
        using var pair = SharingPair.Open(root, "keep.bin", root, "dup.bin");

        var refusal = Assert.Throws<ReflinksNotSupportedException>(pair.Probe);

        Assert.Equal(duplicate, refusal.Path);
        Assert.Contains("block cloning needs ReFS or a Dev Drive", refusal.Message, StringComparison.Ordinal);
        // Where the volume does not tell which clusters are shared (no cluster size from
        // FSCTL_GET_INTEGRITY_INFORMATION; Wine's FSCTL_GET_RETRIEVAL_POINTERS is a stub), every byte counts.
        Assert.Equal(Size, pair.NotSharedBytes(Size));
    }

    [Fact]
    public async Task A_held_file_keeps_other_writers_and_deleters_out_until_it_is_let_go()
    {
        await WindowsHost.RequireWindowsAsync();
        var path = Write("a.bin", seed: 3, DateTime.UtcNow);
        using var root = DirectoryHandle.Open(temp.Path);

        using (var held = HeldFile.TryHold(root, "a.bin", forWriting: true, out var refusal))
        {
            Assert.NotNull(held);
            Assert.Equal(LeaseRefusal.None, refusal);
            Assert.Equal(path, held.Path);
            Assert.Equal(Size, held.Status().Size);
            Assert.Throws<IOException>(() => new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete).Dispose());
            Assert.ThrowsAny<IOException>(() => File.Move(path, temp["moved.bin"]));
            Assert.ThrowsAny<IOException>(() => File.Delete(path));
            // A reader that lets others write gets in: only writers and deleters are kept out.
            using var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            Assert.Equal(Size, reader.Length);
        }

        using var writer = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        Assert.True(writer.CanWrite);
    }

    [Fact]
    public async Task A_file_another_program_may_write_to_is_not_held()
    {
        await WindowsHost.RequireWindowsAsync();
        var path = Write("a.bin", seed: 4, DateTime.UtcNow);
        using var root = DirectoryHandle.Open(temp.Path);
        using var writer = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);

        var survivor = HeldFile.TryHold(root, "a.bin", forWriting: false, out var survivorRefusal);
        var duplicate = HeldFile.TryHold(root, "a.bin", forWriting: true, out var duplicateRefusal);

        Assert.Null(survivor);
        Assert.Null(duplicate);
        Assert.Equal(LeaseRefusal.InUse, survivorRefusal);
        Assert.Equal(LeaseRefusal.InUse, duplicateRefusal);
    }

    [Fact]
    public async Task A_held_file_gets_its_times_back_change_time_included()
    {
        await WindowsHost.RequireWindowsAsync();
        Write("a.bin", seed: 5, new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        using var root = DirectoryHandle.Open(temp.Path);
        using var held = HeldFile.TryHold(root, "a.bin", forWriting: true, out _)!;
        var before = held.Status();

        RandomAccess.Write(((WindowsHeldFile)held).Handle, "changed"u8, 0);
        held.RestoreTimes(before);

        var after = held.Status();
        Assert.True(held.RestoresChangeTime);
        Assert.Equal(before.ModifiedTime, after.ModifiedTime);
        Assert.Equal(before.AccessTime, after.AccessTime);
        if (!WindowsHost.IsWine)
        {
            // Wine's change time is the Linux ctime, which no call sets.
            Assert.Equal(before.ChangeTime, after.ChangeTime);
        }
    }

    [Fact]
    public async Task A_read_only_duplicate_is_held_for_writing_and_stays_read_only_with_its_times()
    {
        await WindowsHost.RequireWindowsAsync();
        var path = Write("a.bin", seed: 6, new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        File.SetAttributes(path, FileAttributes.ReadOnly);
        if ((File.GetAttributes(path) & FileAttributes.ReadOnly) == 0)
        {
            Assert.Skip("the read-only attribute does not stay set here (Wine running as root keeps none), so there is no refusal to get past");
        }

        using var root = DirectoryHandle.Open(temp.Path);
        var listed = root.Stat("a.bin")!.Value;

        using (var held = HeldFile.TryHold(root, "a.bin", forWriting: true, out var refusal))
        {
            Assert.NotNull(held);
            var status = held.Status();
            Assert.Equal(1u, status.Mode);
            Assert.Equal(listed.ModifiedTime, status.ModifiedTime);
            Assert.Equal(listed.ChangeTime, status.ChangeTime);
            // Windows refuses to open a read-only file for writing, so the hold takes the attribute
            // off, opens it and puts it back at once: it is checked when a file is opened, and this
            // handle may write all the same. (Wine, running as root, lets any handle write a
            // read-only file: there the first open succeeds and only the outcome is checked.)
            RandomAccess.Write(((WindowsHeldFile)held).Handle, "changed"u8, 0);
        }

        Assert.True((File.GetAttributes(path) & FileAttributes.ReadOnly) != 0);
        Assert.Equal("changed"u8.ToArray(), File.ReadAllBytes(path)[..7]);
        File.SetAttributes(path, FileAttributes.Normal);
    }

    /// <summary>Skips unless kernel32 is there and the test volume has no block cloning (ReFS or a Dev Drive would share the blocks).</summary>
    private async Task RequireNoBlockCloningAsync()
    {
        await WindowsHost.RequireWindowsAsync();
        var probe = temp.File("probe.txt");
        bool clones;
        using (var root = (WindowsDirectoryHandle)DirectoryHandle.Open(temp.Path))
        using (var handle = root.OpenFileForRead("probe.txt", out _))
        {
            clones = WindowsDirectoryHandle.VolumeOf(handle) is { Clones: true };
        }

        File.Delete(probe);
        if (clones)
        {
            Assert.Skip("the test volume clones blocks (ReFS or a Dev Drive): the refusal cannot happen here");
        }
    }

    private string Write(string relative, int seed, DateTime modified)
    {
        var path = temp[relative];
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var bytes = new byte[Size];
        new Random(seed).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
        File.SetLastWriteTimeUtc(path, modified);
        return path;
    }
}
