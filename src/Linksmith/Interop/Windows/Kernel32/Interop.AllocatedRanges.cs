using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Kernel32
{
    // winioctl.h: CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 51, METHOD_NEITHER, FILE_READ_DATA): the ranges
    // of a file that have clusters behind them (a sparse file's data; the rest reads as zeros).
    // Sent with DeviceIoControl, declared in Interop.DeviceIoControl.cs.
    internal const uint FSCTL_QUERY_ALLOCATED_RANGES = 0x000940CF;

    /// <summary>
    /// FILE_ALLOCATED_RANGE_BUFFER (winioctl.h): 16 bytes; the query's input (the part of the
    /// file to look at) and each element of its output (one allocated range).
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct FILE_ALLOCATED_RANGE_BUFFER
    {
        internal long FileOffset;
        internal long Length;
    }
}
