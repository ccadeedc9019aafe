namespace Linksmith.Tests.Library;

/// <summary>
/// The test-only fault points themselves: a hook runs where its point is reached, for the test
/// that armed it only, and a kill asked for by a name that is not a point is never silently ignored.
/// </summary>
public sealed class FaultPointsTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void A_hook_runs_at_each_action_of_a_copy_on_the_jobs_own_threads_and_stops_when_disposed()
    {
        for (var i = 0; i < 20; i++)
        {
            temp.File($"src/d{i % 4}/f{i}.txt", "x");
        }

        var reached = 0;
        var reported = 0;
        using (var fault = FaultPoints.Arm(FaultPoints.TreeAction, (_, _) => Interlocked.Increment(ref reached)))
        {
            TreeOperations.Run(new TreeJob
            {
                Kind = TreeJobKind.Copy,
                SourcePath = temp["src"],
                DestinationPath = temp["one"],
                Parallelism = 4,
                OnAction = _ => Interlocked.Increment(ref reported),
            });

            // Once per action the job reports: the root, 4 folders, 20 files.
            Assert.Equal(25, reported);
            Assert.Equal(reported, fault.Fired);
            Assert.Equal(reported, reached);
        }

        TreeOperations.Run(new TreeJob { Kind = TreeJobKind.Copy, SourcePath = temp["src"], DestinationPath = temp["two"] });
        Assert.Equal(25, reached);
    }

    [Fact]
    public void A_hook_is_not_seen_by_code_running_for_another_test()
    {
        using var fault = FaultPoints.Arm(FaultPoints.MoveStep, (_, _) => { });
        using (ExecutionContext.SuppressFlow())
        {
            // A thread that does not inherit this test's context stands for another test's job.
            var other = new Thread(() => FaultPoints.Hit(FaultPoints.MoveStep));
            other.Start();
            other.Join();
        }

        Assert.Equal(0, fault.Fired);
        FaultPoints.Hit(FaultPoints.MoveStep);
        Assert.Equal(1, fault.Fired);
    }

    [Fact]
    public void Arming_a_name_that_is_not_a_fault_point_is_refused()
    {
        Assert.Throws<ArgumentException>(() => FaultPoints.Arm("tree.actoin", (_, _) => { }));
    }

    [Fact]
    public void A_kill_asked_for_at_a_misspelled_point_kills_the_process_at_once_and_says_why()
    {
        temp.File("src/f.txt", "x");
        var record = temp["fired"];
        var environment = new Dictionary<string, string>
        {
            [FaultPoints.KillVariable] = "tree.actoin@1",
            [FaultPoints.RecordVariable] = record,
        };

        var result = CliRunner.RunWithEnvironment(temp.Path, environment, "copy", "src", "dst");

        Assert.Equal(FaultKills.KilledExitCode, result.ExitCode);
        Assert.Equal($"invalid {FaultPoints.KillVariable}=tree.actoin@1", File.ReadAllText(record));
        Assert.False(Path.Exists(temp["dst"]));
    }
}
