using System.Runtime.InteropServices;
using Linksmith.Interop;

namespace Linksmith;

/// <summary>
/// Turns a Win32 error from a link call into the exception that tells the user what to do. Pure:
/// whatever it needs to know about the file system is passed in, so it is tested on any OS.
/// </summary>
internal static class WindowsErrors
{
    /// <param name="error">The error, read right after the failing call.</param>
    /// <param name="path">The path the user will recognise (usually the link's name).</param>
    /// <param name="otherPath">The second path of a two-path call (the existing file of a hard link).</param>
    /// <param name="existingKind">For "already exists": what is at <paramref name="path"/>.</param>
    /// <param name="linkCount">For ERROR_TOO_MANY_LINKS: how many names the file has.</param>
    public static LinksmithException ToException(int error, string path, string? otherPath = null, LinkKind existingKind = LinkKind.File, long linkCount = 0) => error switch
    {
        // A name over 255 UTF-16 units fits no Windows file system. The file system answers it with
        // STATUS_OBJECT_NAME_INVALID (ERROR_INVALID_NAME), which would read as a bad character, and
        // Wine with "not found" (its server cannot map the kernel's ENAMETOOLONG).
        Kernel32.ERROR_INVALID_NAME or Kernel32.ERROR_BAD_PATHNAME or Kernel32.ERROR_FILE_NOT_FOUND or Kernel32.ERROR_PATH_NOT_FOUND
            when HasOverlongName(path) => new LinkPathTooLongException(path),
        Kernel32.ERROR_INVALID_NAME or Kernel32.ERROR_BAD_PATHNAME or Kernel32.ERROR_FILE_NOT_FOUND or Kernel32.ERROR_PATH_NOT_FOUND
            when otherPath is not null && HasOverlongName(otherPath) => new LinkPathTooLongException(otherPath),
        // ERROR_ALREADY_EXISTS from the Create* calls, ERROR_FILE_EXISTS from MoveFileExW without replace.
        Kernel32.ERROR_ALREADY_EXISTS or Kernel32.ERROR_FILE_EXISTS => new LinkNameExistsException(path, existingKind),
        // CreateHardLinkW: 2 when the existing file is missing, 3 when a folder on either path is.
        Kernel32.ERROR_FILE_NOT_FOUND or Kernel32.ERROR_PATH_NOT_FOUND => new TargetNotFoundException(otherPath ?? path, otherPath is null ? null : path),
        Kernel32.ERROR_NOT_SAME_DEVICE => new CrossVolumeHardLinkException(path, otherPath ?? path),
        // NTFS allows 1023 names per file (1024 links in the MFT record).
        Kernel32.ERROR_TOO_MANY_LINKS => new HardLinkLimitException(otherPath ?? path, linkCount),
        Kernel32.ERROR_FILENAME_EXCED_RANGE or Kernel32.ERROR_BUFFER_OVERFLOW => new LinkPathTooLongException(path),
        Kernel32.ERROR_ACCESS_DENIED or Kernel32.ERROR_WRITE_PROTECT or Kernel32.ERROR_NETWORK_ACCESS_DENIED or Kernel32.ERROR_PRIVILEGE_NOT_HELD =>
            new LinkAccessDeniedException(path, Describe(error)),
        // FAT and exFAT answer CreateHardLinkW with ERROR_INVALID_FUNCTION; other file systems
        // and redirectors with ERROR_NOT_SUPPORTED.
        Kernel32.ERROR_INVALID_FUNCTION or Kernel32.ERROR_NOT_SUPPORTED or Kernel32.ERROR_SYMLINK_NOT_SUPPORTED =>
            new LinksNotSupportedException(path, "this kind of link"),
        Kernel32.ERROR_DIR_NOT_EMPTY => new ReplaceRefusedException(path, "is a non-empty directory"),
        Kernel32.ERROR_CANT_RESOLVE_FILENAME => new LinkSystemException(path, "too many levels of symbolic links (a loop)", error),
        Kernel32.ERROR_INVALID_NAME or Kernel32.ERROR_BAD_PATHNAME =>
            new LinkSystemException(path, "the name is not valid on Windows (it contains one of \\ / : * ? \" < > | or a reserved name)", error),
        Kernel32.ERROR_NOT_A_REPARSE_POINT => new LinkSystemException(path, "is not a symbolic link or junction (it holds no reparse data)", error),
        Kernel32.ERROR_INVALID_REPARSE_DATA => new LinkSystemException(path, "the link's reparse data is malformed", error),
        _ => new LinkSystemException(path, Describe(error), error),
    };

    /// <summary>
    /// The exception for a failed Nt* call (NtCreateFile, NtSetInformationFile, NtQueryDirectoryFile).
    /// The statuses that say the entry is no longer what the walk saw (a file where a folder was, a
    /// folder where a file was) become <see cref="TreeChangedException"/>; the rest are translated
    /// as the Win32 error the system maps them to, so both routes give the same messages.
    /// </summary>
    /// <param name="status">The NTSTATUS returned.</param>
    /// <param name="win32Error">RtlNtStatusToDosError(<paramref name="status"/>), asked by the caller (ntdll is not there off Windows).</param>
    /// <param name="path">The path the user will recognise.</param>
    /// <param name="otherPath">The second path of a two-path call (the existing file of a hard link).</param>
    /// <param name="existingKind">For "already exists": what is at <paramref name="path"/>.</param>
    /// <param name="linkCount">For too many links: how many names the file has.</param>
    public static LinksmithException FromNtStatus(int status, int win32Error, string path, string? otherPath = null, LinkKind existingKind = LinkKind.File, long linkCount = 0) => status switch
    {
        // FILE_DIRECTORY_FILE met a file (or a file symbolic link), FILE_NON_DIRECTORY_FILE met a directory.
        Ntdll.STATUS_NOT_A_DIRECTORY => new TreeChangedException(path, "a file or link now stands where the walk saw this folder or one of its parents"),
        Ntdll.STATUS_FILE_IS_A_DIRECTORY => new TreeChangedException(path, "a directory now stands where the walk saw a file"),
        Ntdll.STATUS_STOPPED_ON_SYMLINK or Ntdll.STATUS_REPARSE_POINT_ENCOUNTERED =>
            new TreeChangedException(path, "a link now stands where the walk saw this entry or one of its folders"),
        _ => ToException(win32Error, path, otherPath, existingKind, linkCount),
    };

    /// <summary>The errors of CreateSymbolicLinkW, where 1314 means the missing symbolic-link privilege.</summary>
    public static LinksmithException ForSymbolicLink(int error, string linkPath, bool targetIsDirectory, LinkKind existingKind = LinkKind.File) => error switch
    {
        Kernel32.ERROR_PRIVILEGE_NOT_HELD => new SymbolicLinkPrivilegeException(linkPath, targetIsDirectory),
        Kernel32.ERROR_INVALID_FUNCTION or Kernel32.ERROR_NOT_SUPPORTED or Kernel32.ERROR_SYMLINK_NOT_SUPPORTED =>
            new LinksNotSupportedException(linkPath, "symbolic links"),
        _ => ToException(error, linkPath, existingKind: existingKind),
    };

    /// <summary>
    /// The errors of making a junction (CreateDirectoryW, then FSCTL_SET_REPARSE_POINT), where
    /// ERROR_NOT_SUPPORTED means a file system without reparse points (FAT, exFAT, Wine).
    /// </summary>
    public static LinksmithException ForJunction(int error, string linkPath, LinkKind existingKind = LinkKind.File) => error switch
    {
        Kernel32.ERROR_INVALID_FUNCTION or Kernel32.ERROR_NOT_SUPPORTED => new LinksNotSupportedException(linkPath, "junctions"),
        _ => ToException(error, linkPath, existingKind: existingKind),
    };

    /// <summary>
    /// Errors meaning that nothing can be reached at a path: for a stat, the path is missing (a
    /// link to it dangles). The list is dotnet/runtime's, used for FileSystemInfo.Exists.
    /// </summary>
    public static bool IsPathUnreachable(int error) => error is
        Kernel32.ERROR_FILE_NOT_FOUND or
        Kernel32.ERROR_PATH_NOT_FOUND or
        Kernel32.ERROR_INVALID_DRIVE or
        Kernel32.ERROR_NOT_READY or
        Kernel32.ERROR_BAD_NETPATH or
        Kernel32.ERROR_BAD_NET_NAME or
        Kernel32.ERROR_INVALID_NAME or
        Kernel32.ERROR_BAD_PATHNAME or
        Kernel32.ERROR_NETWORK_UNREACHABLE;

    /// <summary>The most UTF-16 units one name may have on NTFS, ReFS, FAT and exFAT.</summary>
    private const int MaxNameLength = 255;

    // Only on an error's way out, so the allocations do not matter.
    private static bool HasOverlongName(string path) => path.Split('\\', '/').Any(name => name.Length > MaxNameLength);

    /// <summary>The system's text for <paramref name="error"/>, with its number.</summary>
    public static string Describe(int error)
    {
        // Marshal.GetPInvokeErrorMessage gives FormatMessage's text on Windows but strerror's
        // off it, where the numbers mean something else.
        if (!OperatingSystem.IsWindows())
        {
            return $"Win32 error {error}";
        }

        var text = Marshal.GetPInvokeErrorMessage(error).TrimEnd('.', ' ', '\r', '\n');
        return $"{text} (error {error})";
    }
}
