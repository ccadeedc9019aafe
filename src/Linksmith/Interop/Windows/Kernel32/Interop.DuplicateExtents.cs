using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Kernel32
{
    // winioctl.h: CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 209, METHOD_BUFFERED, FILE_WRITE_ACCESS). Sent to
    // the target file: its range shares the source's clusters (ReFS, Dev Drive block cloning).
    internal const uint FSCTL_DUPLICATE_EXTENTS_TO_FILE = 0x00098344;

    /// <summary>DUPLICATE_EXTENTS_DATA (winioctl.h): 32 bytes on 64- and 32-bit Windows (the handle is padded to 8 there).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct DUPLICATE_EXTENTS_DATA
    {
        internal IntPtr FileHandle;
        internal long SourceFileOffset;
        internal long TargetFileOffset;
        internal long ByteCount;
    }
}
