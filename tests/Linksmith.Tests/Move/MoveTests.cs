namespace Linksmith.Tests.Move;

public sealed class MoveTests
{
    [Fact]
    public void I_can_move_a_folder_to_another_file_system_and_a_symlink_is_left_behind()
    {
        using var scene = new MoveScene();

        var result = Mover.Move(scene.Source, scene.Away, options: scene.Options);

        Assert.Equal(MoveState.Done, result.State);
        Assert.Equal(MoveMode.Copy, result.Mode);
        Assert.Empty(result.Errors);
        scene.AssertSettled(moved: true);
        // The hard-link group stays a group, the inner link still points inside the data.
        Assert.Equal(Link.Inspect(scene.Target + "/d0/hard-twin.txt").Identity, Link.Inspect(scene.Target + "/d0/sub0/file0.txt").Identity);
        Assert.Equal("d1", Link.Inspect(scene.Target + "/inner-rel").Target);
        Assert.Equal(result.Summary.Copied + result.Summary.Linked, result.VerifiedFiles);
    }

    [Fact]
    public void I_can_move_a_folder_within_one_file_system_by_a_rename()
    {
        using var scene = new MoveScene(acrossVolumes: false);
        var identity = Link.Inspect(scene.Source + "/big.bin").Identity;

        var result = Mover.Move(scene.Source, scene.Away, options: scene.Options);

        Assert.Equal(MoveMode.Rename, result.Mode);
        scene.AssertSettled(moved: true);
        Assert.Equal(identity, Link.Inspect(scene.Target + "/big.bin").Identity);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void I_can_bring_a_moved_folder_home_and_nothing_stays_at_the_other_place(bool acrossVolumes)
    {
        using var scene = new MoveScene(acrossVolumes: acrossVolumes);
        Mover.Move(scene.Source, scene.Away, options: scene.Options);

        var result = Mover.MoveBack(scene.Source, scene.Options);

        Assert.Equal(MoveState.Done, result.State);
        Assert.Equal(MoveDirection.Back, result.Direction);
        scene.AssertSettled(moved: false);
        Assert.Empty(Directory.GetFileSystemEntries(scene.Away));
    }

    [Fact]
    public void A_file_can_be_moved_too()
    {
        using var scene = new MoveScene();
        var file = scene.Source + "/big.bin";
        var bytes = File.ReadAllBytes(file);

        Mover.Move(file, scene.Away, options: scene.Options);

        Assert.Equal(LinkKind.SymbolicLink, Link.Inspect(file).Kind);
        Assert.Equal(bytes, File.ReadAllBytes(file));
        Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(scene.Away, "big.bin")));
    }

    [Fact]
    public void Leaving_nothing_removes_the_old_path_and_the_journal_still_finds_the_data_to_bring_back()
    {
        using var scene = new MoveScene();

        Mover.Move(scene.Source, scene.Away, LeaveBehind.None, scene.Options);
        Assert.False(Path.Exists(scene.Source));

        Mover.MoveBack(scene.Source, scene.Options);
        scene.AssertSettled(moved: false);
    }

    [Fact]
    public void A_dry_run_plans_every_step_and_changes_nothing()
    {
        using var scene = new MoveScene();
        var steps = new List<MoveStep>();

        var result = Mover.Move(scene.Source, scene.Away, options: scene.Options with { DryRun = true, OnStep = steps.Add });

        Assert.Equal(
            [MoveStepKind.Copy, MoveStepKind.Verify, MoveStepKind.Sync, MoveStepKind.Rename, MoveStepKind.Rename, MoveStepKind.CreateLink, MoveStepKind.Delete],
            steps.Select(static s => s.Kind));
        Assert.True(result.Summary.Copied > 0);
        scene.AssertSettled(moved: false);
        Assert.Empty(Mover.List(scene.State));
    }

    [Fact]
    public void Cancelling_during_the_copy_rolls_the_move_back()
    {
        using var scene = new MoveScene();
        using var cancel = new CancellationTokenSource();
        var actions = 0;

        Assert.ThrowsAny<OperationCanceledException>(() => Mover.Move(scene.Source, scene.Away, options: scene.Options with
        {
            Cancellation = cancel.Token,
            OnAction = _ =>
            {
                if (++actions == 10)
                {
                    cancel.Cancel();
                }
            },
        }));

        scene.AssertSettled(moved: false);
        Assert.Equal(MoveState.RolledBack, Assert.Single(Mover.List(scene.State)).State);
    }

    [Fact]
    public void The_journal_lists_moves_with_when_from_to_and_state()
    {
        using var scene = new MoveScene(acrossVolumes: false);

        Mover.Move(scene.Source, scene.Away, options: scene.Options);
        Mover.MoveBack(scene.Source, scene.Options);

        var moves = Mover.List(scene.State);
        Assert.Collection(
            moves,
            away => Assert.Equal((MoveDirection.Away, scene.Source, scene.Target, MoveState.Done), (away.Direction, away.SourcePath, away.DestinationPath, away.State)),
            back => Assert.Equal((MoveDirection.Back, scene.Target, scene.Source, MoveState.Done), (back.Direction, back.SourcePath, back.DestinationPath, back.State)));
        Assert.All(moves, m => Assert.True(m.FinishedAt >= m.StartedAt));
    }

    [Fact]
    public void Resume_with_nothing_pending_does_nothing()
    {
        using var scene = new MoveScene(acrossVolumes: false);

        Assert.Empty(Mover.Resume(scene.Options));
        Assert.False(Mover.HasInterruptedMoves(scene.State));
    }

    [Fact]
    public void Moving_a_link_is_refused()
    {
        using var scene = new MoveScene(acrossVolumes: false);
        File.CreateSymbolicLink(scene.Home + "/link", scene.Source);

        var error = Assert.Throws<MoveSourceIsLinkException>(() => Mover.Move(scene.Home + "/link", scene.Away, options: scene.Options));

        Assert.Equal(LinkKind.SymbolicLink, error.Kind);
        Assert.Empty(Directory.GetFileSystemEntries(scene.Away));
    }

    [Fact]
    public void Moving_into_the_source_itself_is_refused()
    {
        using var scene = new MoveScene(acrossVolumes: false);

        Assert.Throws<TreeNestingException>(() => Mover.Move(scene.Source, scene.Source + "/d1", options: scene.Options));
        Assert.Throws<TreeNestingException>(() => Mover.Move(scene.Source, scene.Source, options: scene.Options));
    }

    [Fact]
    public void Moving_onto_an_existing_name_is_refused_and_nothing_changes()
    {
        using var scene = new MoveScene();
        Directory.CreateDirectory(scene.Target);

        var error = Assert.Throws<MoveDestinationExistsException>(() => Mover.Move(scene.Source, scene.Away, options: scene.Options));

        Assert.Equal(LinkKind.Directory, error.ExistingKind);
        Assert.True(scene.IsComplete(scene.Source));
        Assert.Empty(Directory.GetFileSystemEntries(scene.Target));
    }

    [Fact]
    public void Too_little_free_space_is_refused_before_anything_is_copied()
    {
        using var scene = new MoveScene(tmpfsSize: "256k");
        var filler = OperatingSystem.IsWindows() ? OutgrowTheOtherVolume(scene) : null;

        var error = Assert.Throws<InsufficientSpaceException>(() => Mover.Move(scene.Source, scene.Away, options: scene.Options));

        Assert.True(error.NeededBytes > error.AvailableBytes);
        Assert.Empty(Directory.GetFileSystemEntries(scene.Away));
        if (filler is not null)
        {
            Assert.Equal(filler.Value.Size, new FileInfo(filler.Value.Path).Length);
            File.Delete(filler.Value.Path);
        }

        Assert.True(scene.IsComplete(scene.Source));
    }

    [Fact]
    public void A_junction_cannot_be_left_for_a_file()
    {
        using var scene = new MoveScene(acrossVolumes: false);

        Assert.Throws<MoveNotPossibleException>(() => Mover.Move(scene.Source + "/big.bin", scene.Away, LeaveBehind.Junction, scene.Options));
    }

    [Fact]
    public void A_place_where_no_link_can_be_made_is_found_before_any_data_moves()
    {
        Platform.SkipOnWindows("no volume without symbolic links to move from: the test makes one by mounting a FAT image, as root on Linux");
        if (!Platform.IsRoot)
        {
            Assert.Skip("needs root to mount a file system without symbolic links");
        }

        if (!File.Exists("/usr/sbin/mkfs.vfat") && !File.Exists("/sbin/mkfs.vfat"))
        {
            Assert.Skip("mkfs.vfat (dosfstools) is not installed");
        }

        using var temp = new TempDirectory();
        var fat = temp.Dir("fat");
        var image = temp["fat.img"];
        using (var stream = File.Create(image))
        {
            stream.SetLength(2 * 1024 * 1024);
        }

        if (Processes.Run("mkfs.vfat", [image]).ExitCode != 0 || Processes.Run("mount", ["-o", "loop", image, fat]).ExitCode != 0)
        {
            Assert.Skip("mkfs.vfat or loop mounts are not available here");
        }

        try
        {
            temp.File("fat/data/a.txt", "a");
            var away = temp.Dir("away");

            Assert.Throws<LinksNotSupportedException>(() => Mover.Move(fat + "/data", away, options: new MoveOptions { StateDirectory = temp.Dir("state") }));

            Assert.Equal("a", File.ReadAllText(fat + "/data/a.txt"));
            Assert.Empty(Directory.GetFileSystemEntries(away));
        }
        finally
        {
            Processes.Run("umount", ["-l", fat]);
        }
    }

    /// <summary>
    /// On Windows the other volume is a fixed drive (a 64 MiB tmpfs as Y: in the Wine pass), not a
    /// tmpfs sized smaller than the data: a file 1 MiB larger than its free space joins the data
    /// (made with SetLength: under Wine a file of holes on the Linux side, which costs the source nothing).
    /// </summary>
    private static (string Path, long Size)? OutgrowTheOtherVolume(MoveScene scene)
    {
        var free = new DriveInfo(scene.Away).AvailableFreeSpace;
        Assert.SkipWhen(free > (1L << 30), $"the other volume has {free} bytes free, more than this test fills (1 GiB)");
        var path = Path.Combine(scene.Source, "larger-than-the-other-volume.bin");
        var size = free + (1 << 20);
        using (var stream = File.Create(path))
        {
            stream.SetLength(size);
        }

        return (path, size);
    }
}
