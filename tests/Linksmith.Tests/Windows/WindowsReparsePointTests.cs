namespace Linksmith.Tests.Windows;

/// <summary>
/// Symbolic links, junctions and the OS's list of a file's names through the real kernel32. Wine 8
/// implements none of them, so under Wine the real tests skip and the Wine-only ones check that
/// Linksmith reports the gap instead of trusting a call that did nothing.
/// </summary>
[Trait("Platform", "Windows")]
public sealed class WindowsReparsePointTests : IDisposable
{
    private const string SymbolicLinks = "symbolic links (CreateSymbolicLinkW is a stub that creates nothing)";
    private const string Junctions = "junctions (FSCTL_SET_REPARSE_POINT fails with ERROR_NOT_SUPPORTED)";
    private const string FileNames = "FindFirstFileNameW (not exported)";

    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task A_symlink_that_the_system_claims_but_does_not_create_is_reported_as_not_supported()
    {
        await WindowsHost.RequireWineAsync();
        var target = temp.File("data.txt");

        var error = Assert.Throws<LinksNotSupportedException>(() => Link.CreateSymbolicLink(temp["link.txt"], target));

        Assert.Equal(temp["link.txt"], error.Path);
        Assert.Equal(LinkKind.Missing, Link.Inspect(temp["link.txt"]).Kind);
    }

    [Fact]
    public async Task A_junction_on_a_file_system_without_reparse_points_is_reported_and_leaves_no_folder()
    {
        await WindowsHost.RequireWineAsync();
        var target = temp.Dir("target");

        var error = Assert.Throws<LinksNotSupportedException>(() => Link.CreateJunction(temp["junction"], target));

        Assert.Contains("junctions", error.Reason, StringComparison.Ordinal);
        Assert.False(Directory.Exists(temp["junction"]));
        Assert.Equal(["target"], Directory.GetFileSystemEntries(temp.Path).Select(entry => Path.GetFileName(entry)));
    }

    [Fact]
    public async Task Without_FindFirstFileNameW_names_are_not_asked_of_the_system()
    {
        await WindowsHost.RequireWineAsync();
        var original = temp.File("data.txt");

        Assert.False(LinkPlatform.Current.CanEnumerateNames);
        Assert.Throws<LinksNotSupportedException>(() => LinkPlatform.Current.EnumerateNames(original).ToList());
    }

    [Fact]
    public async Task A_relative_symlink_to_a_file_reads_back_and_leads_to_the_file()
    {
        await WindowsHost.RequireRealWindowsAsync(SymbolicLinks);
        var target = temp.File("data.txt", "through the link");

        var info = CreateSymbolicLinkOrSkip(temp["link.txt"], target);

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
        await WindowsHost.RequireRealWindowsAsync(SymbolicLinks);
        var target = temp.File("data.txt");

        var info = CreateSymbolicLinkOrSkip(temp["link.txt"], target, new SymbolicLinkOptions { Style = TargetStyle.Absolute });

        Assert.Equal(target, info.Target);
        Assert.False(info.IsRelative);
    }

    [Fact]
    public async Task A_dangling_symlink_is_reported_as_dangling()
    {
        await WindowsHost.RequireRealWindowsAsync(SymbolicLinks);

        var info = CreateSymbolicLinkOrSkip(temp["link.txt"], temp["missing.txt"]);

        Assert.True(info.IsDangling);
        Assert.Equal(LinkKind.SymbolicLink, Link.Inspect(temp["link.txt"]).Kind);
    }

    [Fact]
    public async Task Removing_a_directory_symlink_keeps_the_directory_and_its_contents()
    {
        await WindowsHost.RequireRealWindowsAsync(SymbolicLinks);
        var target = temp.Dir("target");
        temp.File("target/inside.txt", "stays");

        var info = CreateSymbolicLinkOrSkip(temp["link"], target);
        Assert.True(info.TargetIsDirectory);
        Link.Remove(temp["link"]);

        Assert.Equal(LinkKind.Missing, Link.Inspect(temp["link"]).Kind);
        Assert.Equal("stays", File.ReadAllText(temp["target/inside.txt"]));
    }

    [Fact]
    public async Task A_junction_points_to_its_target_and_is_removed_as_a_link()
    {
        await WindowsHost.RequireRealWindowsAsync(Junctions);
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
        await WindowsHost.RequireRealWindowsAsync(Junctions);
        var first = temp.Dir("first");
        var second = temp.Dir("second");
        temp.File("first/inside.txt", "first stays");
        Link.CreateJunction(temp["junction"], first);

        var info = Link.CreateJunction(temp["junction"], second, replaceExisting: true);

        Assert.Equal(second, info.Target);
        Assert.Equal("first stays", File.ReadAllText(temp["first/inside.txt"]));
    }

    [Fact]
    public async Task A_dangling_junction_is_reported_as_dangling()
    {
        await WindowsHost.RequireRealWindowsAsync(Junctions);
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
        await WindowsHost.RequireRealWindowsAsync(FileNames);
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

    private static LinkInfo CreateSymbolicLinkOrSkip(string linkPath, string targetPath, SymbolicLinkOptions? options = null)
    {
        try
        {
            return Link.CreateSymbolicLink(linkPath, targetPath, options);
        }
        catch (SymbolicLinkPrivilegeException)
        {
            Assert.Skip("creating symbolic links needs Developer Mode or an elevated process here");
            throw;
        }
    }
}
