namespace Linksmith;

/// <summary>
/// Runs independent file operations (copying one file's contents, linking one name) on a few
/// threads while the walk goes on. Most of that time is spent in the kernel, so a second thread
/// overlaps one file's syscalls with another's. Errors go to a callback; nothing else is shared.
/// </summary>
/// <remarks>
/// A plain monitor queue rather than a BlockingCollection: its semaphores spin (sched_yield) before
/// they sleep, which on a machine whose cores are busy takes time from the walking thread that would
/// fill the queue; here a thread that has nothing to do sleeps at once, and is woken only when it
/// is needed (a worker when work comes while it waits, the walk when room comes while it waits).
/// </remarks>
internal sealed class WorkQueue : IDisposable
{
    // A short queue: enough to keep the workers busy, little memory held in pending work.
    private const int Capacity = 256;

    // A plain object, not a Lock: waiting needs Monitor.Wait.
    private readonly object gate = new();
    private readonly Queue<(Action Operation, Action? Dropped)> queue = new(Capacity);
    private readonly Thread[] threads;
    private readonly Action<LinksmithException> onError;
    private readonly CancellationToken cancellation;
    private int idleWorkers;
    private bool producerWaiting;
    private bool completed;
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
    public void Enqueue(Action operation, Action? dropped = null)
    {
        lock (gate)
        {
            while (queue.Count >= Capacity)
            {
                producerWaiting = true;
                Monitor.Wait(gate);
            }

            queue.Enqueue((operation, dropped));
            // Workers wait only on an empty queue, the walk only on a full one, so the one woken is a worker.
            if (idleWorkers > 0)
            {
                Monitor.Pulse(gate);
            }
        }
    }

    /// <summary>Waits until every queued operation has run (or, once cancelled, been dropped).</summary>
    public void Drain()
    {
        if (drained)
        {
            return;
        }

        drained = true;
        lock (gate)
        {
            completed = true;
            Monitor.PulseAll(gate);
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }
    }

    public void Dispose() => Drain();

    /// <summary>The next operation; false once the queue is completed and empty.</summary>
    private bool TryTake(out (Action Operation, Action? Dropped) item)
    {
        lock (gate)
        {
            while (queue.Count == 0)
            {
                if (completed)
                {
                    item = default;
                    return false;
                }

                idleWorkers++;
                Monitor.Wait(gate);
                idleWorkers--;
            }

            item = queue.Dequeue();
            // The walk waits for room only when the queue was full: wake it once there is a good
            // share of room again, not for every free slot.
            if (producerWaiting && queue.Count <= Capacity / 2)
            {
                producerWaiting = false;
                Monitor.Pulse(gate);
            }

            return true;
        }
    }

    private void Work()
    {
        while (TryTake(out var item))
        {
            var (operation, dropped) = item;
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
