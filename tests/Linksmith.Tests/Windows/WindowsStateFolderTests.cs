namespace Linksmith.Tests.Windows;

/// <summary>
/// The move journal's state folder on the Windows handle (StateDirectory: the database files made
/// with CreateFile, the lock files taken with TryLock): a move's lock is held against other
/// openings until released, an unheld lock file is an interrupted move, and a symbolic link planted
/// at a lock file's name is refused without anything being created where it points.
/// </summary>
[Trait("Platform", "Windows")]
public sealed class WindowsStateFolderTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task A_new_moves_lock_is_held_until_released_and_an_unheld_lock_file_is_an_interrupted_move()
    {
        await WindowsHost.RequireWindowsAsync();
        var state = temp.Dir("state");
        using var journal = MoveJournal.Open(state);
        var id = MoveJournal.NewId();
        var lockPath = Path.Join(state, $"move-{id}.lock");

        var held = journal.LockNew(id);

        Assert.Equal(LinkKind.File, Link.Inspect(Path.Join(state, "state.db")).Kind);
        Assert.Equal(LinkKind.File, Link.Inspect(lockPath).Kind);
        Assert.Null(journal.TryLock(id));
        Assert.False(MoveJournal.HasInterrupted(state));
        journal.Release(id, held);
        Assert.False(File.Exists(lockPath));

        File.WriteAllBytes(lockPath, []);
        Assert.True(MoveJournal.HasInterrupted(state));
        using var resumed = journal.TryLock(id);
        Assert.NotNull(resumed);
    }

    [Fact]
    public async Task A_symbolic_link_planted_at_a_new_moves_lock_file_is_refused_and_nothing_is_created_where_it_points()
    {
        await WindowsHost.RequireSymbolicLinksAsync();
        var state = temp.Dir("state");
        temp.Dir("outside");
        using var journal = MoveJournal.Open(state);
        var id = MoveJournal.NewId();
        File.CreateSymbolicLink(Path.Join(state, $"move-{id}.lock"), temp["outside/planted"]);

        var error = Assert.Throws<StateDatabaseException>(() => journal.LockNew(id));

        Assert.Equal(Path.Join(state, $"move-{id}.lock"), error.Path);
        Assert.Contains("symbolic link", error.Reason, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp["outside"]));
        Assert.False(MoveJournal.HasInterrupted(state));
    }
}
