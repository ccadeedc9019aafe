using System.Diagnostics;
using System.Globalization;

namespace Linksmith;

/// <summary>
/// The library's test-only fault points, in one place: named moments of a long job where a test
/// can kill the process (as a power cut would) or run code of its own (to change the disk in
/// between). Nothing happens at a point unless a test armed it.
/// </summary>
/// <remarks>
/// A test armed a point in one of two ways. In another process, with the environment variable
/// <see cref="KillVariable"/> set to <c>POINT@N</c>: the N-th time the process reaches POINT it
/// writes <c>POINT@N</c> to the file named by <see cref="RecordVariable"/> (if set) and kills
/// itself with SIGKILL (TerminateProcess on Windows), so no finally block, flush or journal
/// commit runs; the record lets the test tell that kill from any other death and from a run that
/// never reached the point. In its own process, with <see cref="Arm"/>: a hook for the current
/// test only (an <see cref="AsyncLocal{T}"/>, so tests running in parallel do not see each other's
/// hooks; it flows to the threads the job starts) that counts how often it ran.
/// A test can also slow a run down at points, to send it a signal at a moment of its choosing:
/// <see cref="DelayVariable"/> set to <c>POINT:MS[,POINT:MS…]</c> makes each hit of POINT sleep MS
/// milliseconds, after writing how many delayed hits there were so far to the file named by
/// <see cref="DelayRecordVariable"/> (if set), so the test knows where the run is. With
/// <see cref="DelayHoldVariable"/> set to N as well, the N-th delayed hit holds the run there (every
/// other delayed point waits behind it) until the file RECORD.release exists, at most 30 seconds:
/// a signal sent meanwhile finds the run at that moment however slow the machine is.
/// </remarks>
internal static class FaultPoints
{
    /// <summary>After each action of the tree engine (copy, mirror, clone, backup, and the copy step of a move).</summary>
    public const string TreeAction = "tree.action";

    /// <summary>
    /// After each chunk of a file's contents is written to its new file (a temporary name until the
    /// copy is complete and checked): source, new file (full paths).
    /// </summary>
    public const string CopyData = "copy.data";

    /// <summary>After each journal point of a move: a step recorded as started, a step taken, a step undone.</summary>
    public const string MoveStep = "move.step";

    /// <summary>
    /// Dedupe, after the contents were compared and right before the re-check that precedes a
    /// replacement: survivor, duplicate (full paths).
    /// </summary>
    public const string DedupeBeforeReplace = "dedupe.before-replace";

    /// <summary>
    /// Dedupe, with the survivor and the duplicate leased and the duplicate's names swapped for
    /// links to the survivor, right before the lease is asked again to find a writer that came
    /// meanwhile: survivor, duplicate (full paths).
    /// </summary>
    public const string DedupeLeased = "dedupe.leased";

    /// <summary>
    /// <see cref="DirectoryHandle.Replace"/>, after the new entry was made under its temporary name
    /// and before it is renamed over the old one: the temporary name (relative to the handle).
    /// </summary>
    public const string HandleReplace = "handle.replace";

    /// <summary>Pruning, after a snapshot was renamed to its <c>.partial-</c> name and before it is deleted: the snapshot (full path).</summary>
    public const string SnapshotPrune = "snapshot.prune";

    /// <summary><c>POINT@N</c>: the process kills itself the N-th time it reaches POINT.</summary>
    public const string KillVariable = "LINKSMITH_TEST_KILL";

    /// <summary>A file the process writes <c>POINT@N</c> to right before it kills itself at a point.</summary>
    public const string RecordVariable = "LINKSMITH_TEST_KILL_RECORD";

    /// <summary><c>POINT:MS[,POINT:MS…]</c>: each hit of POINT sleeps MS milliseconds.</summary>
    public const string DelayVariable = "LINKSMITH_TEST_DELAY";

    /// <summary>A file the process writes the number of delayed hits so far to, before each delay.</summary>
    public const string DelayRecordVariable = "LINKSMITH_TEST_DELAY_RECORD";

    /// <summary>N: the N-th delayed hit waits there until the file named by <see cref="DelayRecordVariable"/> + <c>.release</c> exists (at most 30 s).</summary>
    public const string DelayHoldVariable = "LINKSMITH_TEST_DELAY_HOLD";

    /// <summary>Every point, for tests that check what they arm.</summary>
    public static readonly IReadOnlyList<string> All = [TreeAction, CopyData, MoveStep, DedupeBeforeReplace, DedupeLeased, HandleReplace, SnapshotPrune];

    private static readonly KillSwitch? Kill = KillSwitch.FromEnvironment();
    private static readonly Delays? Delay = Delays.FromEnvironment();
    private static readonly AsyncLocal<Hook?> Hooks = new();

    // Set by the first Arm: a hook armed on one thread is seen by the jobs it starts (which read
    // this after the test armed it and started them).
    private static volatile bool everArmed;

    /// <summary>Reaches <paramref name="point"/>: kills the process or runs the test's hook if either was armed for it.</summary>
    /// <param name="point">One of the constants above.</param>
    /// <param name="path">What the job is working on here, for a hook (empty where there is nothing to name).</param>
    /// <param name="otherPath">The second path of the moment, for a hook.</param>
    public static void Hit(string point, MessagePath path = default, MessagePath otherPath = default)
    {
        Debug.Assert(All.Contains(point), $"'{point}' is not a fault point listed in FaultPoints.All");
        if (Kill is { } kill && kill.Point == point)
        {
            kill.Reached();
        }

        Delay?.Reached(point);

        // Outside tests nothing is ever armed: no AsyncLocal lookup (a few per copied file) then.
        if (!everArmed)
        {
            return;
        }

        for (var hook = Hooks.Value; hook is not null; hook = hook.Previous)
        {
            if (hook.Point == point)
            {
                hook.Run(path.ToString(), otherPath.ToString());
            }
        }
    }

    /// <summary>
    /// Arms <paramref name="point"/> in this process for the calling test (and the threads its job
    /// starts) until the result is disposed: <paramref name="action"/> runs each time the point is reached.
    /// </summary>
    public static Hook Arm(string point, Action<string, string> action)
    {
        if (!All.Contains(point))
        {
            throw new ArgumentException($"'{point}' is not a fault point", nameof(point));
        }

        var hook = new Hook(point, action, Hooks.Value);
        Hooks.Value = hook;
        everArmed = true;
        return hook;
    }

    /// <summary>A point armed in this process; <see cref="Fired"/> tells a test that the point was reached.</summary>
    public sealed class Hook : IDisposable
    {
        private readonly Action<string, string> action;
        private int fired;

        internal Hook(string point, Action<string, string> action, Hook? previous)
        {
            Point = point;
            this.action = action;
            Previous = previous;
        }

        public string Point { get; }

        /// <summary>How many times the point was reached while armed.</summary>
        public int Fired => Volatile.Read(ref fired);

        internal Hook? Previous { get; }

        public void Dispose()
        {
            if (Hooks.Value == this)
            {
                Hooks.Value = Previous;
            }
        }

        internal void Run(string path, string otherPath)
        {
            Interlocked.Increment(ref fired);
            action(path, otherPath);
        }
    }

    /// <summary>The delays a test asked for through the environment.</summary>
    private sealed class Delays(Dictionary<string, int> milliseconds, string? record, long hold)
    {
        private readonly Lock recordLock = new();
        private long reached;

        public static Delays? FromEnvironment()
        {
            if (Environment.GetEnvironmentVariable(DelayVariable) is not { Length: > 0 } value)
            {
                return null;
            }

            var milliseconds = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var item in value.Split(','))
            {
                var colon = item.LastIndexOf(':');
                if (colon <= 0 || !int.TryParse(item.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var delay) || !All.Contains(item[..colon]))
                {
                    // A typo must not make a test's moments meaningless without a word.
                    throw new InvalidOperationException($"invalid {DelayVariable}={value}");
                }

                milliseconds[item[..colon]] = delay;
            }

            var hold = Environment.GetEnvironmentVariable(DelayHoldVariable) is { Length: > 0 } held
                ? long.TryParse(held, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new InvalidOperationException($"invalid {DelayHoldVariable}={held}")
                : 0;
            return new Delays(milliseconds, Environment.GetEnvironmentVariable(DelayRecordVariable), hold);
        }

        public void Reached(string point)
        {
            if (!milliseconds.TryGetValue(point, out var delay))
            {
                return;
            }

            lock (recordLock)
            {
                reached++;
                if (record is { Length: > 0 })
                {
                    // Written whole and renamed, so a reader never sees half a number.
                    File.WriteAllText(record + ".new", reached.ToString(CultureInfo.InvariantCulture));
                    File.Move(record + ".new", record, overwrite: true);
                    if (reached == hold)
                    {
                        var clock = Stopwatch.StartNew();
                        while (!File.Exists(record + ".release") && clock.Elapsed < TimeSpan.FromSeconds(30))
                        {
                            Thread.Sleep(1);
                        }
                    }
                }
            }

            Thread.Sleep(delay);
        }
    }

    /// <summary>The kill a test asked for through the environment.</summary>
    private sealed class KillSwitch(string point, long after, string? record)
    {
        private long reached;

        public string Point { get; } = point;

        public static KillSwitch? FromEnvironment()
        {
            if (Environment.GetEnvironmentVariable(KillVariable) is not { Length: > 0 } value)
            {
                return null;
            }

            var at = value.LastIndexOf('@');
            // A malformed value must not go unnoticed as a point that "never fired": die at once,
            // with a record that says why.
            if (at <= 0 || !long.TryParse(value.AsSpan(at + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var after) || after < 1 || !All.Contains(value[..at]))
            {
                throw Die(Environment.GetEnvironmentVariable(RecordVariable), $"invalid {KillVariable}={value}");
            }

            return new KillSwitch(value[..at], after, Environment.GetEnvironmentVariable(RecordVariable));
        }

        public void Reached()
        {
            var count = Interlocked.Increment(ref reached);
            if (count == after)
            {
                throw Die(record, $"{Point}@{after}");
            }
            else if (count > after)
            {
                // Another thread reached the point while the first one was killing the process.
                Process.GetCurrentProcess().Kill();
                Thread.Sleep(Timeout.Infinite);
            }
        }

        /// <summary>Kills the process; never returns (the exception only tells the compiler so).</summary>
        private static UnreachableException Die(string? record, string text)
        {
            if (record is { Length: > 0 })
            {
                File.WriteAllText(record, text);
            }

            Process.GetCurrentProcess().Kill();
            // SIGKILL to oneself is delivered before kill(2) returns; should it ever not be, this
            // thread must still not take the next step.
            Thread.Sleep(Timeout.Infinite);
            return new UnreachableException("the process was killed at a test fault point");
        }
    }
}
