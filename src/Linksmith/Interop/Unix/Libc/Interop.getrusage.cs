using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Libc
{
    // getrusage(2): the calling thread only (Linux 2.6.26+).
    internal const int RUSAGE_THREAD = 1;

    /// <summary>struct rusage on Linux x86-64 and arm64: two timevals, then fourteen longs.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct RUsage
    {
        public long UserSeconds, UserMicroseconds, SystemSeconds, SystemMicroseconds;
        public long MaxRss, SharedText, UnsharedData, UnsharedStack, MinorFaults, MajorFaults, Swaps;
        public long BlockInputs, BlockOutputs, MessagesSent, MessagesReceived, Signals;

        /// <summary>Times the thread gave up the processor to wait (for a device, a lock).</summary>
        public long VoluntarySwitches;

        /// <summary>Times it was made to give it up (preempted).</summary>
        public long InvoluntarySwitches;
    }

    [LibraryImport(Name, EntryPoint = "getrusage", SetLastError = true)]
    internal static partial int getrusage(int who, out RUsage usage);
}
