using System.Runtime.InteropServices;

namespace Linksmith.Interop;

internal static partial class Kernel32
{
    internal const uint SYMBOLIC_LINK_FLAG_DIRECTORY = 0x1;

    // Windows 10 1703 and later: lets a non-elevated process create symbolic links when
    // Developer Mode is on. Earlier versions reject the flag with ERROR_INVALID_PARAMETER.
    internal const uint SYMBOLIC_LINK_FLAG_ALLOW_UNPRIVILEGED_CREATE = 0x2;

    // Declared BOOLEAN (one byte), not BOOL, in winbase.h.
    [LibraryImport(Name, EntryPoint = "CreateSymbolicLinkW", SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    [return: MarshalAs(UnmanagedType.U1)]
    private static partial bool CreateSymbolicLinkPrivate(string lpSymlinkFileName, string lpTargetFileName, uint dwFlags);

    /// <summary>
    /// The link's own name may be long and gets the <c>\\?\</c> prefix; the target text is
    /// stored as given (the system turns an absolute one into an NT path itself).
    /// </summary>
    internal static bool CreateSymbolicLink(string lpSymlinkFileName, string lpTargetFileName, uint dwFlags) =>
        CreateSymbolicLinkPrivate(WindowsPath.EnsureExtendedPrefixIfNeeded(lpSymlinkFileName), lpTargetFileName, dwFlags);
}
