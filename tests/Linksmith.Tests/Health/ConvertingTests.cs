namespace Linksmith.Tests.Health;

public sealed class ConvertingTests : IDisposable
{
    private readonly HealthTree tree = new();

    public void Dispose() => tree.Dispose();

    [Fact]
    public void Converting_to_absolute_rewrites_relative_links_and_each_still_leads_to_the_same_file()
    {
        var before = Followed();

        Apply(LinkConverter.Plan(tree.Anchor, LinkTextStyle.Absolute));

        Assert.Equal(tree["anchor/data/file.txt"], tree.TargetOf("anchor/rel-inner"));
        Assert.Equal(tree["outside/o.txt"], tree.TargetOf("anchor/rel-outer"));
        Assert.Equal(tree["anchor/data"], tree.TargetOf("anchor/data/sub/up"));
        Assert.Equal(before, Followed());
    }

    [Fact]
    public void Converting_to_relative_rewrites_absolute_links_and_each_still_leads_to_the_same_file()
    {
        var before = Followed();

        var plan = LinkConverter.Plan(tree.Anchor, LinkTextStyle.Relative);
        Apply(plan);

        Assert.Equal(TempDirectory.Native("data/file.txt"), tree.TargetOf("anchor/abs-inner"));
        Assert.Equal(TempDirectory.Native("../outside/o.txt"), tree.TargetOf("anchor/abs-outer"));
        Assert.Equal(before, Followed());
        if (OperatingSystem.IsWindows())
        {
            // '\nonexistent-linksmith\x' is drive-relative: under Wine it lands on Z:, another volume
            // than the test's C:, and a link to another volume stays absolute.
            Assert.All(plan.Skipped, skip =>
            {
                Assert.Equal(tree["anchor/dangling-outer"], skip.LinkPath);
                Assert.Contains("another volume", skip.Reason, StringComparison.Ordinal);
            });
        }
        else
        {
            Assert.Empty(plan.Skipped);
        }
    }

    [Fact]
    public void A_dangling_link_is_converted_by_its_text()
    {
        Apply(LinkConverter.Plan(tree.Anchor, LinkTextStyle.Absolute));

        Assert.Equal(tree["anchor/data/missing"], tree.TargetOf("anchor/dangling-inner"));
        Assert.Equal(tree["anchor/self"], tree.TargetOf("anchor/self"));
        // Already absolute on Linux, and under Wine, which stored it as Z:\nonexistent-linksmith\x;
        // on Windows the drive-relative text takes the link's drive.
        Assert.Equal(
            Path.GetFullPath(HealthTree.AsStored(TempDirectory.Native("/nonexistent-linksmith/x")), tree.Anchor),
            tree.TargetOf("anchor/dangling-outer"));
    }

    [Fact]
    public void Dot_dot_after_a_linked_folder_is_taken_from_where_that_folder_really_is_as_the_kernel_does()
    {
        Platform.SkipOnWindows("Windows resolves '..' after a linked folder lexically, not from where the folder really is (the kernel rule this test checks is POSIX)");
        tree.Temp.File("elsewhere/deep/x", "deep x");
        tree.Temp.File("elsewhere/y", "real y");
        tree.Symlink("anchor/via", tree["elsewhere/deep"]);
        tree.Temp.File("anchor/y", "lexical y");
        tree.Symlink("anchor/tricky", "via/../y");

        Apply(LinkConverter.Plan(tree.Anchor, LinkTextStyle.Absolute));

        Assert.Equal(tree["elsewhere/y"], tree.TargetOf("anchor/tricky"));
        Assert.Equal("real y", File.ReadAllText(tree["anchor/tricky"]));
    }

    [Fact]
    public void Links_to_another_volume_stay_absolute_and_are_reported()
    {
        var mount = tree.Temp.OtherVolume("other-volume");
        File.WriteAllText(Path.Combine(mount, "f"), "on tmpfs");
        tree.Symlink("anchor/to-other", Path.Combine(mount, "f"));

        var plan = LinkConverter.Plan(tree.Anchor, LinkTextStyle.Relative);
        Apply(plan);

        Assert.Equal(Path.Combine(mount, "f"), tree.TargetOf("anchor/to-other"));
        // Under Wine the fixture's dangling '/nonexistent-linksmith/x' is stored as Z:\..., another
        // drive than the tree's C:, so it is skipped for the same reason; Linux has only this one.
        var skip = OperatingSystem.IsWindows()
            ? Assert.Single(plan.Skipped, s => s.LinkPath == tree["anchor/to-other"])
            : Assert.Single(plan.Skipped);
        Assert.Equal(tree["anchor/to-other"], skip.LinkPath);
        Assert.Contains("another volume", skip.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Planning_a_conversion_changes_nothing_on_disk()
    {
        var before = TreeSnapshot.Take(tree.Temp.Path);

        var plan = LinkConverter.Plan(tree.Anchor, LinkTextStyle.Absolute);

        Assert.Equal(7, plan.Changes.Count);
        Assert.Equal(before, TreeSnapshot.Take(tree.Temp.Path));
    }

    private static void Apply(ConvertPlan plan)
    {
        Assert.Empty(plan.Errors);
        foreach (var change in plan.Changes)
        {
            LinkConverter.Apply(change);
        }
    }

    /// <summary>What every link leads to now: the identity of the file reached, or how following fails.</summary>
    private Dictionary<string, string> Followed() =>
        HealthTree.Expected.Keys.ToDictionary(
            key => key,
            key => LinkPlatform.Current.StatFollowingLinks(tree[key]) is var entry && entry.Kind == LinkKind.Missing
                ? (entry.IsLoop ? "loop" : "missing")
                : entry.Identity.ToString());
}
