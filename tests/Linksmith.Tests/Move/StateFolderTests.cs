namespace Linksmith.Tests.Move;

/// <summary>
/// Links planted in the state folder (which may be shared, e.g. LINKSMITH_STATE_DIR in /tmp) at the
/// names the move journal uses: the database and its companions, a new move's lock file, an
/// interrupted move's lock file. Each is refused with an error that names it, and nothing it points
/// to is created, truncated, written or locked; the data being moved is not touched.
/// </summary>
public sealed class StateFolderTests : IDisposable
{
    private readonly TempDirectory outside = new();

    public void Dispose() => outside.Dispose();

    public static TheoryData<string, bool> DatabaseNames => new()
    {
        { "state.db", false }, { "state.db", true },
        { "state.db-wal", false }, { "state.db-wal", true },
        { "state.db-shm", false }, { "state.db-shm", true },
        { "state.db-journal", false }, { "state.db-journal", true },
    };

    [Theory]
    [MemberData(nameof(DatabaseNames))]
    public void A_link_planted_at_a_database_name_is_refused_before_the_move_and_what_it_points_to_is_untouched(string name, bool pointsToAFile)
    {
        using var scene = new MoveScene(acrossVolumes: false);
        var planted = Plant(scene, name, pointsToAFile);

        var error = Assert.Throws<StateDatabaseException>(() => Mover.Move(scene.Source, scene.Away, options: scene.Options));

        Assert.Equal(Path.Combine(scene.State, name), error.Path);
        Assert.Contains($"a symbolic link to '{planted}' stands where Linksmith keeps its own file; it was not followed", error.Reason, StringComparison.Ordinal);
        AssertUntouched(planted, pointsToAFile);
        scene.AssertSettled(moved: false);
        Assert.Equal(LinkKind.SymbolicLink, Link.Inspect(Path.Combine(scene.State, name)).Kind);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_link_planted_at_a_new_moves_lock_file_is_refused_and_what_it_points_to_is_untouched(bool pointsToAFile)
    {
        using var scene = new MoveScene(acrossVolumes: false);
        using var journal = MoveJournal.Open(scene.State);
        var id = MoveJournal.NewId();
        var planted = Plant(scene, $"move-{id}.lock", pointsToAFile);

        var error = Assert.Throws<StateDatabaseException>(() => journal.LockNew(id));

        Assert.Equal(Path.Combine(scene.State, $"move-{id}.lock"), error.Path);
        Assert.Contains("a symbolic link", error.Reason, StringComparison.Ordinal);
        AssertUntouched(planted, pointsToAFile);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_link_planted_as_an_interrupted_moves_lock_file_is_refused_by_resume_and_not_taken_for_a_pending_move(bool pointsToAFile)
    {
        using var scene = new MoveScene(acrossVolumes: false);
        var lockPath = Path.Combine(scene.State, "move-0123456789abcdef.lock");
        var planted = Plant(scene, Path.GetFileName(lockPath), pointsToAFile);

        Assert.False(Mover.HasInterruptedMoves(scene.State));
        var error = Assert.Throws<StateDatabaseException>(() => Mover.Resume(scene.Options));

        Assert.Equal(lockPath, error.Path);
        Assert.Contains($"a symbolic link to '{planted}' stands where Linksmith keeps its own file", error.Reason, StringComparison.Ordinal);
        AssertUntouched(planted, pointsToAFile);
        Assert.Equal(LinkKind.SymbolicLink, Link.Inspect(lockPath).Kind);
    }

    [Fact]
    public void The_cli_refuses_a_move_when_a_link_stands_at_the_state_database_and_names_it()
    {
        using var scene = new MoveScene(acrossVolumes: false);
        var planted = Plant(scene, "state.db", pointsToAFile: true);

        var result = scene.Cli("move", "app", scene.Away);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"linksmith: error: {Path.Combine(scene.State, "state.db")}: the state database cannot be used (a symbolic link to '{planted}' stands where Linksmith keeps its own file", result.Error, StringComparison.Ordinal);
        AssertUntouched(planted, pointsToAFile: true);
        scene.AssertSettled(moved: false);
    }

    [Fact]
    public void The_journals_own_files_are_regular_files_only_the_user_can_read()
    {
        Platform.SkipOnWindows("no Unix mode bits (0600); the journal's files take the folder's ACL");
        using var scene = new MoveScene(acrossVolumes: false);

        Assert.Equal(MoveState.Done, Mover.Move(scene.Source, scene.Away, options: scene.Options).State);

        var database = Path.Combine(scene.State, "state.db");
        Assert.Equal(LinkKind.File, Link.Inspect(database).Kind);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(database));
        Assert.Single(Mover.List(scene.State));
        scene.AssertSettled(moved: true);
    }

    /// <summary>A link at <paramref name="name"/> in the state folder, to a missing name or to a file with content, outside.</summary>
    private string Plant(MoveScene scene, string name, bool pointsToAFile)
    {
        var target = pointsToAFile ? outside.File("precious.txt", "keep me") : outside["planted"];
        if (pointsToAFile)
        {
            File.SetLastWriteTimeUtc(target, new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc));
        }

        File.CreateSymbolicLink(Path.Combine(scene.State, name), target);
        return target;
    }

    private void AssertUntouched(string planted, bool pointsToAFile)
    {
        if (pointsToAFile)
        {
            Assert.Equal("keep me", File.ReadAllText(planted));
            Assert.Equal(new DateTime(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc), File.GetLastWriteTimeUtc(planted));
            Assert.Equal([planted], Directory.GetFileSystemEntries(outside.Path));
        }
        else
        {
            Assert.Empty(Directory.GetFileSystemEntries(outside.Path));
        }
    }
}
