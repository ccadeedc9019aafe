namespace Linksmith.Tests.Health;

public sealed class ScanningTests : IDisposable
{
    private readonly HealthTree tree = new();

    public void Dispose() => tree.Dispose();

    [Fact]
    public void Scan_lists_every_link_with_its_target_text_relativity_inner_or_outer_and_whether_it_dangles_or_loops()
    {
        var report = LinkScanner.Scan(tree.Anchor);

        var actual = report.Links.ToDictionary(
            link => Path.GetRelativePath(tree.Temp.Path, link.LinkPath),
            link => (link.Target, link.IsRelative, link.IsInner, link.IsDangling, link.IsLoop));
        var expected = HealthTree.Expected.ToDictionary(pair => pair.Key, pair => pair.Value with { Target = tree.Expand(pair.Value.Target) });
        Assert.Equal(expected.OrderBy(p => p.Key, StringComparer.Ordinal), actual.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.All(report.Links, link => Assert.Equal(LinkKind.SymbolicLink, link.Kind));
        Assert.Empty(report.Errors);
    }

    [Fact]
    public void A_dangling_link_that_points_inside_the_anchor_is_inner_and_one_pointing_out_is_outer()
    {
        var report = LinkScanner.Scan(tree.Anchor);

        Assert.True(report.Links.Single(l => l.LinkPath == tree["anchor/dangling-inner"]).IsInner);
        Assert.False(report.Links.Single(l => l.LinkPath == tree["anchor/dangling-outer"]).IsInner);
    }

    [Fact]
    public void Hard_link_groups_list_the_names_inside_and_are_saturated_only_when_no_name_lies_outside()
    {
        var report = LinkScanner.Scan(tree.Anchor);

        Assert.Equal(2, report.HardLinkGroups.Count);
        var saturated = report.HardLinkGroups.Single(g => g.IsSaturated);
        Assert.Equal([tree["anchor/data/hl-b"], tree["anchor/hl-a"]], saturated.Names);
        Assert.Equal(2, saturated.LinkCount);
        var unsaturated = report.HardLinkGroups.Single(g => !g.IsSaturated);
        Assert.Equal([tree["anchor/hl-in"]], unsaturated.Names);
        Assert.Equal(2, unsaturated.LinkCount);
    }

    [Fact]
    public void The_summary_counts_links_by_kind_of_target_and_state()
    {
        var summary = LinkScanner.Scan(tree.Anchor).Summary;

        Assert.Equal(
            new ScanSummary
            {
                Links = 10,
                Relative = 7,
                Absolute = 3,
                Inner = 7,
                Outer = 3,
                Dangling = 5,
                Loops = 3,
                HardLinkGroups = 2,
                Saturated = 1,
                Unsaturated = 1,
                Entries = summary.Entries,
            },
            summary);
        Assert.Equal(17, summary.Entries);
    }

    [Fact]
    public void An_absolute_link_to_the_anchor_reached_through_a_link_is_inner()
    {
        var anchorLink = tree.Symlink("via-link", tree.Anchor);

        var report = LinkScanner.Scan(anchorLink);

        Assert.True(report.Links.Single(l => l.LinkPath == Path.Combine(anchorLink, "abs-inner")).IsInner);
    }

    [Fact]
    public void Scanning_a_missing_directory_fails_with_the_path()
    {
        var error = Assert.Throws<TargetNotFoundException>(() => LinkScanner.Scan(tree["no-such-dir"]));

        Assert.Equal(tree["no-such-dir"], error.Path);
    }
}
