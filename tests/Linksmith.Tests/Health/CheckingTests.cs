namespace Linksmith.Tests.Health;

public sealed class CheckingTests : IDisposable
{
    private readonly HealthTree tree = new();

    public void Dispose() => tree.Dispose();

    [Fact]
    public void Check_reports_each_dangling_link_and_each_loop_once_and_nothing_healthy()
    {
        var (problems, errors) = LinkChecker.Check(tree.Anchor);

        Assert.Equal(
            new[]
            {
                ("anchor/dangling-inner", LinkProblemKind.Dangling, "data/missing"),
                ("anchor/dangling-outer", LinkProblemKind.Dangling, "/nonexistent-linksmith/x"),
                ("anchor/ping", LinkProblemKind.Loop, "pong"),
                ("anchor/pong", LinkProblemKind.Loop, "ping"),
                ("anchor/self", LinkProblemKind.Loop, "self"),
            }.Select(p => (TempDirectory.Native(p.Item1), p.Item2, HealthTree.AsStored(TempDirectory.Native(p.Item3)))),
            problems.Select(p => (Path.GetRelativePath(tree.Temp.Path, p.LinkPath), p.Problem, p.Target)).Order());
        Assert.Empty(errors);
    }

    [Fact]
    public void With_absolute_check_also_reports_every_absolute_link_healthy_or_not()
    {
        var (problems, _) = LinkChecker.Check(tree.Anchor, new CheckOptions { IncludeAbsolute = true });

        Assert.Equal(
            new[] { "anchor/abs-inner", "anchor/abs-outer", "anchor/dangling-outer" }.Select(TempDirectory.Native),
            problems.Where(p => p.Problem == LinkProblemKind.Absolute).Select(p => Path.GetRelativePath(tree.Temp.Path, p.LinkPath)).Order(StringComparer.Ordinal));
        Assert.Equal(8, problems.Count);
    }

    [Fact]
    public void A_link_through_a_loop_is_a_loop_and_a_chain_ending_nowhere_dangles_at_every_step()
    {
        // Under Wine a loop itself opens with ERROR_CANT_RESOLVE_FILENAME (1921), as on Windows; a path through one does not.
        Platform.SkipOnWine("a link whose target passes through a loop of links (self\\x) opens as 'not found', not with ERROR_CANT_RESOLVE_FILENAME (1921) as on Windows, so it reads as dangling");
        tree.Symlink("anchor/into-loop", "self/x");
        tree.Symlink("anchor/chain-1", "chain-2");
        tree.Symlink("anchor/chain-2", "data/missing");

        var (problems, _) = LinkChecker.Check(tree.Anchor);

        Assert.Equal(LinkProblemKind.Loop, problems.Single(p => p.LinkPath == tree["anchor/into-loop"]).Problem);
        Assert.Equal(LinkProblemKind.Dangling, problems.Single(p => p.LinkPath == tree["anchor/chain-1"]).Problem);
        Assert.Equal(LinkProblemKind.Dangling, problems.Single(p => p.LinkPath == tree["anchor/chain-2"]).Problem);
    }

    [Fact]
    public void A_healthy_tree_has_no_problems()
    {
        using var temp = new TempDirectory();
        temp.File("a/file");
        File.CreateSymbolicLink(temp["a/link"], "file");

        var (problems, errors) = LinkChecker.Check(temp.Path);

        Assert.Empty(problems);
        Assert.Empty(errors);
    }
}
