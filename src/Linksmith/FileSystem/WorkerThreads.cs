namespace Linksmith;

/// <summary>A few threads doing one job together: the parallel walk, dedupe's readers and linkers.</summary>
internal static class WorkerThreads
{
    /// <summary>
    /// Runs <paramref name="worker"/> with the numbers 0 to <paramref name="threads"/> − 1, number 0
    /// on the calling thread (so one thread costs no thread), and returns when all have returned.
    /// </summary>
    public static void Run(int threads, string name, Action<int> worker)
    {
        var helpers = new Thread[Math.Max(0, threads - 1)];
        for (var i = 0; i < helpers.Length; i++)
        {
            var number = i + 1;
            helpers[i] = new Thread(() => worker(number)) { IsBackground = true, Name = name };
            helpers[i].Start();
        }

        worker(0);
        foreach (var helper in helpers)
        {
            helper.Join();
        }
    }
}
