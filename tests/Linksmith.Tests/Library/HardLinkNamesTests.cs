namespace Linksmith.Tests.Library;

public sealed class HardLinkNamesTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Every_name_of_a_file_within_a_folder_is_found_and_sorted()
    {
        temp.File("b/data.txt");
        temp.Dir("a/deep");
        Link.CreateHardLink(temp["a/deep/one"], temp["b/data.txt"]);
        Link.CreateHardLink(temp["c"], temp["b/data.txt"]);
        temp.File("unrelated");

        var names = Link.FindHardLinkNames(temp["c"], temp.Path);

        Assert.Equal([temp["a/deep/one"], temp["b/data.txt"], temp["c"]], names);
    }

    [Fact]
    public void Names_outside_the_folder_searched_are_not_found()
    {
        temp.File("inside/data.txt");
        Link.CreateHardLink(temp["outside"], temp["inside/data.txt"]);

        var names = Link.FindHardLinkNames(temp["inside/data.txt"], temp["inside"]);

        Assert.Equal([temp["inside/data.txt"]], names);
    }

    [Fact]
    public void A_folder_given_through_a_link_is_searched_but_links_inside_it_are_not_followed()
    {
        // As a volume mounted in a folder on Windows is a mount-point reparse point, and a drive
        // root is one under Wine: the starting point of the search is followed, as find -H does.
        temp.File("tree/data.txt");
        Link.CreateHardLink(temp["tree/second"], temp["tree/data.txt"]);
        temp.Dir("elsewhere");
        Link.CreateHardLink(temp["elsewhere/third"], temp["tree/data.txt"]);
        Link.CreateSymbolicLink(temp["tree/link-out"], temp["elsewhere"]);
        Link.CreateSymbolicLink(temp["start"], temp["tree"]);

        var names = Link.FindHardLinkNames(temp["tree/data.txt"], temp["start"]);

        Assert.Equal([temp["start/data.txt"], temp["start/second"]], names);
    }

    [Fact]
    public void Without_a_folder_the_whole_file_system_of_the_file_is_searched()
    {
        var mount = temp.TryMountTmpfs("fs");
        if (mount is null)
        {
            Assert.Skip("needs root to mount a small tmpfs to search as a whole file system");
        }

        File.WriteAllText(Path.Combine(mount, "data.txt"), "x");
        Directory.CreateDirectory(Path.Combine(mount, "x/y"));
        Link.CreateHardLink(Path.Combine(mount, "x/y/other"), Path.Combine(mount, "data.txt"));

        Assert.Equal(mount, Link.GetSearchRoot(Path.Combine(mount, "data.txt")));
        Assert.Equal([Path.Combine(mount, "data.txt"), Path.Combine(mount, "x/y/other")], Link.FindHardLinkNames(Path.Combine(mount, "data.txt")));
    }

    [Fact]
    public void A_symlink_to_the_file_is_not_one_of_its_names()
    {
        temp.File("data.txt");
        Link.CreateSymbolicLink(temp["soft"], temp["data.txt"]);

        Assert.Equal([temp["data.txt"]], Link.FindHardLinkNames(temp["data.txt"], temp.Path));
    }

    [Fact]
    public void Only_Windows_keeps_a_list_of_every_file_s_names_so_only_there_a_whole_volume_search_is_cheap()
    {
        // info lists other names unasked only where this is true; hardlinks warns of a long walk where it is not.
        Assert.Equal(OperatingSystem.IsWindows(), Link.SystemListsNames);
    }
}
