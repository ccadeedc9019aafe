using System.Net.Sockets;

namespace Linksmith.Tests.Trees;

/// <summary>
/// What a copy reads and what it leaves (PRODUCT.md, "Integrity under change and interruption"):
/// special files refused without blocking, sparse files kept sparse, a file written to during its
/// copy reported and never left looking complete, no partial file under a real name.
/// </summary>
public sealed class CopyIntegrityTests(ITestOutputHelper output) : IDisposable
{
    private const long GiB = 1L << 30;
    private const int Island = 4096;

    // A few blocks of slack: a file system may allocate an extent block or round an island up.
    private const long BlockSlack = 64 * 1024;

    private static readonly TimeSpan NoHang = TimeSpan.FromSeconds(60);

    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    public static TheoryData<string> SpecialFiles => ["fifo", "socket", "device"];

    [Theory]
    [MemberData(nameof(SpecialFiles))]
    public void Dropping_a_fifo_socket_or_device_as_a_copy_is_refused_before_anything_is_written(string kind)
    {
        Platform.SkipOnWindows("no FIFOs, Unix sockets or device files");
        var state = temp.Dir("state");
        temp.Dir("dest");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        var special = kind switch
        {
            "fifo" => MakeFifo(temp["special"]),
            "socket" => BindSocket(socket, temp["special"]),
            _ => "/dev/zero",
        };

        // timeout(1): a copy that blocks on the FIFO or reads /dev/zero until the disk is full fails here (124), never hangs the suite.
        var result = Processes.Run("timeout", ["30", .. CliRunner.CommandLine, "pick", special], temp.Path, new Dictionary<string, string> { ["LINKSMITH_STATE_DIR"] = state });
        Assert.Equal(0, result.ExitCode);
        result = Processes.Run("timeout", ["30", .. CliRunner.CommandLine, "drop", "dest", "--as", "copy"], temp.Path, new Dictionary<string, string> { ["LINKSMITH_STATE_DIR"] = state });

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"linksmith: error: {special}: is a special file (a FIFO, socket or device), not a regular file", result.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(temp["dest"]));
    }

    [Fact]
    public async Task A_fifo_swapped_into_a_tree_being_copied_is_reported_and_skipped_without_hanging()
    {
        Platform.SkipOnWindows("no FIFOs (mkfifo)");
        temp.File("src/a.txt", "a");
        temp.File("src/victim.txt", "listed as a file");
        temp.File("src/z.txt", "z");
        var errors = new List<LinksmithException>();
        var job = new TreeJob
        {
            Kind = TreeJobKind.Copy,
            SourcePath = temp["src"],
            DestinationPath = temp["dst"],
            // One thread: the swap below lands between the walk's listing and the copy's open.
            Parallelism = 0,
            OnError = errors.Add,
            OnAction = action =>
            {
                if (action.Kind == TreeActionKind.Copy && action.Path.EndsWith("victim.txt", StringComparison.Ordinal))
                {
                    File.Delete(temp["src/victim.txt"]);
                    MakeFifo(temp["src/victim.txt"]);
                }
            },
        };

        var summary = await Task.Run(() => TreeOperations.Run(job), TestContext.Current.CancellationToken).WaitAsync(NoHang, TestContext.Current.CancellationToken);

        var error = Assert.IsType<TreeChangedException>(Assert.Single(errors));
        Assert.Equal(temp["src/victim.txt"], error.Path);
        Assert.Contains("is no longer a regular file", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, summary.Errors);
        Assert.Equal(["a.txt", "z.txt"], Directory.GetFileSystemEntries(temp["dst"]).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(TreeJobKind.Copy)]
    [InlineData(TreeJobKind.Mirror)]
    [InlineData(TreeJobKind.Backup)]
    public void A_sparse_file_stays_sparse_in_copy_mirror_and_backup(TreeJobKind kind)
    {
        RequireSparseFiles();
        var sources = MakeSparseFiles(temp.Dir("src"));
        var errors = new List<LinksmithException>();

        var summary = TreeOperations.Run(new TreeJob { Kind = kind, SourcePath = temp["src"], DestinationPath = temp["dst"], OnError = errors.Add });

        Assert.Empty(errors);
        AssertSparseCopies(sources, kind == TreeJobKind.Backup ? summary.SnapshotPath! : temp["dst"], kind.ToString());
    }

    [Fact]
    public void A_sparse_file_with_more_data_ranges_than_one_query_returns_stays_sparse()
    {
        RequireSparseFiles();
        // 100 islands of 4 KiB, one every 64 KiB (NTFS's allocation unit of a sparse file): more
        // ranges than the Windows copy asks for at once (64), so it asks again after ERROR_MORE_DATA.
        const int Islands = 100, Stride = 64 << 10;
        var path = temp.File("src/many.img", string.Empty);
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            if (OperatingSystem.IsWindows())
            {
                Windows.WindowsCapabilities.MarkSparse(stream);
            }

            stream.SetLength((long)Islands * Stride);
            for (var i = 0; i < Islands; i++)
            {
                stream.Position = (long)i * Stride;
                stream.Write(System.Security.Cryptography.RandomNumberGenerator.GetBytes(Island));
            }
        }

        var source = PathFacts.Stat(path, followLinks: false)!.Value;
        Assert.SkipWhen(source.AllocatedBytes >= source.Size, $"the file system at {temp["src"]} does not keep holes");
        var errors = new List<LinksmithException>();

        TreeOperations.Run(new TreeJob { Kind = TreeJobKind.Copy, SourcePath = temp["src"], DestinationPath = temp["dst"], OnError = errors.Add });

        Assert.Empty(errors);
        var copy = PathFacts.Stat(temp["dst/many.img"], followLinks: false)!.Value;
        output.WriteLine($"copy: many.img: {copy.Size:N0} bytes, source allocated {source.AllocatedBytes:N0}, copy allocated {copy.AllocatedBytes:N0}");
        Assert.Equal(source.Size, copy.Size);
        Assert.InRange(copy.AllocatedBytes, 0, source.AllocatedBytes + BlockSlack);
        Assert.True(SameBytes(path, temp["dst/many.img"]));
    }

    [Fact]
    public void A_sparse_file_stays_sparse_in_a_restore()
    {
        RequireSparseFiles();
        var sources = MakeSparseFiles(temp.Dir("src"));
        var errors = new List<LinksmithException>();
        var backup = TreeOperations.Run(new TreeJob { Kind = TreeJobKind.Backup, SourcePath = temp["src"], DestinationPath = temp["repo"], OnError = errors.Add });
        var job = Snapshots.RestoreJob(temp["repo"], Path.GetFileName(backup.SnapshotPath!), temp["restored"]);

        TreeOperations.Run(job with { OnError = errors.Add });

        Assert.Empty(errors);
        AssertSparseCopies(sources, temp["restored"], "restore");
    }

    [Fact]
    public void A_sparse_file_stays_sparse_in_a_move_across_file_systems()
    {
        RequireSparseFiles();
        var away = OtherVolume("64m");
        // 64 MiB: two 1 GiB files fit only if their holes stay holes and the move's space check
        // counts their allocated bytes. On Windows it does where the source carries the sparse mark
        // and the other volume has sparse files; elsewhere (Wine keeps no mark) it counts a file
        // whole, so two of 16 MiB are moved and the allocated blocks show the holes kept.
        var size = !OperatingSystem.IsWindows() || SpaceCheckCountsSparseFiles(temp.Dir("home"), away) ? GiB : 16L << 20;
        var sources = MakeSparseFiles(temp.Dir("home/data"), size);

        var expected = sources.ToDictionary(s => s.Name, s => (Hash: Hash(s.Path), s.Allocated));

        var result = Mover.Move(temp["home/data"], away, options: new MoveOptions { StateDirectory = temp.Dir("state") });

        Assert.Equal(MoveState.Done, result.State);
        Assert.Empty(result.Errors);
        foreach (var (name, (hash, allocated)) in expected)
        {
            var moved = Path.Combine(away, "data", name);
            var copy = PathFacts.Stat(moved, followLinks: false)!.Value;
            output.WriteLine($"move: {name}: {size:N0} bytes, source allocated {allocated:N0}, moved copy allocated {copy.AllocatedBytes:N0}");
            Assert.InRange(copy.AllocatedBytes, 0, allocated + BlockSlack);
            Assert.Equal(hash, Hash(moved));
        }
    }

    [Fact]
    public void A_copy_killed_in_the_middle_of_a_file_leaves_no_partial_file_under_its_real_name()
    {
        // Sparse, with data at its start and its middle: the kill at the first range lands half way
        // through the file. On Windows three 1 MiB chunks of data each (the kills land inside them):
        // where FSCTL_QUERY_ALLOCATED_RANGES is missing (stock Wine, FAT) every byte is copied.
        var sources = OperatingSystem.IsWindows() ? MakeDenseFiles(temp.Dir("src"), 3 << 20) : MakeSparseFiles(temp.Dir("src")).Select(s => s.Path).ToList();
        temp.File("src/small.txt", "small");

        for (var point = 1; point <= 5; point++)
        {
            var destination = $"dst{point}";
            FaultKills.RunKilledAt(temp.Path, new Dictionary<string, string>(), FaultPoints.CopyData, point, "copy", "--threads", "0", "src", destination);

            if (OperatingSystem.IsLinux())
            {
                // The new destination is made under a hidden name and gets its own only when the
                // copy is done: the kill left no DST at all, and the hidden folder with the
                // interrupted file in it.
                var hidden = Directory.GetDirectories(temp.Path, $".{destination}.lsmith-*");
                output.WriteLine($"killed at {FaultPoints.CopyData}@{point}: destination {(Directory.Exists(temp[destination]) ? "there" : "not there")}, {hidden.Length} hidden folder(s)");
                Assert.False(Directory.Exists(temp[destination]));
                Assert.Single(hidden);
                // The kill came before the copy was whole (else it proves nothing).
                var whole = Directory.GetFiles(hidden[0]).Count(f => Hash(f) == Hash(temp[Path.Combine("src", Path.GetFileName(f))]));
                Assert.True(whole < sources.Count + 1, $"all {whole} files were copied whole before the kill");

                // Into a folder that exists, each file has a temporary name (or none) of its own.
                destination = $"into{point}";
                Directory.CreateDirectory(temp[destination]);
                FaultKills.RunKilledAt(temp.Path, new Dictionary<string, string>(), FaultPoints.CopyData, point, "copy", "--threads", "0", "src", destination);
            }

            var left = Directory.GetFiles(temp[destination]);
            var realNames = left.Where(f => !Path.GetFileName(f).StartsWith('.')).ToList();
            output.WriteLine($"killed at {FaultPoints.CopyData}@{point}: {realNames.Count} files under real names, {left.Length - realNames.Count} temporary names");
            Assert.NotEqual(realNames.Count, sources.Count + 1);
            // A file under its real name is complete: the copy was renamed into place only once whole.
            foreach (var file in realNames)
            {
                Assert.Equal(Hash(temp[Path.Combine("src", Path.GetFileName(file))]), Hash(file));
            }

            // What the kill interrupted stayed under a hidden temporary name.
            Assert.All(left.Except(realNames), f => Assert.Contains(".lsmith-", Path.GetFileName(f), StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData(TreeJobKind.Copy)]
    [InlineData(TreeJobKind.Mirror)]
    public void A_file_written_to_during_both_copies_is_reported_and_not_left_looking_complete(TreeJobKind kind)
    {
        temp.File("src/quiet.txt", "quiet");
        temp.File("src/log.txt", new string('x', 100_000));
        if (kind == TreeJobKind.Mirror)
        {
            // The version from an earlier mirror stays whole: the new one never replaces it.
            temp.File("dst/log.txt", "the earlier version");
        }

        var errors = new List<LinksmithException>();
        var writes = 0;
        using var writer = AppendDuringCopy("log.txt", () => ++writes <= 100);

        var summary = TreeOperations.Run(new TreeJob { Kind = kind, SourcePath = temp["src"], DestinationPath = temp["dst"], OnError = errors.Add });

        output.WriteLine($"{kind}: log.txt read twice, {writes} appends made during the readings");
        Assert.Equal(2, writes);
        var error = Assert.IsType<ChangedWhileCopyingException>(Assert.Single(errors));
        Assert.Equal(temp["src/log.txt"], error.Path);
        Assert.Contains("changed while copying (its size went from 100001 to 100002 bytes)", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, summary.Errors);
        Assert.Equal("quiet", File.ReadAllText(temp["dst/quiet.txt"]));
        var left = Directory.GetFileSystemEntries(temp["dst"]).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        if (kind == TreeJobKind.Mirror)
        {
            Assert.Equal(["log.txt", "quiet.txt"], left);
            Assert.Equal("the earlier version", File.ReadAllText(temp["dst/log.txt"]));
        }
        else
        {
            Assert.Equal(["quiet.txt"], left);
        }
    }

    [Fact]
    public void A_file_written_to_during_its_first_copy_only_is_copied_again_whole()
    {
        temp.File("src/log.txt", "start");
        var errors = new List<LinksmithException>();
        var writes = 0;
        using var writer = AppendDuringCopy("log.txt", () => ++writes == 1);

        TreeOperations.Run(new TreeJob { Kind = TreeJobKind.Copy, SourcePath = temp["src"], DestinationPath = temp["dst"], OnError = errors.Add });

        Assert.Empty(errors);
        Assert.Equal(2, writes);
        Assert.Equal("start+", File.ReadAllText(temp["dst/log.txt"]));
        Assert.Equal(File.GetLastWriteTimeUtc(temp["src/log.txt"]), File.GetLastWriteTimeUtc(temp["dst/log.txt"]));
    }

    [Fact]
    public void A_file_rewritten_during_a_backup_is_reported_kept_as_changed_and_copied_again_by_the_next_backup()
    {
        temp.File("src/log.txt", "start");
        temp.File("src/quiet.txt", "quiet");
        var errors = new List<LinksmithException>();
        var writes = 0;
        TreeSummary first;
        // Rewritten in place, its size unchanged: only the modification time tells the next backup.
        // After a pause longer than a tick of the kernel's coarse clock, so that the time moves.
        using (ChangeDuringCopy("log.txt", () => ++writes <= 2, path =>
        {
            Thread.Sleep(20);
            File.WriteAllText(path, $"{(char)('a' + writes)}tart");
        }))
        {
            first = TreeOperations.Run(new TreeJob { Kind = TreeJobKind.Backup, SourcePath = temp["src"], DestinationPath = temp["repo"], OnError = errors.Add });
        }

        var error = Assert.IsType<ChangedWhileCopyingException>(Assert.Single(errors));
        Assert.True(error.Kept);
        Assert.Contains("changed while copying (its modification time moved)", error.Message, StringComparison.Ordinal);
        var kept = Path.Combine(first.SnapshotPath!, "log.txt");
        // What was read the second time is in the snapshot, which is complete and named as one...
        Assert.True(Directory.Exists(first.SnapshotPath));
        Assert.Equal("btart", File.ReadAllText(kept));
        Assert.Equal("ctart", File.ReadAllText(temp["src/log.txt"]));
        // ...but not stamped with the source's modification time.
        Assert.NotEqual(File.GetLastWriteTimeUtc(temp["src/log.txt"]), File.GetLastWriteTimeUtc(kept));

        errors.Clear();
        var second = TreeOperations.Run(new TreeJob { Kind = TreeJobKind.Backup, SourcePath = temp["src"], DestinationPath = temp["repo"], OnError = errors.Add });

        Assert.Empty(errors);
        var again = Path.Combine(second.SnapshotPath!, "log.txt");
        Assert.Equal("ctart", File.ReadAllText(again));
        Assert.NotEqual(FixtureTree.Identity(kept), FixtureTree.Identity(again));
        Assert.Equal(File.GetLastWriteTimeUtc(temp["src/log.txt"]), File.GetLastWriteTimeUtc(again));
        // The quiet file was trusted and linked, as always.
        Assert.Equal(FixtureTree.Identity(Path.Combine(first.SnapshotPath!, "quiet.txt")), FixtureTree.Identity(Path.Combine(second.SnapshotPath!, "quiet.txt")));
        output.WriteLine($"backup: first run {first.Copied} copied, 1 changed while copying (kept); second run {second.Copied} copied, {second.Linked} linked");
    }

    [Fact]
    public void A_move_of_a_file_written_to_during_its_copy_is_rolled_back()
    {
        var away = OtherVolume("16m");

        temp.File("home/data/log.txt", "start");
        temp.File("home/data/quiet.txt", "quiet");
        var writes = 0;
        MoveResult result;
        using (AppendDuringCopy("log.txt", () => ++writes <= 100))
        {
            result = Mover.Move(temp["home/data"], away, options: new MoveOptions { StateDirectory = temp.Dir("state") });
        }

        output.WriteLine($"move: {writes} appends; errors: {string.Join(" | ", result.Errors.Select(e => e.Message))}");
        Assert.Equal(MoveState.RolledBack, result.State);
        Assert.Contains(result.Errors, e => e is ChangedWhileCopyingException);
        Assert.True(Directory.Exists(temp["home/data"]) && !Link.Inspect(temp["home/data"]).Kind.IsPathLink());
        Assert.StartsWith("start++", File.ReadAllText(temp["home/data/log.txt"]), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(away));
    }

    [Fact]
    public void A_move_whose_file_changes_after_its_copy_is_refused_by_the_verification()
    {
        var away = OtherVolume("16m");

        temp.File("home/data/log.txt", "start");
        var result = Mover.Move(temp["home/data"], away, options: new MoveOptions
        {
            StateDirectory = temp.Dir("state"),
            OnStep = step =>
            {
                if (step.Kind == MoveStepKind.Verify)
                {
                    File.AppendAllText(temp["home/data/log.txt"], "+");
                }
            },
        });

        Assert.Equal(MoveState.RolledBack, result.State);
        Assert.Contains(result.Errors, e => e is MoveVerificationException);
        Assert.Equal("start+", File.ReadAllText(temp["home/data/log.txt"]));
        Assert.Empty(Directory.GetFileSystemEntries(away));
    }

    [Fact]
    public async Task A_copy_of_a_file_another_process_keeps_writing_exits_1_and_leaves_no_copy_of_it()
    {
        temp.File("src/quiet.txt", "quiet");
        File.WriteAllBytes(temp["src/busy.bin"], new byte[64 << 20]);
        using var stop = new CancellationTokenSource();
        var appends = 0;
        var writing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writer = Task.Run(
            () =>
            {
                using var stream = new FileStream(temp["src/busy.bin"], FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
                while (!stop.IsCancellationRequested)
                {
                    stream.Write("y"u8);
                    stream.Flush();
                    appends++;
                    writing.TrySetResult();
                    Thread.Sleep(1);
                }
            },
            TestContext.Current.CancellationToken);
        // The copy starts once the writer is writing: on a loaded machine (the Wine pass of a
        // fresh-clone CI) the writer's task once started only after a copy had finished ("0 appends").
        await writing.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        var result = CliRunner.Run(temp.Path, "copy", "src", "dst");
        stop.Cancel();
        await writer;

        output.WriteLine($"a writer made {appends} appends; copy exited {result.ExitCode}");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"linksmith: error: {temp["src/busy.bin"]}: changed while copying (its size went from", result.Error, StringComparison.Ordinal);
        Assert.Equal(["quiet.txt"], Directory.GetFileSystemEntries(temp["dst"]).Select(Path.GetFileName));
    }

    /// <summary>
    /// On Windows, skips where the system lacks what the copy keeps holes with, naming the call
    /// (stock Wine 10: FSCTL_QUERY_ALLOCATED_RANGES, which CI's overlay adds; without it every
    /// byte is copied, as the other tests check).
    /// </summary>
    private static void RequireSparseFiles()
    {
        if (OperatingSystem.IsWindows() && Windows.WindowsCapabilities.SparseFilesMissing is { } missing)
        {
            Assert.Skip($"Windows: the copy keeps holes with FSCTL_QUERY_ALLOCATED_RANGES and FSCTL_SET_SPARSE, and here {missing}");
        }
    }

    /// <summary>
    /// Windows: whether a move's space check counts a sparse file by its allocation, moving from
    /// <paramref name="folder"/> to <paramref name="away"/>: a file marked sparse there says so in
    /// its status, and the other volume has sparse files.
    /// </summary>
    private bool SpaceCheckCountsSparseFiles(string folder, string away)
    {
        var probe = Path.Combine(folder, "marked-sparse.img");
        using (var stream = new FileStream(probe, FileMode.CreateNew, FileAccess.Write))
        {
            Windows.WindowsCapabilities.MarkSparse(stream);
        }

        var marked = PathFacts.Stat(probe, followLinks: false)!.Value.IsSparse;
        File.Delete(probe);
        var holes = MoveFiles.HoleKeepingOf(away);
        output.WriteLine($"move: a file marked sparse {(marked ? "carries" : "does not carry")} the mark in its status; the other volume keeps holes of {holes}");
        return marked && holes == HoleKeeping.SparseFiles;
    }

    /// <summary>A folder on another volume (a tmpfs of <paramref name="size"/> on Linux, drive Y: in the Wine pass), or the test skips, naming what is missing.</summary>
    private string OtherVolume(string size)
    {
        var away = temp.TryOtherVolume("away", size);
        Assert.SkipWhen(
            away is null,
            OperatingSystem.IsWindows()
                ? $"a move across volumes needs a second one: set {Windows.WindowsHost.OtherVolumeVariable} (.ci/wine-tests.sh does)"
                : "a move across file systems needs a second one: mounting a tmpfs needs root on Linux");
        return away;
    }

    /// <summary>
    /// Two sparse files of <paramref name="size"/> bytes (1 GiB unless said): 4 KiB data islands at
    /// the start, the middle and the very end; and at the start and the middle with a hole up to the end.
    /// </summary>
    private static List<(string Name, string Path, long Allocated)> MakeSparseFiles(string directory, long size = GiB)
    {
        var files = new List<(string, string, long)>();
        foreach (var (name, offsets) in new[] { ("ends-in-data.img", new[] { 0, size / 2, size - Island }), ("ends-in-a-hole.img", [0, (size / 2) + 12_345]) })
        {
            var path = Path.Combine(directory, name);
            using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
            {
                if (OperatingSystem.IsWindows())
                {
                    Windows.WindowsCapabilities.MarkSparse(stream);
                }

                stream.SetLength(size);
                foreach (var offset in offsets)
                {
                    stream.Position = offset;
                    stream.Write(System.Security.Cryptography.RandomNumberGenerator.GetBytes(Island));
                }
            }

            var status = PathFacts.Stat(path, followLinks: false)!.Value;
            if (status.AllocatedBytes >= status.Size)
            {
                Assert.Skip($"the file system at {directory} does not keep holes");
            }

            files.Add((name, path, status.AllocatedBytes));
        }

        return files;
    }

    /// <summary>Two files of <paramref name="size"/> random bytes each.</summary>
    private static List<string> MakeDenseFiles(string directory, int size)
    {
        var files = new List<string>();
        foreach (var name in new[] { "first.bin", "second.bin" })
        {
            var path = Path.Combine(directory, name);
            File.WriteAllBytes(path, System.Security.Cryptography.RandomNumberGenerator.GetBytes(size));
            files.Add(path);
        }

        return files;
    }

    private void AssertSparseCopies(List<(string Name, string Path, long Allocated)> sources, string copyRoot, string job)
    {
        foreach (var (name, path, allocated) in sources)
        {
            var copyPath = Path.Combine(copyRoot, name);
            var copy = PathFacts.Stat(copyPath, followLinks: false)!.Value;
            output.WriteLine($"{job}: {name}: {copy.Size:N0} bytes, source allocated {allocated:N0}, copy allocated {copy.AllocatedBytes:N0}");
            Assert.Equal(GiB, copy.Size);
            Assert.InRange(copy.AllocatedBytes, 0, allocated + BlockSlack);
            // No cmp under Windows: the two are read and compared there, holes as the zeros they read as.
            if (OperatingSystem.IsWindows())
            {
                Assert.True(SameBytes(path, copyPath), $"{copyPath} differs from {path}");
            }
            else
            {
                Assert.Equal(0, Processes.Run("cmp", [path, copyPath]).ExitCode);
            }
        }
    }

    /// <summary>Appends "+" to the source file <paramref name="name"/> each time a chunk of it was copied and <paramref name="more"/> says so: a writer inside the copy.</summary>
    private static FaultPoints.Hook AppendDuringCopy(string name, Func<bool> more) =>
        ChangeDuringCopy(name, more, path => File.AppendAllText(path, "+"));

    private static FaultPoints.Hook ChangeDuringCopy(string name, Func<bool> more, Action<string> change) =>
        FaultPoints.Arm(FaultPoints.CopyData, (source, _) =>
        {
            if (Path.GetFileName(source) == name && more())
            {
                change(source);
            }
        });

    private static string Hash(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(stream));
    }

    /// <summary>Whether two files hold the same bytes, read 1 MiB at a time (a 4 KiB FileStream takes most of a minute for 2 GiB under Wine).</summary>
    private static bool SameBytes(string first, string second)
    {
        using var a = File.OpenHandle(first);
        using var b = File.OpenHandle(second);
        var length = RandomAccess.GetLength(a);
        if (RandomAccess.GetLength(b) != length)
        {
            return false;
        }

        var x = new byte[1 << 20];
        var y = new byte[1 << 20];
        for (long offset = 0; offset < length; offset += x.Length)
        {
            var count = (int)Math.Min(x.Length, length - offset);
            if (!ReadFully(a, x.AsSpan(0, count), offset) || !ReadFully(b, y.AsSpan(0, count), offset) || !x.AsSpan(0, count).SequenceEqual(y.AsSpan(0, count)))
            {
                return false;
            }
        }

        return true;
    }

    private static bool ReadFully(Microsoft.Win32.SafeHandles.SafeFileHandle handle, Span<byte> buffer, long offset)
    {
        for (var done = 0; done < buffer.Length;)
        {
            var read = RandomAccess.Read(handle, buffer[done..], offset + done);
            if (read == 0)
            {
                return false;
            }

            done += read;
        }

        return true;
    }

    private static string MakeFifo(string path)
    {
        Assert.Equal(0, Processes.Run("mkfifo", [path]).ExitCode);
        return path;
    }

    private static string BindSocket(Socket socket, string path)
    {
        socket.Bind(new UnixDomainSocketEndPoint(path));
        return path;
    }
}
