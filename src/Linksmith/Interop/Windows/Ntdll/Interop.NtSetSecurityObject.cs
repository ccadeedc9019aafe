using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Linksmith.Interop;

internal static partial class Ntdll
{
    // Returns its NTSTATUS. Unlike advapi32's SetSecurityInfo it stores the descriptor as given and
    // does not walk a folder's children to propagate inheritable entries (a tree copy gives each
    // child its own source's descriptor).
    [LibraryImport(Name, EntryPoint = "NtSetSecurityObject")]
    internal static unsafe partial int NtSetSecurityObject(
        SafeFileHandle Handle,
        uint SecurityInformation,
        void* SecurityDescriptor);
}
