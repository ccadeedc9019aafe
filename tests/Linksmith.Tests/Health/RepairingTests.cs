namespace Linksmith.Tests.Health;

public sealed class RepairingTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public RepairingTests()
    {
        temp.File("old/disk/photo.jpg", "photo");
        temp.File("new/disk/photo.jpg", "photo");
        temp.File("new/disk/music/song.mp3", "song");
        temp.Dir("tree/deep");
    }

    public void Dispose() => temp.Dispose();

    [Fact]
    public void An_absolute_link_is_repointed_under_the_new_prefix_and_stays_absolute()
    {
        File.CreateSymbolicLink(temp["tree/photo"], temp["old/disk/photo.jpg"]);

        var plan = LinkRepair.Plan(temp["tree"], Options(temp["old/disk"], temp["new/disk"]));
        LinkRepair.Apply(Assert.Single(plan.Changes));

        Assert.Equal(temp["new/disk/photo.jpg"], Link.Inspect(temp["tree/photo"]).Target);
    }

    [Fact]
    public void A_relative_link_is_repointed_and_stays_relative()
    {
        File.CreateSymbolicLink(temp["tree/deep/photo"], "../../old/disk/photo.jpg");

        var plan = LinkRepair.Plan(temp["tree"], Options(temp["old/disk"], temp["new/disk"]));
        LinkRepair.Apply(Assert.Single(plan.Changes));

        Assert.Equal(TempDirectory.Native("../../new/disk/photo.jpg"), Link.Inspect(temp["tree/deep/photo"]).Target);
        Assert.Equal("photo", File.ReadAllText(temp["tree/deep/photo"]));
    }

    [Fact]
    public void A_prefix_matches_whole_names_only_so_a_sibling_with_a_longer_name_is_left_alone()
    {
        temp.File("old/diskette/x", "x");
        File.CreateSymbolicLink(temp["tree/x"], temp["old/diskette/x"]);

        var plan = LinkRepair.Plan(temp["tree"], Options(temp["old/disk"], temp["new/disk"]));

        Assert.Empty(plan.Changes);
    }

    [Fact]
    public void Delete_dangling_removes_links_that_still_lead_nowhere_after_repointing_and_keeps_repaired_ones()
    {
        File.CreateSymbolicLink(temp["tree/photo"], temp["old/disk/photo.jpg"]);
        File.CreateSymbolicLink(temp["tree/gone"], temp["old/disk/gone.jpg"]);
        File.CreateSymbolicLink(temp["tree/dead"], "nowhere");
        File.CreateSymbolicLink(temp["tree/self"], "self");
        File.CreateSymbolicLink(temp["tree/fine"], "deep");

        var plan = LinkRepair.Plan(temp["tree"], Options(temp["old/disk"], temp["new/disk"]) with { DeleteDangling = true });
        foreach (var change in plan.Changes)
        {
            LinkRepair.Apply(change);
        }

        Assert.Equal(
            [("dead", RepairAction.Delete), ("gone", RepairAction.Delete), ("photo", RepairAction.Repoint), ("self", RepairAction.Delete)],
            plan.Changes.Select(c => (Path.GetFileName(c.LinkPath), c.Action)).Order());
        Assert.Equal(["deep", "fine", "photo"], TempDirectory.Names(temp["tree"]).Order(StringComparer.Ordinal));
        Assert.Equal(temp["new/disk/photo.jpg"], Link.Inspect(temp["tree/photo"]).Target);
    }

    [Fact]
    public void Delete_dangling_works_without_a_map()
    {
        File.CreateSymbolicLink(temp["tree/dead"], "nowhere");
        File.CreateSymbolicLink(temp["tree/fine"], "deep");

        var plan = LinkRepair.Plan(temp["tree"], new RepairOptions { DeleteDangling = true });

        Assert.Equal(temp["tree/dead"], Assert.Single(plan.Changes).LinkPath);
    }

    [Fact]
    public void Planning_changes_nothing_on_disk()
    {
        File.CreateSymbolicLink(temp["tree/photo"], temp["old/disk/photo.jpg"]);
        File.CreateSymbolicLink(temp["tree/dead"], "nowhere");
        var before = TreeSnapshot.Take(temp.Path);

        var plan = LinkRepair.Plan(temp["tree"], Options(temp["old/disk"], temp["new/disk"]) with { DeleteDangling = true });

        Assert.Equal(2, plan.Changes.Count);
        Assert.Equal(before, TreeSnapshot.Take(temp.Path));
    }

    [Fact]
    public void A_repointed_link_is_a_new_link_under_the_same_name_and_no_temporary_name_is_left()
    {
        File.CreateSymbolicLink(temp["tree/photo"], temp["old/disk/photo.jpg"]);
        var before = Link.Inspect(temp["tree/photo"]).Identity;

        LinkRepair.Apply(Assert.Single(LinkRepair.Plan(temp["tree"], Options(temp["old/disk"], temp["new/disk"])).Changes));

        var after = Link.Inspect(temp["tree/photo"]);
        Assert.Equal(temp["new/disk/photo.jpg"], after.Target);
        // Under Wine the repointed link once read back with the old link's identity (a full Wine
        // pass of CI, 8226968; not in 7 runs of this test alone; cause not found, Wine's file IDs
        // are inode numbers, which ext4 reuses), so the identity is asserted off Wine only.
        if (!Windows.WindowsHost.IsWine)
        {
            Assert.NotEqual(before, after.Identity);
        }

        Assert.Equal(["deep", "photo"], TempDirectory.Names(temp["tree"]).Order(StringComparer.Ordinal));
    }

    private static RepairOptions Options(string oldPrefix, string newPrefix) => new() { Mappings = [new PathMapping(oldPrefix, newPrefix)] };
}
