namespace Linksmith.Tests.Library;

public sealed class CreatingLinksTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void A_symlink_to_a_file_in_the_same_folder_stores_a_relative_target()
    {
        var target = temp.File("data.txt", "hello");

        var info = Link.CreateSymbolicLink(temp["link"], target);

        Assert.Equal(LinkKind.SymbolicLink, info.Kind);
        Assert.Equal("data.txt", info.Target);
        Assert.Equal("data.txt", new FileInfo(temp["link"]).LinkTarget);
        Assert.True(info.IsRelative);
        Assert.False(info.IsDangling);
        Assert.False(info.TargetIsDirectory);
        Assert.Equal(target, info.ResolvedTarget);
        Assert.Equal("hello", File.ReadAllText(temp["link"]));
    }

    [Fact]
    public void A_relative_symlink_climbs_out_of_its_own_folder_to_reach_the_target()
    {
        var target = temp.File("a/b/data.txt");
        temp.Dir("c/d");

        var info = Link.CreateSymbolicLink(temp["c/d/link"], target, new SymbolicLinkOptions { Style = TargetStyle.Relative });

        Assert.Equal(TempDirectory.Native("../../a/b/data.txt"), info.Target);
        Assert.Equal(target, info.ResolvedTarget);
    }

    [Fact]
    public void An_absolute_symlink_stores_the_full_path_of_the_target()
    {
        var target = temp.File("data.txt");

        var info = Link.CreateSymbolicLink(temp["link"], target, new SymbolicLinkOptions { Style = TargetStyle.Absolute });

        Assert.Equal(target, info.Target);
        Assert.False(info.IsRelative);
    }

    [Fact]
    public void A_relative_target_argument_is_taken_from_the_current_directory_not_the_link_folder()
    {
        temp.File("data.txt");
        temp.Dir("sub");
        var relativeTarget = Path.GetRelativePath(Environment.CurrentDirectory, temp["data.txt"]);

        var info = Link.CreateSymbolicLink(temp["sub/link"], relativeTarget);

        Assert.Equal(TempDirectory.Native("../data.txt"), info.Target);
        Assert.False(info.IsDangling);
    }

    [Fact]
    public void A_symlink_into_a_folder_reached_through_a_symlinked_folder_still_resolves()
    {
        var target = temp.File("real/data.txt");
        temp.Dir("elsewhere/deep");
        Link.CreateSymbolicLink(temp["shortcut"], temp["elsewhere/deep"]);

        Link.CreateSymbolicLink(temp["shortcut/link"], target, new SymbolicLinkOptions { Style = TargetStyle.Relative });

        Assert.Equal("content", File.ReadAllText(temp["elsewhere/deep/link"]));
    }

    [Fact]
    public void A_directory_symlink_reports_that_it_points_to_a_directory()
    {
        temp.File("dir/inside.txt");

        var info = Link.CreateSymbolicLink(temp["link"], temp["dir"]);

        Assert.Equal(LinkKind.SymbolicLink, info.Kind);
        Assert.True(info.TargetIsDirectory);
        Assert.True(File.Exists(temp["link/inside.txt"]));
    }

    [Fact]
    public void A_symlink_to_a_missing_target_is_created_and_reported_dangling()
    {
        var info = Link.CreateSymbolicLink(temp["link"], temp["nowhere"]);

        Assert.Equal(LinkKind.SymbolicLink, info.Kind);
        Assert.True(info.IsDangling);
        Assert.False(info.IsLoop);
        Assert.Equal("nowhere", info.Target);
    }

    [Fact]
    public void A_loop_of_symlinks_is_reported_as_a_dangling_loop()
    {
        File.CreateSymbolicLink(temp["a"], "b");
        File.CreateSymbolicLink(temp["b"], "a");

        var info = Link.Inspect(temp["a"]);

        Assert.True(info.IsDangling);
        Assert.True(info.IsLoop);
    }

    [Fact]
    public void A_hard_link_is_the_same_file_under_another_name()
    {
        var target = temp.File("data.txt", "same bytes");

        var info = Link.CreateHardLink(temp["second"], target);

        var original = Link.Inspect(target);
        Assert.Equal(LinkKind.File, info.Kind);
        Assert.Equal(original.Identity, info.Identity);
        Assert.Equal(2, info.LinkCount);
        Assert.True(info.IsHardLinked);
        File.AppendAllText(target, "!");
        Assert.Equal("same bytes!", File.ReadAllText(temp["second"]));
    }

    [Fact]
    public void A_hard_link_to_a_missing_file_fails_naming_the_file()
    {
        var error = Assert.Throws<TargetNotFoundException>(() => Link.CreateHardLink(temp["second"], temp["missing"]));

        Assert.Equal(temp["missing"], error.Path);
        Assert.False(File.Exists(temp["second"]));
    }

    [Fact]
    public void A_hard_link_to_a_directory_is_refused_as_not_possible()
    {
        temp.Dir("dir");

        Assert.Throws<LinksNotSupportedException>(() => Link.CreateHardLink(temp["second"], temp["dir"]));
    }

    [Fact]
    public void A_hard_link_across_file_systems_is_refused_with_advice_to_use_a_symlink()
    {
        var other = temp.OtherVolume("other");
        var target = temp.File("data.txt");

        var error = Assert.Throws<CrossVolumeHardLinkException>(() => Link.CreateHardLink(Path.Combine(other, "link"), target));

        Assert.IsAssignableFrom<NotPossibleHereException>(error);
        Assert.Contains("symbolic link", error.Hint, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(other, "link")));
    }

    [Fact]
    public void A_junction_off_Windows_becomes_an_absolute_directory_symlink_and_says_so()
    {
        Platform.SkipOnWindows("checks the stand-in for a junction off Windows; WindowsReparsePointTests checks real junctions");
        temp.Dir("dir");

        var plan = Link.PlanJunction(temp["junction"], temp["dir"]);
        var info = Link.Create(plan);

        Assert.True(plan.IsJunctionSubstitute);
        Assert.Equal(LinkKind.SymbolicLink, info.Kind);
        Assert.Equal(temp["dir"], info.Target);
        Assert.False(info.IsRelative);
    }

    [Fact]
    public void A_strict_junction_off_Windows_is_not_possible_here()
    {
        Platform.SkipOnWindows("checks the stand-in for a junction off Windows; WindowsReparsePointTests checks real junctions");
        temp.Dir("dir");

        Assert.Throws<JunctionNotSupportedException>(() => Link.CreateJunction(temp["junction"], temp["dir"], strict: true));
        Assert.Equal(LinkKind.Missing, Link.Inspect(temp["junction"]).Kind);
    }

    [Fact]
    public void A_junction_to_a_missing_directory_is_refused()
    {
        Assert.Throws<TargetNotFoundException>(() => Link.CreateJunction(temp["junction"], temp["missing"]));
    }

    [Fact]
    public void Planning_a_link_changes_nothing_on_disk()
    {
        temp.File("data.txt");
        temp.File("taken.txt");
        var before = TreeSnapshot.Take(temp.Path);

        Link.PlanSymbolicLink(temp["link"], temp["data.txt"]);
        Link.PlanHardLink(temp["hard"], temp["data.txt"]);
        Link.PlanJunction(temp["junction"], temp.Path);
        Link.PlanSymbolicLink(temp["taken.txt"], temp["data.txt"], new SymbolicLinkOptions { ReplaceExisting = true });

        Assert.Equal(before, TreeSnapshot.Take(temp.Path));
    }
}
