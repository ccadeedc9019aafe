using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Ntdll
{
    // The name is looked up without regard to case, as the Win32 file calls do.
    internal const uint OBJ_CASE_INSENSITIVE = 0x00000040;

    /// <summary>
    /// OBJECT_ATTRIBUTES (ntdef.h). With RootDirectory set, ObjectName is looked up relative to
    /// that open directory, never from a drive or the current directory. 48 bytes on 64-bit Windows.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct OBJECT_ATTRIBUTES
    {
        internal uint Length;
        internal nint RootDirectory;
        internal nint ObjectName;
        internal uint Attributes;
        internal nint SecurityDescriptor;
        internal nint SecurityQualityOfService;
    }
}
