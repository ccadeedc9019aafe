using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Linksmith.Interop;

namespace Linksmith;

/// <summary>
/// The privileges <c>--xattrs</c> uses on Windows, enabled in the process token the first time
/// they are asked about (an elevated administrator holds them disabled; others do not hold them).
/// </summary>
[SupportedOSPlatform("windows")]
internal static class WindowsPrivileges
{
    private static readonly Lazy<bool> Restore = new(() => TryEnable(Advapi32.SE_RESTORE_NAME));

    private static readonly Lazy<bool> Security = new(() => TryEnable(Advapi32.SE_SECURITY_NAME));

    /// <summary>SeRestorePrivilege: a file's owner may be set to anyone (as root's chown on Linux).</summary>
    public static bool CanSetOwner => Restore.Value;

    /// <summary>SeSecurityPrivilege: a file's SACL (auditing entries) may be read and written.</summary>
    public static bool CanCopySacl => Security.Value;

    private static unsafe bool TryEnable(string privilege)
    {
        long luid;
        if (!Advapi32.LookupPrivilegeValue(null, privilege, &luid))
        {
            return false;
        }

        // GetCurrentProcess()'s pseudo-handle is -1.
        if (!Advapi32.OpenProcessToken(-1, Advapi32.TOKEN_ADJUST_PRIVILEGES | Advapi32.TOKEN_QUERY, out var token))
        {
            token.Dispose();
            return false;
        }

        using (token)
        {
            var state = new Advapi32.TOKEN_PRIVILEGES { PrivilegeCount = 1, Luid = luid, Attributes = Advapi32.SE_PRIVILEGE_ENABLED };
            return Advapi32.AdjustTokenPrivileges(token, false, &state, 0, null, null)
                && Marshal.GetLastPInvokeError() == Kernel32.ERROR_SUCCESS;
        }
    }
}
