namespace Linksmith.Tests.Library;

public sealed class RemovingLinksTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Removing_a_directory_symlink_keeps_the_directory_and_its_contents()
    {
        temp.File("dir/keep.txt");
        Link.CreateSymbolicLink(temp["link"], temp["dir"]);

        Link.Remove(temp["link"]);

        Assert.Equal(LinkKind.Missing, Link.Inspect(temp["link"]).Kind);
        Assert.True(File.Exists(temp["dir/keep.txt"]));
    }

    [Fact]
    public void Removing_a_dangling_symlink_works()
    {
        Link.CreateSymbolicLink(temp["link"], temp["nowhere"]);

        Link.Remove(temp["link"]);

        Assert.Equal(LinkKind.Missing, Link.Inspect(temp["link"]).Kind);
    }

    [Fact]
    public void Removing_one_name_of_a_hard_linked_file_keeps_the_data_under_the_other()
    {
        temp.File("data.txt", "precious");
        Link.CreateHardLink(temp["second"], temp["data.txt"]);

        Link.Remove(temp["data.txt"]);

        Assert.Equal("precious", File.ReadAllText(temp["second"]));
        Assert.Equal(1, Link.Inspect(temp["second"]).LinkCount);
    }

    [Fact]
    public void A_file_with_a_single_name_is_refused()
    {
        temp.File("data.txt", "precious");

        var error = Assert.Throws<NotALinkException>(() => Link.Remove(temp["data.txt"]));

        Assert.Equal(LinkKind.File, error.Kind);
        Assert.Equal("precious", File.ReadAllText(temp["data.txt"]));
    }

    [Fact]
    public void A_real_directory_is_refused()
    {
        temp.File("dir/keep.txt");

        Assert.Throws<NotALinkException>(() => Link.Remove(temp["dir"]));
        Assert.True(File.Exists(temp["dir/keep.txt"]));
    }
}
