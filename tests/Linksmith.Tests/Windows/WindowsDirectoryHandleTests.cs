namespace Linksmith.Tests.Windows;

/// <summary>
/// The handle-relative Windows layer through the real ntdll and kernel32 (Windows, or Wine with
/// reparse points under .ci/wine-tests.sh). Where the system refuses FileDispositionInfoEx or
/// FileRenameInformationEx, the fallback runs and the test that checks the route says so.
/// </summary>
[Trait("Platform", "Windows")]
public sealed class WindowsDirectoryHandleTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task A_windows_directory_is_opened_as_a_race_free_handle()
    {
        await WindowsHost.RequireWindowsAsync();
        using var root = DirectoryHandle.Open(temp.Path);

        Assert.IsType<WindowsDirectoryHandle>(root);
        Assert.True(root.IsRaceFree);
    }

    [Fact]
    public async Task Folders_and_files_are_created_listed_and_copied_relative_to_the_handle()
    {
        await WindowsHost.RequireWindowsAsync();
        temp.File("src/data.txt", "bytes to copy");
        using var root = DirectoryHandle.Open(temp.Path);

        root.CreateDirectory("made");
        root.CreateDirectory("made\\inner");
        root.CreateDirectory("made/inner");
        var copied = root.CopyFile("made/inner/copy.txt", root, "src/data.txt", root.Stat("src/data.txt")!.Value);

        Assert.Equal(13, copied);
        Assert.Equal("bytes to copy", File.ReadAllText(temp["made/inner/copy.txt"]));
        Assert.Equal(["made", "src"], root.ListNames(string.Empty).Order(StringComparer.Ordinal));
        Assert.Equal(["copy.txt"], root.ListNames("made/inner"));
        var status = root.Stat("made/inner/copy.txt")!.Value;
        Assert.Equal(LinkKind.File, status.Kind);
        Assert.Equal(13, status.Size);
        Assert.Null(root.Stat("made/missing.txt"));
    }

    [Fact]
    public async Task A_rename_replaces_the_file_at_the_new_name_in_one_step()
    {
        await WindowsHost.RequireWindowsAsync();
        temp.File("a/new.txt", "new");
        temp.File("b/old.txt", "old");
        using var root = DirectoryHandle.Open(temp.Path);

        root.Rename("a/new.txt", "b/old.txt", replace: true);

        Assert.False(File.Exists(temp["a/new.txt"]));
        Assert.Equal("new", File.ReadAllText(temp["b/old.txt"]));
        temp.File("a/again.txt", "again");
        Assert.Throws<LinkNameExistsException>(() => root.Rename("a/again.txt", "b/old.txt", replace: false));
        Assert.Equal("new", File.ReadAllText(temp["b/old.txt"]));
    }

    [Fact]
    public async Task A_rename_to_another_handle_moves_the_entry_there_and_never_lands_on_a_taken_name()
    {
        await WindowsHost.RequireWindowsAsync();
        temp.File("a/file.txt", "moved");
        temp.File("a/dir/inner.txt", "inner");
        temp.File("b/taken.txt", "someone else's");
        using var from = DirectoryHandle.Open(temp["a"]);
        using var to = DirectoryHandle.Open(temp["b"]);

        from.RenameTo("file.txt", to, "file.txt", replace: false);
        from.RenameTo("dir", to, "dir", replace: false);
        temp.File("a/again.txt", "again");
        var error = Assert.Throws<LinkNameExistsException>(() => from.RenameTo("again.txt", to, "taken.txt", replace: false));

        Assert.Equal(Path.Join(temp["b"], "taken.txt"), error.Path);
        Assert.Equal("moved", File.ReadAllText(temp["b/file.txt"]));
        Assert.Equal("inner", File.ReadAllText(temp["b/dir/inner.txt"]));
        Assert.Equal("someone else's", File.ReadAllText(temp["b/taken.txt"]));
        Assert.Equal(["again.txt"], from.ListNames(string.Empty));
    }

    [Fact]
    public async Task A_hard_link_is_made_relative_to_the_new_parents_handle()
    {
        await WindowsHost.RequireWindowsAsync();
        temp.File("a/file.txt", "shared");
        temp.Dir("b");
        using var root = DirectoryHandle.Open(temp.Path);

        root.HardLink("b/second.txt", root, "a/file.txt");

        Assert.Equal(root.Stat("a/file.txt")!.Value.Identity, root.Stat("b/second.txt")!.Value.Identity);
        Assert.Equal(2, root.Stat("b/second.txt")!.Value.LinkCount);
    }

    [Fact]
    public async Task A_read_only_file_is_deleted_through_its_handle()
    {
        await WindowsHost.RequireWindowsAsync();
        var file = temp.File("ro.txt");
        File.SetAttributes(file, FileAttributes.ReadOnly);
        using var root = DirectoryHandle.Open(temp.Path);

        root.Remove("ro.txt", LinkKind.File);

        Assert.False(File.Exists(file));
    }

    [Fact]
    public async Task Delete_uses_FileDispositionInfoEx_or_says_which_fallback_ran()
    {
        await WindowsHost.RequireWindowsAsync();
        temp.File("gone.txt");
        using var root = DirectoryHandle.Open(temp.Path);

        root.Remove("gone.txt", LinkKind.File);

        Assert.False(File.Exists(temp["gone.txt"]));
        if (WindowsDirectoryHandle.DeleteFallback is { } fallback)
        {
            Assert.Skip($"the delete ran and passed through the fallback: {fallback}");
        }
    }

    [Fact]
    public async Task Rename_uses_FileRenameInformationEx_or_says_which_fallback_ran()
    {
        await WindowsHost.RequireWindowsAsync();
        temp.File("from.txt", "moved");
        using var root = DirectoryHandle.Open(temp.Path);

        root.Rename("from.txt", "to.txt", replace: false);

        Assert.Equal("moved", File.ReadAllText(temp["to.txt"]));
        if (WindowsDirectoryHandle.RenameFallback is { } fallback)
        {
            Assert.Skip($"the rename ran and passed through the fallback: {fallback}");
        }
    }

    [Fact]
    public async Task A_junction_is_deleted_as_a_link_and_its_target_keeps_its_files()
    {
        await WindowsHost.RequireJunctionsAsync();
        temp.File("target/keep.txt", "kept");
        using var root = (WindowsDirectoryHandle)DirectoryHandle.Open(temp.Path);
        root.CreateDirectory("tree");
        root.Junction("tree/junction", temp["target"]);

        Assert.Equal(LinkKind.Junction, root.Stat("tree/junction")!.Value.Kind);
        Assert.Equal(temp["target"], root.ReadLink("tree/junction"));
        var tally = root.DeleteTree("tree/junction", onError: null);

        Assert.Equal(1, tally.Entries);
        Assert.Null(root.Stat("tree/junction"));
        Assert.Equal("kept", File.ReadAllText(temp["target/keep.txt"]));
    }

    [Fact]
    public async Task A_folder_holding_a_junction_is_deleted_without_entering_the_junction()
    {
        await WindowsHost.RequireJunctionsAsync();
        temp.File("target/keep.txt", "kept");
        temp.File("tree/own.txt", "own");
        using var root = (WindowsDirectoryHandle)DirectoryHandle.Open(temp.Path);
        root.Junction("tree/junction", temp["target"]);
        if (WindowsHost.IsWine && root.ListNames("tree").Contains(".REPARSE_POINT"))
        {
            // Measured under CI's Wine 10 with wine-staging's reparse points: NtQueryDirectoryFile
            // lists it, and NtCreateFile of its innermost entry ('0', a Unix symlink to the
            // target) fails with STATUS_INVALID_PARAMETER, so the delete reports error 87 there.
            Assert.Skip(
                "Wine (staging reparse points) keeps a junction's data in a hidden '.REPARSE_POINT' folder beside it, "
                + "whose innermost entry cannot be opened (error 87); NTFS keeps reparse data in the file's own record "
                + "and lists no such entry. Deleting the junction itself runs here (the test above).");
        }

        var tally = root.DeleteTree("tree", onError: null);

        Assert.Equal(3, tally.Entries);
        Assert.False(Directory.Exists(temp["tree"]));
        Assert.Equal("kept", File.ReadAllText(temp["target/keep.txt"]));
    }

    [Fact]
    public async Task A_junction_swapped_in_place_of_a_folder_is_refused_and_nothing_behind_it_is_touched()
    {
        await WindowsHost.RequireJunctionsAsync();
        temp.File("tree/sub/file.txt", "inside");
        temp.File("outside/file.txt", "outside");
        using var root = (WindowsDirectoryHandle)DirectoryHandle.Open(temp["tree"]);
        Directory.Move(temp["tree/sub"], temp["tree/old"]);
        root.Junction("sub", temp["outside"]);

        Assert.Throws<TreeChangedException>(() => root.Remove("sub/file.txt", LinkKind.File));
        Assert.Throws<TreeChangedException>(() => root.CreateDirectory("sub/new"));
        Assert.Throws<TreeChangedException>(() => root.ListNames("sub"));
        Assert.Throws<TreeChangedException>(() => root.Remove("sub", LinkKind.Directory));

        Assert.Equal("outside", File.ReadAllText(temp["outside/file.txt"]));
        Assert.False(Directory.Exists(temp["outside/new"]));
    }
}
