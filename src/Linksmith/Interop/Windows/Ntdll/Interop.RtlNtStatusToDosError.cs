using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Ntdll
{
    // The Win32 error for an NTSTATUS, as kernel32 would have reported it (ERROR_MR_MID_NOT_FOUND
    // for a status it does not know). Pure: reads nothing from the thread's last error.
    [LibraryImport(Name, EntryPoint = "RtlNtStatusToDosError")]
    internal static partial int RtlNtStatusToDosError(int Status);
}
