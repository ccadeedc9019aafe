using System.Diagnostics;

namespace Linksmith.Tests.Picks;

/// <summary>
/// <see cref="PickAndDrop"/>: the pick → drop workflow on the real file system, with its own
/// state database in the test's folder.
/// </summary>
public sealed class PickAndDropTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private string Database => temp["state/state.db"];

    private PickResult Pick(params string[] paths) => PickAndDrop.Pick(new PickJob { Paths = paths, DatabasePath = Database });

    private DropPicksResult Drop(string destination, DropKind kind, bool dryRun = false) =>
        PickAndDrop.Drop(new DropPicksJob { DestinationDirectory = destination, Kind = kind, DryRun = dryRun, DatabasePath = Database });

    private List<string> Picked()
    {
        using var picks = PickList.Open(Database);
        return picks.List().Select(pick => pick.Path).ToList();
    }

    [Fact]
    public void A_path_is_picked_once_and_a_missing_one_is_reported_while_the_others_are_picked()
    {
        var file = temp.File("a.txt");
        var folder = temp.Dir("folder");
        Pick(file);
        var reported = new List<PickItemResult>();

        var result = PickAndDrop.Pick(new PickJob { Paths = [file, temp["gone.txt"], folder + "/"], DatabasePath = Database, OnItem = reported.Add });

        Assert.Equal(result.Items, reported);
        Assert.False(result.Items[0].Added);
        Assert.True(result.Items[0].Succeeded);
        Assert.IsType<TargetNotFoundException>(result.Items[1].Error);
        Assert.Null(result.Items[1].FullPath);
        Assert.True(result.Items[2].Added);
        Assert.Equal(Path.GetFullPath(folder + "/"), result.Items[2].FullPath);
        Assert.Equal(2, result.Total);
        Assert.Equal([file, folder], Picked());
    }

    [Fact]
    public void Clear_forgets_every_pick_before_picking_and_says_how_many()
    {
        Pick(temp.File("a"), temp.File("b"));
        var cleared = new List<int>();

        var result = PickAndDrop.Pick(new PickJob { Paths = [temp.File("c")], Clear = true, DatabasePath = Database, OnCleared = cleared.Add });

        Assert.Equal(2, result.Forgotten);
        Assert.Equal([2], cleared);
        Assert.Equal([temp["c"]], Picked());
        Assert.Null(Pick(temp["a"]).Forgotten);
    }

    [Fact]
    public async Task Of_a_burst_of_pickers_only_the_last_one_is_the_last()
    {
        var first = temp.File("first");
        var second = temp.File("second");
        using var firstPicked = new ManualResetEventSlim();
        var waiting = Task.Run(() => PickAndDrop.Pick(new PickJob
        {
            Paths = [first],
            DatabasePath = Database,
            BurstWindow = TimeSpan.FromSeconds(2),
            OnItem = _ => firstPicked.Set(),
        }), TestContext.Current.CancellationToken);
        Assert.True(firstPicked.Wait(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));

        var last = PickAndDrop.Pick(new PickJob { Paths = [second], DatabasePath = Database, BurstWindow = TimeSpan.FromMilliseconds(100) });
        var earlier = await waiting;

        Assert.True(last.IsLastOfBurst);
        Assert.False(earlier.IsLastOfBurst);
        Assert.Equal(2, earlier.Total);
    }

    [Fact]
    public void A_picker_with_a_failed_path_does_not_wait_for_the_burst()
    {
        var clock = Stopwatch.StartNew();

        var result = PickAndDrop.Pick(new PickJob { Paths = [temp["gone"]], DatabasePath = Database, BurstWindow = TimeSpan.FromMinutes(5) });

        Assert.False(result.Items[0].Succeeded);
        Assert.True(result.IsLastOfBurst);
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(1));
    }

    [Fact]
    public void A_drop_of_symbolic_links_links_every_pick_and_forgets_them()
    {
        var file = temp.File("src/report.txt", "report");
        var folder = temp.Dir("src/photos");
        var destination = temp.Dir("dest");
        Pick(file, folder);
        var started = new List<IReadOnlyList<string>>();
        var reported = new List<DropItemResult>();

        var result = PickAndDrop.Drop(new DropPicksJob
        {
            DestinationDirectory = destination,
            Kind = DropKind.SymbolicLink,
            DatabasePath = Database,
            OnStart = started.Add,
            OnItem = reported.Add,
        });

        Assert.Equal([file, folder], Assert.Single(started));
        Assert.Equal([file, folder], result.Picked);
        Assert.Equal(result.Items, reported);
        Assert.Equal(2, result.Dropped);
        Assert.False(result.Interrupted);
        Assert.Null(result.ForgetError);
        Assert.Equal(TempDirectory.Native("../src/report.txt"), Link.Inspect(temp["dest/report.txt"]).Target);
        Assert.Equal("report", File.ReadAllText(temp["dest/report.txt"]));
        Assert.Equal(LinkKind.SymbolicLink, Link.Inspect(temp["dest/photos"]).Kind);
        Assert.Empty(Picked());
    }

    [Fact]
    public void A_pick_that_cannot_be_dropped_stays_picked_and_the_others_are_dropped()
    {
        var file = temp.File("src/data.bin", "data");
        var folder = temp.Dir("src/folder");
        var destination = temp.Dir("dest");
        temp.File("dest/data.bin", "another file");
        Pick(folder, file);

        var result = Drop(destination, DropKind.HardLink);

        Assert.Equal(1, result.Dropped);
        Assert.IsType<DropNotPossibleException>(Assert.Single(result.Items[0].Errors));
        Assert.Equal(temp["dest/data - Link.bin"], result.Items[1].DestinationPath);
        Assert.Equal(Link.Inspect(file).Identity, Link.Inspect(temp["dest/data - Link.bin"]).Identity);
        Assert.Equal("another file", File.ReadAllText(temp["dest/data.bin"]));
        Assert.Equal([folder], Picked());
    }

    [Fact]
    public void A_copy_drop_adds_up_its_trees_and_a_taken_folder_name_gets_a_suffix()
    {
        var folder = temp.Dir("src/album");
        temp.File("src/album/one.jpg", "12345");
        temp.File("src/album/deep/two.jpg", "678");
        var destination = temp.Dir("dest");
        temp.Dir("dest/album");
        var file = temp.File("src/notes.txt", "abcd");
        Pick(folder, file);

        var result = Drop(destination, DropKind.Copy);

        Assert.Equal(2, result.Dropped);
        Assert.Equal(Path.Combine(destination, "album - Link"), result.Items[0].DestinationPath);
        Assert.Equal("678", File.ReadAllText(Path.Combine(destination, "album - Link", "deep", "two.jpg")));
        Assert.Equal("abcd", File.ReadAllText(Path.Combine(destination, "notes.txt")));
        Assert.Equal(3, result.Summary.Copied);
        Assert.Equal(12, result.Summary.Bytes);
        Assert.Empty(Picked());
    }

    [Fact]
    public void A_dry_run_changes_nothing_and_forgets_nothing()
    {
        var file = temp.File("src/a.txt");
        var destination = temp.Dir("dest");
        Pick(file);

        var result = Drop(destination, DropKind.Copy, dryRun: true);

        Assert.Equal(1, result.Dropped);
        Assert.Equal(Path.Combine(destination, "a.txt"), result.Items[0].DestinationPath);
        Assert.Empty(Directory.EnumerateFileSystemEntries(destination));
        Assert.Equal([file], Picked());
    }

    [Fact]
    public void With_nothing_picked_a_drop_does_nothing()
    {
        var destination = temp.Dir("dest");
        var started = false;

        var result = PickAndDrop.Drop(new DropPicksJob { DestinationDirectory = destination, Kind = DropKind.Copy, DatabasePath = Database, OnStart = _ => started = true });

        Assert.Empty(result.Picked);
        Assert.Empty(result.Items);
        Assert.False(started);
        Assert.Empty(Directory.EnumerateFileSystemEntries(destination));
    }

    [Fact]
    public void A_drop_into_a_folder_that_is_not_there_fails_whole_and_keeps_every_pick()
    {
        var file = temp.File("src/a.txt");
        Pick(file);

        var error = Assert.Throws<NotADirectoryException>(() => Drop(temp["missing"], DropKind.Copy));

        Assert.Equal(temp["missing"], error.Path);
        Assert.Equal([file], Picked());
    }

    [Fact]
    public void An_interrupted_drop_unpicks_what_it_dropped_and_keeps_the_rest()
    {
        var files = new[] { temp.File("src/1.txt"), temp.File("src/2.txt"), temp.File("src/3.txt") };
        var destination = temp.Dir("dest");
        Pick(files);
        using var interrupt = new CancellationTokenSource();

        var result = PickAndDrop.Drop(new DropPicksJob
        {
            DestinationDirectory = destination,
            Kind = DropKind.Copy,
            DatabasePath = Database,
            Cancellation = interrupt.Token,
            OnItem = _ => interrupt.Cancel(),
        });

        Assert.True(result.Interrupted);
        Assert.Equal(files, result.Picked);
        Assert.Single(result.Items);
        Assert.True(File.Exists(Path.Combine(destination, "1.txt")));
        Assert.False(File.Exists(Path.Combine(destination, "2.txt")));
        Assert.Equal(files[1..], Picked());
    }
}
