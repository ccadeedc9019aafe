namespace Linksmith.Tests.Windows;

/// <summary>
/// The Windows handle's lock files and new files (what the move journal and the state folder keep
/// for themselves): <c>NtCreateFile</c> relative to the folder's HANDLE with
/// <c>FILE_OPEN_REPARSE_POINT</c>, <c>FILE_CREATE</c> / <c>FILE_OPEN</c> / <c>FILE_OPEN_IF</c>,
/// no sharing as the lock, and a symbolic link or junction at the name refused without creating,
/// opening or changing what it points to. The Linux rules are in LockFileOpeningTests.
/// </summary>
[Trait("Platform", "Windows")]
public sealed class WindowsLockFileTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    // Names: LockOpening is internal, and a public test's data must be public.
    public static TheoryData<string> Openings => [nameof(LockOpening.OpenOrCreate), nameof(LockOpening.CreateNew), nameof(LockOpening.OpenExisting)];

    [Fact]
    public async Task A_new_lock_file_is_held_until_disposed_and_another_opening_gets_null_meanwhile()
    {
        await WindowsHost.RequireWindowsAsync();
        using var state = DirectoryHandle.Open(temp.Dir("state"));
        using var other = DirectoryHandle.Open(temp["state"]);

        var held = state.TryLock("x.lock", LockOpening.CreateNew);

        Assert.NotNull(held);
        Assert.Equal(LinkKind.File, Link.Inspect(temp["state/x.lock"]).Kind);
        Assert.Null(other.TryLock("x.lock", LockOpening.OpenExisting));
        Assert.Null(other.TryLock("x.lock", LockOpening.OpenOrCreate));
        Assert.Throws<LinkNameExistsException>(() => other.TryLock("x.lock", LockOpening.CreateNew));
        held.Dispose();
        using var again = other.TryLock("x.lock", LockOpening.OpenExisting);
        Assert.NotNull(again);
    }

    [Fact]
    public async Task A_lock_file_that_is_reopened_is_never_created()
    {
        await WindowsHost.RequireWindowsAsync();
        using var state = DirectoryHandle.Open(temp.Dir("state"));

        Assert.Throws<TargetNotFoundException>(() => state.TryLock("x.lock", LockOpening.OpenExisting));

        Assert.False(Path.Exists(temp["state/x.lock"]));
    }

    [Fact]
    public async Task A_new_lock_file_is_refused_where_a_file_already_has_the_name_and_the_file_is_kept()
    {
        await WindowsHost.RequireWindowsAsync();
        temp.File("state/x.lock", "someone else's");
        using var state = DirectoryHandle.Open(temp["state"]);

        var error = Assert.Throws<LinkNameExistsException>(() => state.TryLock("x.lock", LockOpening.CreateNew));

        Assert.Equal(Path.Join(temp["state"], "x.lock"), error.Path);
        Assert.Equal("someone else's", File.ReadAllText(temp["state/x.lock"]));
    }

    [Theory]
    [MemberData(nameof(Openings))]
    public async Task A_symbolic_link_at_a_lock_files_name_is_refused_and_the_missing_file_it_points_to_is_not_created(string opening)
    {
        await WindowsHost.RequireSymbolicLinksAsync();
        temp.Dir("outside");
        File.CreateSymbolicLink(Path.Join(temp.Dir("state"), "x.lock"), temp["outside/planted"]);
        using var state = DirectoryHandle.Open(temp["state"]);

        var error = Assert.Throws<ReplaceRefusedException>(() => state.TryLock("x.lock", Enum.Parse<LockOpening>(opening)));

        Assert.Equal(Path.Join(temp["state"], "x.lock"), error.Path);
        Assert.Contains("symbolic link", error.Reason, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp["outside"]));
        Assert.Equal(LinkKind.SymbolicLink, Link.Inspect(temp["state/x.lock"]).Kind);
    }

    [Theory]
    [MemberData(nameof(Openings))]
    public async Task A_symbolic_link_at_a_lock_files_name_to_an_existing_file_leaves_that_file_unlocked_and_as_it_was(string opening)
    {
        await WindowsHost.RequireSymbolicLinksAsync();
        var outside = temp.File("outside/precious.txt", "keep me");
        File.CreateSymbolicLink(Path.Join(temp.Dir("state"), "x.lock"), outside);
        using var state = DirectoryHandle.Open(temp["state"]);

        Assert.Throws<ReplaceRefusedException>(() => state.TryLock("x.lock", Enum.Parse<LockOpening>(opening)));

        Assert.Equal("keep me", File.ReadAllText(outside));
        // Not held either: the file can still be opened with no sharing.
        using var stream = new FileStream(outside, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
    }

    [Theory]
    [MemberData(nameof(Openings))]
    public async Task A_junction_at_a_lock_files_name_is_refused_and_nothing_is_created_in_its_target(string opening)
    {
        await WindowsHost.RequireJunctionsAsync();
        temp.Dir("outside");
        temp.Dir("state");
        using (var made = (WindowsDirectoryHandle)DirectoryHandle.Open(temp["state"]))
        {
            made.Junction("x.lock", temp["outside"]);
        }

        using var state = DirectoryHandle.Open(temp["state"]);

        var error = Assert.Throws<ReplaceRefusedException>(() => state.TryLock("x.lock", Enum.Parse<LockOpening>(opening)));

        Assert.Equal(Path.Join(temp["state"], "x.lock"), error.Path);
        Assert.Contains("junction", error.Reason, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp["outside"]));
    }

    [Fact]
    public async Task A_new_file_is_empty_and_a_second_one_at_the_name_is_refused()
    {
        await WindowsHost.RequireWindowsAsync();
        using var state = DirectoryHandle.Open(temp.Dir("state"));

        state.CreateFile("state.db");

        Assert.Empty(File.ReadAllBytes(temp["state/state.db"]));
        var error = Assert.Throws<LinkNameExistsException>(() => state.CreateFile("state.db"));
        Assert.Equal(LinkKind.File, error.ExistingKind);
    }

    [Fact]
    public async Task A_new_file_is_refused_where_a_dangling_symbolic_link_has_the_name_and_nothing_is_created_where_it_points()
    {
        await WindowsHost.RequireSymbolicLinksAsync();
        temp.Dir("outside");
        File.CreateSymbolicLink(Path.Join(temp.Dir("state"), "state.db-wal"), temp["outside/planted"]);
        using var state = DirectoryHandle.Open(temp["state"]);

        var error = Assert.Throws<LinkNameExistsException>(() => state.CreateFile("state.db-wal"));

        Assert.Equal(LinkKind.SymbolicLink, error.ExistingKind);
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp["outside"]));
    }

    [Fact]
    public async Task A_new_file_is_refused_where_a_junction_has_the_name_and_nothing_is_created_in_its_target()
    {
        await WindowsHost.RequireJunctionsAsync();
        temp.Dir("outside");
        using var state = (WindowsDirectoryHandle)DirectoryHandle.Open(temp.Dir("state"));
        state.Junction("state.db", temp["outside"]);

        var error = Assert.Throws<LinkNameExistsException>(() => state.CreateFile("state.db"));

        Assert.Equal(LinkKind.Junction, error.ExistingKind);
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp["outside"]));
    }
}
