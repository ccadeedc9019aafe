using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Linksmith.Interop;

internal static partial class Advapi32
{
    internal const uint TOKEN_ADJUST_PRIVILEGES = 0x0020;
    internal const uint TOKEN_QUERY = 0x0008;
    internal const uint SE_PRIVILEGE_ENABLED = 0x00000002;

    // The privilege names (winnt.h).
    internal const string SE_RESTORE_NAME = "SeRestorePrivilege";
    internal const string SE_SECURITY_NAME = "SeSecurityPrivilege";

    /// <summary>TOKEN_PRIVILEGES with one LUID_AND_ATTRIBUTES.</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    internal struct TOKEN_PRIVILEGES
    {
        public uint PrivilegeCount;
        public long Luid;
        public uint Attributes;
    }

    // AdjustTokenPrivileges succeeds even when the token lacks the privilege; the last error is
    // then ERROR_NOT_ALL_ASSIGNED (1300), so it must be read after every call.
    [LibraryImport(Name, EntryPoint = "AdjustTokenPrivileges", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static unsafe partial bool AdjustTokenPrivileges(
        SafeFileHandle TokenHandle,
        [MarshalAs(UnmanagedType.Bool)] bool DisableAllPrivileges,
        TOKEN_PRIVILEGES* NewState,
        uint BufferLength,
        void* PreviousState,
        uint* ReturnLength);

    [LibraryImport(Name, EntryPoint = "LookupPrivilegeValueW", SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    [return: MarshalAs(UnmanagedType.Bool)]
    internal static unsafe partial bool LookupPrivilegeValue(string? lpSystemName, string lpName, long* lpLuid);
}
