using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Ntdll
{
    /// <summary>IO_STATUS_BLOCK (wdm.h): the status (a union with a pointer, hence pointer-sized) and a count.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct IO_STATUS_BLOCK
    {
        internal nint Status;
        internal nuint Information;
    }
}
