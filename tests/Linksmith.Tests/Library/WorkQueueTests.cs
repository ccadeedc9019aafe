namespace Linksmith.Tests.Library;

/// <summary>
/// The queue under copy, mirror, backup and clone's workers: it takes operations out of order
/// (the oldest in a folder no other worker is in), so these check that every operation still runs
/// exactly once, and that a cancelled job's operations are dropped, each counted once.
/// </summary>
public sealed class WorkQueueTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void Every_operation_runs_exactly_once_whatever_folders_they_share(int threads)
    {
        const int operations = 20_000;
        var runs = new int[operations];
        var errors = new List<LinksmithException>();
        using (var queue = new WorkQueue(threads, errors.Add, CancellationToken.None))
        {
            var random = new Random(7);
            for (var i = 0; i < operations; i++)
            {
                var index = i;
                // Runs of one folder, as a walk makes them, and now and then a folder met before.
                var folder = random.Next(4) == 0 ? random.Next(8) : i / 25;
                queue.Enqueue(() => Interlocked.Increment(ref runs[index]), WorkQueue.FolderKey($"d{folder}/f{i}"));
            }

            queue.Drain();
        }

        Assert.Empty(errors);
        Assert.All(runs, count => Assert.Equal(1, count));
    }

    [Fact]
    public void A_cancelled_job_drops_what_no_worker_started_and_counts_each_operation_once()
    {
        const int operations = 5_000;
        using var cancellation = new CancellationTokenSource();
        var ran = 0;
        var dropped = 0;
        using (var queue = new WorkQueue(2, _ => { }, cancellation.Token))
        {
            for (var i = 0; i < operations; i++)
            {
                if (i == operations / 10)
                {
                    cancellation.Cancel();
                }

                queue.Enqueue(() => Interlocked.Increment(ref ran), WorkQueue.FolderKey($"d{i % 3}/f"), () => Interlocked.Increment(ref dropped));
            }

            queue.Drain();
        }

        Assert.Equal(operations, ran + dropped);
        // Whatever was queued after the cancellation is dropped; of what came before, some ran.
        Assert.InRange(dropped, operations - (operations / 10), operations);
    }

    [Fact]
    public void Names_in_one_folder_share_a_key()
    {
        Assert.Equal(WorkQueue.FolderKey("a/b/one"), WorkQueue.FolderKey("a/b/two"));
        Assert.Equal(WorkQueue.FolderKey("one"), WorkQueue.FolderKey("two"));
        Assert.NotEqual(WorkQueue.FolderKey("a/b/one"), WorkQueue.FolderKey("a/c/one"));
    }
}
