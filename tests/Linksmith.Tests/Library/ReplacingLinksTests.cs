namespace Linksmith.Tests.Library;

public sealed class ReplacingLinksTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void An_existing_name_is_refused_without_replace_and_left_untouched()
    {
        temp.File("data.txt");
        temp.File("taken", "keep me");

        var error = Assert.Throws<LinkNameExistsException>(() => Link.CreateSymbolicLink(temp["taken"], temp["data.txt"]));

        Assert.Equal(LinkKind.File, error.ExistingKind);
        Assert.Equal("keep me", File.ReadAllText(temp["taken"]));
    }

    [Fact]
    public void Replacing_a_file_with_a_symlink_leaves_no_temporary_names_behind()
    {
        temp.File("data.txt", "new");
        temp.File("taken", "old");

        var info = Link.CreateSymbolicLink(temp["taken"], temp["data.txt"], new SymbolicLinkOptions { ReplaceExisting = true });

        Assert.Equal(LinkKind.SymbolicLink, info.Kind);
        Assert.Equal("new", File.ReadAllText(temp["taken"]));
        Assert.Equal(["data.txt", "taken"], TempDirectory.Names(temp.Path).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Replacing_a_symlink_to_a_directory_replaces_the_link_not_the_directory()
    {
        temp.File("dir/keep.txt");
        temp.File("data.txt");
        Link.CreateSymbolicLink(temp["link"], temp["dir"]);

        Link.CreateHardLink(temp["link"], temp["data.txt"], replaceExisting: true);

        Assert.True(File.Exists(temp["dir/keep.txt"]));
        Assert.Equal(2, Link.Inspect(temp["link"]).LinkCount);
    }

    [Fact]
    public void Replacing_a_non_empty_directory_is_refused_and_its_contents_stay()
    {
        temp.File("dir/keep.txt");
        temp.File("data.txt");

        Assert.Throws<ReplaceRefusedException>(() => Link.CreateSymbolicLink(temp["dir"], temp["data.txt"], new SymbolicLinkOptions { ReplaceExisting = true }));

        Assert.Equal(LinkKind.Directory, Link.Inspect(temp["dir"]).Kind);
        Assert.True(File.Exists(temp["dir/keep.txt"]));
    }

    [Fact]
    public void Replacing_an_empty_directory_is_allowed()
    {
        temp.Dir("empty");
        temp.File("data.txt");

        var info = Link.CreateSymbolicLink(temp["empty"], temp["data.txt"], new SymbolicLinkOptions { ReplaceExisting = true });

        Assert.Equal(LinkKind.SymbolicLink, info.Kind);
    }

    [Fact]
    public void Replacing_a_name_by_a_hard_link_to_itself_is_refused()
    {
        temp.File("data.txt");
        Link.CreateHardLink(temp["second"], temp["data.txt"]);

        Assert.Throws<LinkNameExistsException>(() => Link.CreateHardLink(temp["second"], temp["data.txt"], replaceExisting: true));
        Assert.Equal(2, Link.Inspect(temp["data.txt"]).LinkCount);
    }
}
