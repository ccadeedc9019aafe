using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Linksmith.Interop;

internal static partial class Ntdll
{
    // Access rights (winnt.h) to read and write an object's security descriptor.
    internal const uint READ_CONTROL = 0x00020000;
    internal const uint WRITE_DAC = 0x00040000;
    internal const uint WRITE_OWNER = 0x00080000;
    internal const uint ACCESS_SYSTEM_SECURITY = 0x01000000;

    // Returns its NTSTATUS; the descriptor is written self-relative. STATUS_BUFFER_TOO_SMALL: LengthNeeded says how much.
    [LibraryImport(Name, EntryPoint = "NtQuerySecurityObject")]
    internal static unsafe partial int NtQuerySecurityObject(
        SafeFileHandle Handle,
        uint SecurityInformation,
        void* SecurityDescriptor,
        uint Length,
        uint* LengthNeeded);
}
