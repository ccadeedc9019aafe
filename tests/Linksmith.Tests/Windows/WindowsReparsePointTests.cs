namespace Linksmith.Tests.Windows;

/// <summary>
/// Symbolic links, junctions and the OS's list of a file's names through the real kernel32. Each
/// test runs where the system really has what it needs (Windows; CI's Wine with reparse points
/// has all but FindFirstFileNameW), and the tests of Linksmith meeting a stub run where the stub
/// is (Debian's own Wine): see <see cref="WindowsHost"/>.
/// </summary>
[Trait("Platform", "Windows")]
public sealed class WindowsReparsePointTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task A_symlink_that_the_system_claims_but_does_not_create_is_reported_as_not_supported()
    {
        await WindowsHost.RequireStubbedSymbolicLinksAsync();
        var target = temp.File("data.txt");

        var error = Assert.Throws<LinksNotSupportedException>(() => Link.CreateSymbolicLink(temp["link.txt"], target));

        Assert.Equal(temp["link.txt"], error.Path);
        Assert.Equal(LinkKind.Missing, Link.Inspect(temp["link.txt"]).Kind);
    }

    [Fact]
    public async Task A_junction_on_a_file_system_without_reparse_points_is_reported_and_leaves_no_folder()
    {
        await WindowsHost.RequireJunctionsNotSupportedAsync();
        var target = temp.Dir("target");

        var error = Assert.Throws<LinksNotSupportedException>(() => Link.CreateJunction(temp["junction"], target));

        Assert.Contains("junctions", error.Reason, StringComparison.Ordinal);
        Assert.False(Directory.Exists(temp["junction"]));
        Assert.Equal(["target"], Directory.GetFileSystemEntries(temp.Path).Select(entry => Path.GetFileName(entry)));
    }

    [Fact]
    public async Task Without_a_working_FindFirstFileNameW_the_names_are_found_by_walking_the_volume()
    {
        await WindowsHost.RequireNoFindFirstFileNameAsync();

        // On the small test volume: the walk covers the whole volume, and C:\ under Wine is the prefix.
        var otherVolume = await WindowsHost.RequireOtherVolumeAsync();
        var folder = Directory.CreateDirectory(Path.Combine(otherVolume, "linksmith-tests-" + Guid.NewGuid().ToString("N")[..12])).FullName;
        try
        {
            var original = Path.Combine(folder, "data.txt");
            File.WriteAllText(original, "content");
            var second = Path.Combine(folder, "second.txt");
            Link.CreateHardLink(second, original);

            Assert.Throws<LinksNotSupportedException>(() => LinkPlatform.Current.EnumerateNames(original).ToList());
            Assert.Equal([original, second], Link.FindHardLinkNames(original));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_relative_symlink_to_a_file_reads_back_and_leads_to_the_file()
    {
        await WindowsHost.RequireSymbolicLinksAsync();
        var target = temp.File("data.txt", "through the link");

        var info = Link.CreateSymbolicLink(temp["link.txt"], target);

        Assert.Equal(LinkKind.SymbolicLink, info.Kind);
        Assert.Equal("data.txt", info.Target);
        Assert.True(info.IsRelative);
        Assert.False(info.IsDangling);
        Assert.False(info.TargetIsDirectory);
        Assert.Equal(target, info.ResolvedTarget);
        Assert.Equal("data.txt", new FileInfo(temp["link.txt"]).LinkTarget);
        Assert.Equal("through the link", File.ReadAllText(temp["link.txt"]));
    }

    [Fact]
    public async Task An_absolute_symlink_stores_the_full_path_without_the_nt_prefix()
    {
        await WindowsHost.RequireSymbolicLinksAsync();
        var target = temp.File("data.txt");

        var info = Link.CreateSymbolicLink(temp["link.txt"], target, new SymbolicLinkOptions { Style = TargetStyle.Absolute });

        Assert.Equal(target, info.Target);
        Assert.False(info.IsRelative);
    }

    [Fact]
    public async Task A_dangling_symlink_is_reported_as_dangling()
    {
        await WindowsHost.RequireSymbolicLinksAsync();

        var info = Link.CreateSymbolicLink(temp["link.txt"], temp["missing.txt"]);

        Assert.True(info.IsDangling);
        Assert.Equal(LinkKind.SymbolicLink, Link.Inspect(temp["link.txt"]).Kind);
    }

    [Fact]
    public async Task Removing_a_directory_symlink_keeps_the_directory_and_its_contents()
    {
        await WindowsHost.RequireSymbolicLinksAsync();
        var target = temp.Dir("target");
        temp.File("target/inside.txt", "stays");

        var info = Link.CreateSymbolicLink(temp["link"], target);
        Assert.True(info.TargetIsDirectory);
        Link.Remove(temp["link"]);

        Assert.Equal(LinkKind.Missing, Link.Inspect(temp["link"]).Kind);
        Assert.Equal("stays", File.ReadAllText(temp["target/inside.txt"]));
    }

    [Fact]
    public async Task A_symlink_replaces_an_existing_symlink_and_the_old_target_stays()
    {
        await WindowsHost.RequireSymbolicLinksAsync();
        await WindowsHost.RequireLinkRenamesAsync();
        temp.File("first.txt", "first");
        temp.File("second.txt", "second");
        Link.CreateSymbolicLink(temp["link.txt"], temp["first.txt"]);

        var info = Link.CreateSymbolicLink(temp["link.txt"], temp["second.txt"], new SymbolicLinkOptions { ReplaceExisting = true });

        Assert.Equal("second.txt", info.Target);
        Assert.Equal("second", File.ReadAllText(temp["link.txt"]));
        Assert.Equal("first", File.ReadAllText(temp["first.txt"]));
        Assert.Equal(LinkKind.File, Link.Inspect(temp["second.txt"]).Kind);
        Assert.Equal(["first.txt", "link.txt", "second.txt"], VisibleNames());
    }

    [Fact]
    public async Task A_directory_symlink_replaces_a_junction()
    {
        await WindowsHost.RequireSymbolicLinksAsync();
        await WindowsHost.RequireJunctionsAsync();
        await WindowsHost.RequireLinkRenamesAsync();
        var first = temp.Dir("first");
        temp.File("first/inside.txt", "first stays");
        temp.Dir("second");
        Link.CreateJunction(temp["link"], first);

        var info = Link.CreateSymbolicLink(temp["link"], temp["second"], new SymbolicLinkOptions { ReplaceExisting = true });

        Assert.Equal(LinkKind.SymbolicLink, info.Kind);
        Assert.True(info.TargetIsDirectory);
        Assert.Equal("second", info.Target);
        Assert.Equal("first stays", File.ReadAllText(temp["first/inside.txt"]));
        Assert.Equal(LinkKind.Directory, Link.Inspect(temp["second"]).Kind);
    }

    [Fact]
    public async Task A_relative_symlink_climbing_out_of_its_folder_leads_to_the_file()
    {
        await WindowsHost.RequireSymbolicLinksAsync();
        temp.File("data.txt", "up there");
        temp.Dir("sub");

        var info = Link.CreateSymbolicLink(temp["sub/link.txt"], temp["data.txt"]);

        Assert.Equal(@"..\data.txt", info.Target);
        Assert.Equal(temp["data.txt"], info.ResolvedTarget);
        Assert.Equal("up there", File.ReadAllText(temp["sub/link.txt"]));
    }

    [Fact]
    public async Task A_junction_points_to_its_target_and_is_removed_as_a_link()
    {
        await WindowsHost.RequireJunctionsAsync();
        var target = temp.Dir("target");
        temp.File("target/inside.txt", "stays");

        var info = Link.CreateJunction(temp["junction"], target);

        Assert.Equal(LinkKind.Junction, info.Kind);
        Assert.Equal(target, info.Target);
        Assert.False(info.IsRelative);
        Assert.True(info.TargetIsDirectory);
        Assert.Equal("stays", File.ReadAllText(temp["junction/inside.txt"]));

        Link.Remove(temp["junction"]);

        Assert.False(Directory.Exists(temp["junction"]));
        Assert.Equal("stays", File.ReadAllText(temp["target/inside.txt"]));
    }

    [Fact]
    public async Task A_junction_replaces_an_existing_junction()
    {
        await WindowsHost.RequireJunctionsAsync();
        await WindowsHost.RequireLinkRenamesAsync();
        var first = temp.Dir("first");
        var second = temp.Dir("second");
        temp.File("first/inside.txt", "first stays");
        Link.CreateJunction(temp["junction"], first);

        var info = Link.CreateJunction(temp["junction"], second, replaceExisting: true);

        Assert.Equal(second, info.Target);
        Assert.Equal("first stays", File.ReadAllText(temp["first/inside.txt"]));
        Assert.Equal(LinkKind.Directory, Link.Inspect(second).Kind);
    }

    [Fact]
    public async Task A_dangling_junction_is_reported_as_dangling()
    {
        await WindowsHost.RequireJunctionsAsync();
        var target = temp.Dir("target");
        Link.CreateJunction(temp["junction"], target);
        Directory.Delete(target);

        var info = Link.Inspect(temp["junction"]);

        Assert.Equal(LinkKind.Junction, info.Kind);
        Assert.True(info.IsDangling);
    }

    [Fact]
    public async Task The_system_lists_every_name_of_a_file_on_its_volume()
    {
        await WindowsHost.RequireFindFirstFileNameAsync();
        var original = temp.File("data.txt");
        Link.CreateHardLink(temp["second.txt"], original);
        Link.CreateHardLink(temp.Dir("sub") + @"\third.txt", original);

        var names = Link.FindHardLinkNames(original);

        // Compared by identity and name: the temp folder may be spelled in 8.3 form (RUNNER~1).
        Assert.Equal(3, names.Count);
        var identity = Link.Inspect(original).Identity;
        Assert.All(names, name => Assert.Equal(identity, Link.Inspect(name).Identity));
        Assert.Equal(["data.txt", "second.txt", "third.txt"], names.Select(name => Path.GetFileName(name)).Order(StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>
    /// The names in the test folder that Windows shows. Wine keeps each link's data in a hidden
    /// ".REPARSE_POINT" folder beside it, which Windows does not have; hidden entries are left out.
    /// </summary>
    private string[] VisibleNames() =>
        [.. new DirectoryInfo(temp.Path).EnumerateFileSystemInfos()
            .Where(entry => (entry.Attributes & FileAttributes.Hidden) == 0)
            .Select(entry => entry.Name)
            .Order(StringComparer.OrdinalIgnoreCase)];
}
