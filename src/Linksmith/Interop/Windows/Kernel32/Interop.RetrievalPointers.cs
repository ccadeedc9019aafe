using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Kernel32
{
    // winioctl.h: CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 28, METHOD_NEITHER, FILE_ANY_ACCESS): where a
    // file's clusters lie on its volume, one run of virtual clusters (VCN) after another, each with
    // the logical cluster (LCN) it starts at, -1 for a run with no clusters (a hole). Sent with
    // DeviceIoControl, declared in Interop.DeviceIoControl.cs.
    internal const uint FSCTL_GET_RETRIEVAL_POINTERS = 0x00090073;

    /// <summary>STARTING_VCN_INPUT_BUFFER (winioctl.h): 8 bytes, the first virtual cluster to report.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct STARTING_VCN_INPUT_BUFFER
    {
        internal long StartingVcn;
    }

    /// <summary>
    /// The head of RETRIEVAL_POINTERS_BUFFER (winioctl.h): ExtentCount, then (aligned to 8)
    /// StartingVcn, then ExtentCount elements of <see cref="RETRIEVAL_POINTERS_EXTENT"/> from offset 16.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct RETRIEVAL_POINTERS_BUFFER
    {
        internal uint ExtentCount;
        internal long StartingVcn;
    }

    /// <summary>One element of RETRIEVAL_POINTERS_BUFFER.Extents: 16 bytes, the run ending before NextVcn and starting at Lcn.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct RETRIEVAL_POINTERS_EXTENT
    {
        internal long NextVcn;
        internal long Lcn;
    }
}
