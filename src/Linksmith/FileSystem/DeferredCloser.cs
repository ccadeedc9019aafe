using System.Collections.Concurrent;
using Linksmith.Interop;

namespace Linksmith;

/// <summary>
/// Closes files on threads of its own, for a job that must not wait for the closes: closing the
/// last reference to a file whose names are all gone frees its blocks, and on a file system mounted
/// with <c>discard</c> (ext4 without a journal frees at once) that waits for the device, a
/// millisecond or more a file. A thread is added only while closes wait (the thread gave up the
/// processor during the close: <c>getrusage(RUSAGE_THREAD)</c>'s voluntary switches), every thread
/// is busy and more files wait than there are threads, at most <see cref="MaxThreads"/>: where
/// closes only cost processor time one thread keeps up, and more would only compete for the
/// processors; where they wait on the device, as many wait at once as the device takes. At most
/// <see cref="MaxWaiting"/> files wait; beyond that the caller closes its own, so a slow device
/// slows the job down instead of using up descriptors.
/// </summary>
internal sealed class DeferredCloser : IDisposable
{
    private const int MaxThreads = 32;
    private const int MaxWaiting = 256;

    // Descriptor numbers, not objects: an object that waited here through a collection would be
    // promoted and outlive its use in the old generation (a run hands over tens of thousands).
    private readonly ConcurrentQueue<int> waiting = new();
    private readonly SemaphoreSlim arrived = new(0);
    private readonly List<Thread> threads = [];
    private readonly Lock gate = new();
    private int queued;
    private int idle;
    private int started;

    // Whether the last close a thread made waited (gave up the processor).
    private bool closesWait;
    private bool stopping;

    /// <summary>Closes <paramref name="file"/> later, on a thread of this closer's (or now, on this one, when too many wait); it is this closer's from now on.</summary>
    public void Close(FileDescriptor file)
    {
        if (Volatile.Read(ref queued) >= MaxWaiting)
        {
            file.Dispose();
            return;
        }

        var fd = file.Fd;
        file.SetHandleAsInvalid();
        Interlocked.Increment(ref queued);
        waiting.Enqueue(fd);
        var threadCount = Volatile.Read(ref started);
        if (Volatile.Read(ref idle) == 0 && Volatile.Read(ref queued) > threadCount && (threadCount == 0 || Volatile.Read(ref closesWait)))
        {
            AddThread();
        }

        arrived.Release();
    }

    /// <summary>Returns once every file handed over is closed, and ends the threads.</summary>
    public void Dispose()
    {
        List<Thread> running;
        lock (gate)
        {
            stopping = true;
            running = [.. threads];
        }

        arrived.Release(Math.Max(1, running.Count));
        foreach (var thread in running)
        {
            thread.Join();
        }

        // Handed over while no thread was left to take it (none had been started, or all had ended).
        while (waiting.TryDequeue(out var fd))
        {
            _ = Libc.close(fd);
        }

        arrived.Dispose();
    }

    private void AddThread()
    {
        lock (gate)
        {
            if (stopping || threads.Count >= MaxThreads)
            {
                return;
            }

            // Counted idle from the start: the next file does not start yet another thread for this one.
            Interlocked.Increment(ref idle);
            var thread = new Thread(Work) { IsBackground = true, Name = "closer" };
            threads.Add(thread);
            Volatile.Write(ref started, threads.Count);
            thread.Start();
        }
    }

    private void Work()
    {
        while (true)
        {
            arrived.Wait();
            Interlocked.Decrement(ref idle);
            if (waiting.TryDequeue(out var fd))
            {
                // What close says is nothing a user could act on: the descriptor is gone either way.
                var measured = Libc.getrusage(Libc.RUSAGE_THREAD, out var before) == 0;
                _ = Libc.close(fd);
                if (measured && Libc.getrusage(Libc.RUSAGE_THREAD, out var after) == 0)
                {
                    Volatile.Write(ref closesWait, after.VoluntarySwitches > before.VoluntarySwitches);
                }

                Interlocked.Decrement(ref queued);
            }
            else if (Volatile.Read(ref stopping))
            {
                return;
            }

            Interlocked.Increment(ref idle);
        }
    }
}
