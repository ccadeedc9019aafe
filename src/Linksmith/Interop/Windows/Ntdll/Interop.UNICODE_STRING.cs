using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Ntdll
{
    /// <summary>UNICODE_STRING (ntdef.h): lengths in bytes, no NUL needed; 16 bytes on 64-bit Windows (4 bytes of padding before Buffer).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct UNICODE_STRING
    {
        internal ushort Length;
        internal ushort MaximumLength;
        internal nint Buffer;
    }
}
