using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Kernel32
{
    // Two DWORDs, not a ULONGLONG: the struct is 4-byte aligned where it is embedded
    // (BY_HANDLE_FILE_INFORMATION, WIN32_FIND_DATAW), so a ulong would shift every later field.
    [StructLayout(LayoutKind.Sequential)]
    internal struct FILETIME
    {
        internal uint dwLowDateTime;
        internal uint dwHighDateTime;
    }
}
