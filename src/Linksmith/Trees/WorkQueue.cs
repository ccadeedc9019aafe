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
/// <para>
/// Each operation names the folder it changes (a key). A worker takes the oldest operation whose
/// folder no other worker is changing, if the queue holds one (a scan of at most 256): two threads
/// creating names in one folder wait for each other on its lock (and on XFS on its allocation
/// group), which cost more than the second thread gave.
/// </para>
/// </remarks>
internal sealed class WorkQueue : IDisposable
{
    // A short queue: enough to keep the workers busy, little memory held in pending work.
    private const int Capacity = 256;

    // No folder: a worker that is between operations.
    private const int Idle = 0;

    // A plain object, not a Lock: waiting needs Monitor.Wait.
    private readonly object gate = new();
    // A ring of Capacity entries: queued at the tail, taken at the head or, to keep workers apart, further in.
    private readonly Item[] ring = new Item[Capacity];
    private readonly Thread[] threads;
    // The folder key each worker is changing now (Idle when none).
    private readonly int[] changing;
    private int head;
    private int count;
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
        changing = new int[threadCount];
        for (var i = 0; i < threadCount; i++)
        {
            var worker = i;
            threads[i] = new Thread(() => Work(worker)) { IsBackground = true, Name = $"linksmith-worker-{i}" };
            threads[i].Start();
        }
    }

    /// <summary>
    /// Queues <paramref name="operation"/>, which changes the folder <paramref name="folder"/> (any
    /// key that is equal for equal folders, see <see cref="FolderKey"/>); once the job is cancelled
    /// it is dropped instead, and <paramref name="dropped"/> runs (to take back what was counted for it).
    /// </summary>
    public void Enqueue(Action operation, int folder, Action? dropped = null)
    {
        lock (gate)
        {
            while (count >= Capacity)
            {
                producerWaiting = true;
                Monitor.Wait(gate);
            }

            ring[(head + count) % Capacity] = new Item(operation, dropped, folder == Idle ? 1 : folder);
            count++;
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

    /// <summary>
    /// A key for the folder of <paramref name="relativePath"/> (the part before its last separator):
    /// equal for names in one folder; two folders may share one now and then, which costs only the
    /// overlap this queue avoids.
    /// </summary>
    public static int FolderKey(string relativePath)
    {
        var end = relativePath.AsSpan().LastIndexOfAny('/', Path.DirectorySeparatorChar);
        return string.GetHashCode(relativePath.AsSpan(0, Math.Max(end, 0)));
    }

    /// <summary>
    /// The next operation for <paramref name="worker"/>, which has finished its last one: the oldest
    /// in the queue whose folder no other worker is changing, else the head. False once the queue
    /// is completed and empty.
    /// </summary>
    private bool TryTake(int worker, out Item item)
    {
        lock (gate)
        {
            changing[worker] = Idle;
            while (count == 0)
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

            item = Take(worker);
            changing[worker] = item.Folder;
            // The walk waits for room only when the queue was full: wake it once there is a good
            // share of room again, not for every free slot.
            if (producerWaiting && count <= Capacity / 2)
            {
                producerWaiting = false;
                Monitor.Pulse(gate);
            }

            return true;
        }
    }

    /// <summary>Removes and returns the entry <see cref="TryTake"/> chose (under the gate; the queue is not empty).</summary>
    private Item Take(int worker)
    {
        var chosen = 0;
        for (var i = 0; i < count; i++)
        {
            if (!OthersChange(worker, ring[(head + i) % Capacity].Folder))
            {
                chosen = i;
                break;
            }
        }

        var item = ring[(head + chosen) % Capacity];
        // Close the gap: the entries before the chosen one move one place towards the tail.
        for (var i = chosen; i > 0; i--)
        {
            ring[(head + i) % Capacity] = ring[(head + i - 1) % Capacity];
        }

        ring[head] = default;
        head = (head + 1) % Capacity;
        count--;
        return item;
    }

    private bool OthersChange(int worker, int folder)
    {
        for (var other = 0; other < changing.Length; other++)
        {
            if (other != worker && changing[other] == folder)
            {
                return true;
            }
        }

        return false;
    }

    private void Work(int worker)
    {
        while (TryTake(worker, out var item))
        {
            var (operation, dropped, _) = item;
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

    private readonly record struct Item(Action Operation, Action? Dropped, int Folder);
}
