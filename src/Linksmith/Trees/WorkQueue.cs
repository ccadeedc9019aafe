using System.Collections.Concurrent;

namespace Linksmith;

/// <summary>
/// Runs independent file operations (copying one file's contents, linking one name) on a few
/// threads while the walk goes on. Most of that time is spent in the kernel, so a second thread
/// overlaps one file's syscalls with another's. Errors go to a callback; nothing else is shared.
/// </summary>
internal sealed class WorkQueue : IDisposable
{
    // A short queue: enough to keep the workers busy, little memory held in pending work.
    private readonly BlockingCollection<(Action Operation, Action? Dropped)> queue = new(boundedCapacity: 256);
    private readonly Thread[] threads;
    private readonly Action<LinksmithException> onError;
    private readonly CancellationToken cancellation;
    private bool drained;

    public WorkQueue(int threadCount, Action<LinksmithException> onError, CancellationToken cancellation)
    {
        this.onError = onError;
        this.cancellation = cancellation;
        threads = new Thread[threadCount];
        for (var i = 0; i < threadCount; i++)
        {
            threads[i] = new Thread(Work) { IsBackground = true, Name = $"linksmith-worker-{i}" };
            threads[i].Start();
        }
    }

    /// <summary>Queues <paramref name="operation"/>; once the job is cancelled it is dropped instead, and <paramref name="dropped"/> runs (to take back what was counted for it).</summary>
    public void Enqueue(Action operation, Action? dropped = null) => queue.Add((operation, dropped), CancellationToken.None);

    /// <summary>Waits until every queued operation has run (or, once cancelled, been dropped).</summary>
    public void Drain()
    {
        if (drained)
        {
            return;
        }

        drained = true;
        queue.CompleteAdding();
        foreach (var thread in threads)
        {
            thread.Join();
        }
    }

    public void Dispose()
    {
        Drain();
        queue.Dispose();
    }

    private void Work()
    {
        foreach (var (operation, dropped) in queue.GetConsumingEnumerable())
        {
            if (cancellation.IsCancellationRequested)
            {
                // Between entries: an operation under way on another thread is finished, this one is not started.
                dropped?.Invoke();
                continue;
            }

            try
            {
                operation();
            }
            catch (LinksmithException error)
            {
                onError(error);
            }
        }
    }
}
