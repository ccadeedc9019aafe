namespace Linksmith.Tests.Windows;

/// <summary>
/// Hard links through the real kernel32 (CreateHardLinkW and friends), on Windows or under Wine,
/// which implements them faithfully on the Linux file system underneath.
/// </summary>
[Trait("Platform", "Windows")]
public sealed class WindowsHardLinkTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task A_hard_link_is_the_same_file_under_a_second_and_a_third_name()
    {
        await WindowsHost.RequireWindowsAsync();
        var original = temp.File("data.txt", "hello");

        var second = Link.CreateHardLink(temp["second.txt"], original);

        Assert.Equal(LinkKind.File, second.Kind);
        Assert.Equal(2, second.LinkCount);
        Assert.True(second.IsHardLinked);
        Assert.Equal(Link.Inspect(original).Identity, second.Identity);

        var third = Link.CreateHardLink(temp["third.txt"], original);

        Assert.Equal(3, third.LinkCount);
        Assert.Equal(3, Link.Inspect(original).LinkCount);
        Assert.Equal(second.Identity, third.Identity);
        File.AppendAllText(third.Path, " world");
        Assert.Equal("hello world", File.ReadAllText(original));
    }

    [Fact]
    public async Task Two_separate_files_have_different_identities_and_one_name_each()
    {
        await WindowsHost.RequireWindowsAsync();
        var first = Link.Inspect(temp.File("a.txt", "same"));
        var second = Link.Inspect(temp.File("b.txt", "same"));

        Assert.NotEqual(first.Identity, second.Identity);
        Assert.Equal(1, first.LinkCount);
        Assert.Equal(first.Identity!.Value.Volume, second.Identity!.Value.Volume);
        Assert.NotEqual(UInt128.Zero, first.Identity.Value.FileId);
    }

    [Fact]
    public async Task Inspect_tells_a_file_a_directory_and_a_missing_path_apart()
    {
        await WindowsHost.RequireWindowsAsync();
        var file = Link.Inspect(temp.File("data.txt", "12345"));
        var directory = Link.Inspect(temp.Dir("folder"));
        var missing = Link.Inspect(temp["nothing-here"]);
        var underMissing = Link.Inspect(temp["no/such/folder/file"]);

        Assert.Equal(LinkKind.File, file.Kind);
        Assert.Equal(5, file.Size);
        Assert.Equal(LinkKind.Directory, directory.Kind);
        Assert.True(directory.TargetIsDirectory);
        Assert.Equal(LinkKind.Missing, missing.Kind);
        Assert.Null(missing.Identity);
        Assert.Equal(LinkKind.Missing, underMissing.Kind);
    }

    [Fact]
    public async Task Removing_one_name_of_a_hard_linked_file_keeps_the_data_under_the_other()
    {
        await WindowsHost.RequireWindowsAsync();
        var original = temp.File("data.txt", "keep me");
        var second = Link.CreateHardLink(temp["second.txt"], original).Path;

        Link.Remove(second);

        Assert.False(File.Exists(second));
        Assert.Equal(1, Link.Inspect(original).LinkCount);
        Assert.Equal("keep me", File.ReadAllText(original));
    }

    [Fact]
    public async Task The_last_name_of_a_file_is_not_removed_as_a_link()
    {
        await WindowsHost.RequireWindowsAsync();
        var only = temp.File("data.txt", "real data");

        var error = Assert.Throws<NotALinkException>(() => Link.Remove(only));

        Assert.Equal(LinkKind.File, error.Kind);
        Assert.Equal("real data", File.ReadAllText(only));
    }

    [Fact]
    public async Task Removing_a_read_only_name_leaves_the_other_names_read_only()
    {
        await WindowsHost.RequireWindowsAsync();
        var original = temp.File("data.txt", "protected");
        var second = Link.CreateHardLink(temp["second.txt"], original).Path;
        File.SetAttributes(original, FileAttributes.ReadOnly);
        try
        {
            Link.Remove(second);

            Assert.False(File.Exists(second));
            Assert.True(File.GetAttributes(original).HasFlag(FileAttributes.ReadOnly));
            Assert.Equal(1, Link.Inspect(original).LinkCount);
        }
        finally
        {
            File.SetAttributes(original, FileAttributes.Normal);
        }
    }

    [Fact]
    public async Task A_file_replaced_by_a_hard_link_is_swapped_in_one_rename()
    {
        await WindowsHost.RequireWindowsAsync();
        var original = temp.File("data.txt", "new");
        var old = temp.File("old.txt", "old");

        var info = Link.CreateHardLink(old, original, replaceExisting: true);

        Assert.Equal(Link.Inspect(original).Identity, info.Identity);
        Assert.Equal(2, info.LinkCount);
        Assert.Equal("new", File.ReadAllText(old));
        Assert.Equal(["data.txt", "old.txt"], Directory.GetFileSystemEntries(temp.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_read_only_file_with_a_single_name_can_be_replaced()
    {
        await WindowsHost.RequireWindowsAsync();
        var original = temp.File("data.txt", "new");
        var old = temp.File("old.txt", "old");
        File.SetAttributes(old, FileAttributes.ReadOnly);

        var info = Link.CreateHardLink(old, original, replaceExisting: true);

        Assert.Equal(Link.Inspect(original).Identity, info.Identity);
        Assert.Equal("new", File.ReadAllText(old));
    }

    [Fact]
    public async Task An_empty_directory_replaced_by_a_hard_link_is_removed_first()
    {
        await WindowsHost.RequireWindowsAsync();
        var original = temp.File("data.txt", "new");
        var emptyFolder = temp.Dir("old");

        var info = Link.CreateHardLink(emptyFolder, original, replaceExisting: true);

        Assert.Equal(LinkKind.File, info.Kind);
        Assert.Equal(Link.Inspect(original).Identity, info.Identity);
    }

    [Fact]
    public async Task A_non_empty_directory_is_never_replaced()
    {
        await WindowsHost.RequireWindowsAsync();
        var original = temp.File("data.txt");
        var folder = temp.Dir("old");
        temp.File("old/inside.txt", "stays");

        Assert.Throws<ReplaceRefusedException>(() => Link.CreateHardLink(folder, original, replaceExisting: true));

        Assert.Equal("stays", File.ReadAllText(temp["old/inside.txt"]));
    }

    [Fact]
    public async Task A_taken_name_is_reported_with_what_is_there()
    {
        await WindowsHost.RequireWindowsAsync();
        var original = temp.File("data.txt");
        var taken = temp.File("taken.txt", "mine");

        var planned = Assert.Throws<LinkNameExistsException>(() => Link.CreateHardLink(taken, original));
        Assert.Equal(LinkKind.File, planned.ExistingKind);

        // The same refusal straight from CreateHardLinkW (ERROR_ALREADY_EXISTS), as when the
        // name appears between the plan and the call.
        var native = Assert.Throws<LinkNameExistsException>(() => LinkPlatform.Current.CreateHardLink(taken, original));
        Assert.Equal(LinkKind.File, native.ExistingKind);
        Assert.Equal("mine", File.ReadAllText(taken));
    }

    [Fact]
    public async Task A_missing_file_is_reported_by_its_name()
    {
        await WindowsHost.RequireWindowsAsync();
        var missing = temp["missing.txt"];

        var planned = Assert.Throws<TargetNotFoundException>(() => Link.CreateHardLink(temp["link.txt"], missing));
        Assert.Equal(missing, planned.Path);

        // ERROR_FILE_NOT_FOUND from CreateHardLinkW itself.
        var native = Assert.Throws<TargetNotFoundException>(() => LinkPlatform.Current.CreateHardLink(temp["link.txt"], missing));
        Assert.Equal(missing, native.Path);
        Assert.Equal(temp["link.txt"], native.LinkPath);
        Assert.False(File.Exists(temp["link.txt"]));
    }

    [Fact]
    public async Task A_link_in_a_missing_folder_is_reported_as_missing()
    {
        await WindowsHost.RequireWindowsAsync();
        var original = temp.File("data.txt");

        Assert.Throws<TargetNotFoundException>(() => Link.CreateHardLink(temp["no/such/link.txt"], original));

        // ERROR_PATH_NOT_FOUND from CreateHardLinkW itself.
        Assert.Throws<TargetNotFoundException>(() => LinkPlatform.Current.CreateHardLink(temp["no/such/link.txt"], original));
    }

    [Fact]
    public async Task A_hard_link_to_a_directory_is_refused()
    {
        await WindowsHost.RequireWindowsAsync();
        var folder = temp.Dir("folder");

        Assert.Throws<LinksNotSupportedException>(() => Link.CreateHardLink(temp["link"], folder));

        // CreateHardLinkW answers ERROR_ACCESS_DENIED for a directory.
        Assert.Throws<LinkAccessDeniedException>(() => LinkPlatform.Current.CreateHardLink(temp["link"], folder));
    }

    [Fact]
    public async Task A_hard_link_to_another_volume_is_refused_as_cross_volume()
    {
        var otherVolume = await WindowsHost.RequireOtherVolumeAsync();
        var original = temp.File("data.txt");
        var folder = Path.Combine(otherVolume, "linksmith-tests-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        try
        {
            var link = Path.Combine(folder, "link.txt");

            var planned = Assert.Throws<CrossVolumeHardLinkException>(() => Link.CreateHardLink(link, original));
            Assert.Equal(original, planned.TargetPath);

            // ERROR_NOT_SAME_DEVICE from CreateHardLinkW itself, as when the volume check is fooled.
            Assert.Throws<CrossVolumeHardLinkException>(() => LinkPlatform.Current.CreateHardLink(link, original));
            Assert.False(File.Exists(link));
            Assert.False(LinkPlatform.Current.SameVolumeByPath(temp.Path, link));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_hard_link_deeper_than_MAX_PATH_is_created_inspected_and_removed()
    {
        await WindowsHost.RequireWindowsAsync();
        var original = temp.File("data.txt", "deep");
        var deep = temp.Path;
        while (deep.Length < 300)
        {
            deep = Path.Combine(deep, "a-folder-with-a-rather-long-name");
        }

        Directory.CreateDirectory(deep);
        var link = Path.Combine(deep, "link.txt");

        var info = Link.CreateHardLink(link, original);

        Assert.True(link.Length > 300);
        Assert.Equal(2, info.LinkCount);
        Assert.Equal(Link.Inspect(original).Identity, Link.Inspect(link).Identity);
        Link.Remove(link);
        Assert.Equal(LinkKind.Missing, Link.Inspect(link).Kind);
        Assert.Equal(1, Link.Inspect(original).LinkCount);
    }

    [Fact]
    public async Task The_names_of_a_file_are_found_within_a_folder()
    {
        await WindowsHost.RequireWindowsAsync();
        var original = temp.File("data.txt");
        Link.CreateHardLink(temp["second.txt"], original);
        Link.CreateHardLink(temp.Dir("sub") + @"\third.txt", original);
        temp.File("unrelated.txt");

        var names = Link.FindHardLinkNames(original, temp.Path);

        Assert.Equal([original, temp["second.txt"], temp["sub\\third.txt"]], names.Order(StringComparer.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_volume_root_and_a_canonical_folder_come_without_the_long_path_prefix()
    {
        await WindowsHost.RequireWindowsAsync();
        var file = temp.File("data.txt");

        var root = Link.GetSearchRoot(file);
        var canonical = LinkPlatform.Current.CanonicalizeDirectory(temp.Path);

        Assert.Equal(Path.GetPathRoot(file), root, ignoreCase: true);
        Assert.DoesNotContain(@"\\?\", canonical, StringComparison.Ordinal);
        Assert.Equal(Link.Inspect(temp.Path).Identity, Link.Inspect(canonical).Identity);
        Assert.True(LinkPlatform.Current.SameVolumeByPath(temp.Path, temp["not/yet/there"]));
    }

    [Fact]
    public async Task Absolute_target_text_follows_the_rules_of_System_IO_on_Windows()
    {
        await WindowsHost.RequireWindowsAsync();
        string[] texts = [@"C:\", @"C:\dir", "C:/dir", @"\\server\share", @"\\?\C:\dir", @"\??\C:\dir", "C:dir", @"\dir", @"..\dir", "dir"];

        foreach (var text in texts)
        {
            Assert.Equal(Path.IsPathFullyQualified(text), LinkPlatform.Current.IsAbsoluteTargetText(text));
        }
    }
}
