using System.Runtime.InteropServices;

namespace Linksmith.Tests.Library;

/// <summary>
/// The layer's new-file and reopen-file rules for the files Linksmith keeps for itself (lock files,
/// the state database's companions): a new file is made with O_CREAT | O_EXCL | O_NOFOLLOW (on
/// Windows NtCreateFile with FILE_CREATE and FILE_OPEN_REPARSE_POINT), an existing one reopened
/// without following a link, and a link at the name is refused without creating, opening or
/// changing what it points to. Junctions at the name are in WindowsLockFileTests.
/// </summary>
public sealed class LockFileOpeningTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    // Names: LockOpening is internal, and a public test's data must be public.
    public static TheoryData<string> Openings => [nameof(LockOpening.OpenOrCreate), nameof(LockOpening.CreateNew), nameof(LockOpening.OpenExisting)];

    [Fact]
    public void A_released_lock_is_free_at_once_even_while_a_copy_of_its_descriptor_lives_on()
    {
        Platform.SkipOnWindows("the lock is the open HANDLE's refusal to share, which every duplicate of it holds; Linksmith opens it without OBJ_INHERIT, so no child process gets one, and there is no /proc/self/fd to dup");
        using var state = DirectoryHandle.Open(temp.Dir("state"));
        var held = state.TryLock("x.lock");
        Assert.NotNull(held);
        // What a child process forked by another thread holds until its exec closes it.
        var copy = dup(Directory.EnumerateFileSystemEntries("/proc/self/fd")
            .Where(fd => new FileInfo(fd).LinkTarget == temp["state/x.lock"])
            .Select(fd => int.Parse(Path.GetFileName(fd), System.Globalization.CultureInfo.InvariantCulture))
            .Single());
        try
        {
            held.Dispose();

            using var again = state.TryLock("x.lock");

            Assert.NotNull(again);
        }
        finally
        {
            _ = close(copy);
        }
    }

    [Theory]
    [MemberData(nameof(Openings))]
    public void A_link_at_a_lock_files_name_is_refused_and_the_missing_file_it_points_to_is_not_created(string opening)
    {
        File.CreateSymbolicLink(Path.Combine(temp.Dir("state"), "x.lock"), temp["outside/planted"]);
        temp.Dir("outside");
        using var state = DirectoryHandle.Open(temp["state"]);

        var error = Assert.Throws<ReplaceRefusedException>(() => state.TryLock("x.lock", Enum.Parse<LockOpening>(opening)));

        Assert.Equal(temp["state/x.lock"], error.Path);
        Assert.Contains("symbolic link", error.Reason, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp["outside"]));
        Assert.Equal(LinkKind.SymbolicLink, Link.Inspect(temp["state/x.lock"]).Kind);
    }

    [Theory]
    [MemberData(nameof(Openings))]
    public void A_link_at_a_lock_files_name_to_an_existing_file_leaves_that_file_as_it_was(string opening)
    {
        var outside = temp.File("outside/precious.txt", "keep me");
        var before = File.GetLastWriteTimeUtc(outside);
        File.CreateSymbolicLink(Path.Combine(temp.Dir("state"), "x.lock"), outside);
        using var state = DirectoryHandle.Open(temp["state"]);

        Assert.Throws<ReplaceRefusedException>(() => state.TryLock("x.lock", Enum.Parse<LockOpening>(opening)));

        Assert.Equal("keep me", File.ReadAllText(outside));
        Assert.Equal(before, File.GetLastWriteTimeUtc(outside));
        // Not locked either: another process can still take an exclusive lock on it.
        using var stream = new FileStream(outside, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
    }

    [Fact]
    public void A_new_lock_file_is_refused_where_a_file_already_has_the_name()
    {
        temp.File("state/x.lock", "someone else's");
        using var state = DirectoryHandle.Open(temp["state"]);

        var error = Assert.Throws<LinkNameExistsException>(() => state.TryLock("x.lock", LockOpening.CreateNew));

        Assert.Equal(temp["state/x.lock"], error.Path);
        Assert.Equal("someone else's", File.ReadAllText(temp["state/x.lock"]));
    }

    [Fact]
    public void A_lock_file_that_is_reopened_is_never_created()
    {
        using var state = DirectoryHandle.Open(temp.Dir("state"));

        Assert.Throws<TargetNotFoundException>(() => state.TryLock("x.lock", LockOpening.OpenExisting));

        Assert.False(Path.Exists(temp["state/x.lock"]));
    }

    [Fact]
    public void A_new_lock_file_is_a_regular_file_only_its_owner_can_read_and_it_is_held()
    {
        using var state = DirectoryHandle.Open(temp.Dir("state"));

        using var held = state.TryLock("x.lock", LockOpening.CreateNew);

        Assert.NotNull(held);
        Assert.Equal(LinkKind.File, Link.Inspect(temp["state/x.lock"]).Kind);
        if (!OperatingSystem.IsWindows())
        {
            // Windows has no mode bits: the file takes the folder's ACL.
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(temp["state/x.lock"]));
        }

        using var other = DirectoryHandle.Open(temp["state"]);
        Assert.Null(other.TryLock("x.lock", LockOpening.OpenExisting));
    }

    [Fact]
    public void A_new_file_is_refused_where_a_link_has_the_name_and_nothing_is_created_where_it_points()
    {
        temp.Dir("outside");
        File.CreateSymbolicLink(Path.Combine(temp.Dir("state"), "state.db-wal"), temp["outside/planted"]);
        using var state = DirectoryHandle.Open(temp["state"]);

        var error = Assert.Throws<LinkNameExistsException>(() => state.CreateFile("state.db-wal"));

        Assert.Equal(LinkKind.SymbolicLink, error.ExistingKind);
        Assert.Empty(Directory.EnumerateFileSystemEntries(temp["outside"]));
    }

    [Fact]
    public void A_new_file_is_empty_and_only_its_owner_can_read_it()
    {
        using var state = DirectoryHandle.Open(temp.Dir("state"));

        state.CreateFile("state.db");

        Assert.Empty(File.ReadAllBytes(temp["state/state.db"]));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(temp["state/state.db"]));
        }

        Assert.Throws<LinkNameExistsException>(() => state.CreateFile("state.db"));
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int dup(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);
}
