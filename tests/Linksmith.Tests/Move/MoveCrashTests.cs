using System.Diagnostics;

namespace Linksmith.Tests.Move;

/// <summary>
/// The real binary killed (SIGKILL) at many moments of a move, then <c>move --resume</c>: every
/// file's content must exist intact at exactly the old or the new place, the old path must be the
/// original folder or a working link, and nothing may be lost. Deterministic moments come from
/// the library's fault points: <see cref="FaultPoints.MoveStep"/> (journal point N: each step's
/// start and each step's end) and <see cref="FaultPoints.TreeAction"/> (N actions of the copy
/// engine). Each case first proves the process died at its point (<see cref="FaultKills"/>).
/// Moves back are in <see cref="MoveBackCrashTests"/>.
/// </summary>
public sealed class MoveCrashTests
{
    public const string JournalKill = FaultPoints.MoveStep;
    public const string EngineKill = FaultPoints.TreeAction;

    // A move across volumes has 7 steps with 2 points each: after its start is recorded, and after it is taken.
    public static TheoryData<int> JournalPoints => [.. Enumerable.Range(1, 14)];

    public static TheoryData<int> EnginePoints => [1, 2, 5, 12, 25, 40];

    [Theory]
    [MemberData(nameof(JournalPoints))]
    public void A_move_across_volumes_killed_at_a_journal_point_is_settled_by_resume(int point) =>
        KillThenResume(new MoveScene(), JournalKill, point, away: true);

    [Theory]
    [MemberData(nameof(EnginePoints))]
    public void A_move_across_volumes_killed_during_the_copy_is_settled_by_resume(int point) =>
        KillThenResume(new MoveScene(), EngineKill, point, away: true);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void A_rename_within_one_volume_killed_at_a_journal_point_is_settled_by_resume(int point) =>
        KillThenResume(new MoveScene(acrossVolumes: false), JournalKill, point, away: true);

    /// <summary>Away: <c>move app AWAY</c>; else <c>move --back app</c> after a finished move.</summary>
    internal static void KillThenResume(MoveScene scene, string faultPoint, int point, bool away)
    {
        using (scene)
        {
            if (!away)
            {
                // In process: the state a finished move leaves, without paying for a process start.
                Assert.Equal(MoveState.Done, Mover.Move(scene.Source, scene.Away, options: scene.Options).State);
            }

            string[] command = away ? ["move", "app", scene.Away] : ["move", "--back", "app"];
            scene.CliKilledAt(faultPoint, point, command);
            Settle(scene, $"{faultPoint}@{point}");
        }
    }

    internal static void Settle(MoveScene scene, string moment, bool resumeTwice = false)
    {
        Assert.True(scene.IsComplete(scene.Source) || scene.IsComplete(scene.Target), $"{moment}: no complete copy at the old or the new place");

        var resumed = scene.Cli("move", "--resume");
        Assert.True(resumed.ExitCode == 0, $"{moment}: resume exited {resumed.ExitCode}: {resumed.Error}");
        scene.AssertSettled();
        if (resumeTwice)
        {
            var again = scene.Cli("move", "--resume");
            Assert.Contains("nothing to resume", again.Out, StringComparison.Ordinal);
        }
    }
}

/// <summary>
/// <see cref="MoveCrashTests"/> for <c>move --back</c>, killed at the same moments after a finished
/// move. Its own class so the two halves run side by side: each case starts the CLI twice, about
/// 3 s under Wine, where every moment runs too.
/// </summary>
public sealed class MoveBackCrashTests
{
    [Theory]
    [MemberData(nameof(MoveCrashTests.JournalPoints), MemberType = typeof(MoveCrashTests))]
    public void A_move_back_killed_at_a_journal_point_is_settled_by_resume(int point) =>
        MoveCrashTests.KillThenResume(new MoveScene(), MoveCrashTests.JournalKill, point, away: false);

    [Theory]
    [InlineData(3)]
    [InlineData(20)]
    public void A_move_back_killed_during_the_copy_is_settled_by_resume(int point) =>
        MoveCrashTests.KillThenResume(new MoveScene(), MoveCrashTests.EngineKill, point, away: false);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void A_rename_back_within_one_volume_killed_at_a_journal_point_is_settled_by_resume(int point) =>
        MoveCrashTests.KillThenResume(new MoveScene(acrossVolumes: false), MoveCrashTests.JournalKill, point, away: false);
}

/// <summary>The same guarantees on a tree of a few thousand files; its own class so it runs beside the small cases.</summary>
public sealed class LargeMoveCrashTests
{
    /// <summary>A few thousand files, killed in the copy, after it, and at random moments.</summary>
    [Fact]
    public void A_large_move_killed_at_many_moments_never_loses_a_file()
    {
        Platform.SkipOnWine("slow under Wine (six CLI runs over a few thousand files, each started and killed); MoveTests runs the same moves whole");
        var points = new List<(string FaultPoint, int Point)>
        {
            (MoveCrashTests.EngineKill, 700), (MoveCrashTests.EngineKill, 1900),
            (MoveCrashTests.JournalKill, 2), (MoveCrashTests.JournalKill, 5), (MoveCrashTests.JournalKill, 9), (MoveCrashTests.JournalKill, 12),
        };
        foreach (var (faultPoint, point) in points)
        {
            using var scene = new MoveScene(files: 2000, tmpfsSize: "64m");
            scene.CliKilledAt(faultPoint, point, "move", "app", scene.Away);
            MoveCrashTests.Settle(scene, $"{faultPoint}@{point}", resumeTwice: true);
        }

        // Random moments: spread over the time an uninterrupted move takes, with a fixed seed.
        TimeSpan whole;
        using (var scene = new MoveScene(files: 2000, tmpfsSize: "64m"))
        {
            var clock = Stopwatch.StartNew();
            Assert.Equal(0, scene.Cli("move", "app", scene.Away).ExitCode);
            whole = clock.Elapsed;
        }

        var random = new Random(4);
        for (var i = 0; i < 4; i++)
        {
            using var scene = new MoveScene(files: 2000, tmpfsSize: "64m");
            var delay = whole * random.NextDouble();
            scene.RunAndKill(delay, "move", "app", scene.Away);
            MoveCrashTests.Settle(scene, $"killed after {delay.TotalMilliseconds:F0} ms");
        }
    }

}
