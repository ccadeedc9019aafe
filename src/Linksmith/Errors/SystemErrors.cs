namespace Linksmith;

/// <summary>
/// Turns what System.IO throws into a <see cref="LinksmithException"/> about the user's path. The
/// exception's type, and the errno or Win32 code an <see cref="IOException"/> carries in its
/// HResult, decide; its message never appears (a trimmed build with UseSystemResourceKeys has only
/// keys such as IO_PathNotFound_Path there).
/// </summary>
internal static class SystemErrors
{
    public static LinksmithException Translate(Exception error, string path) => error switch
    {
        LinksmithException known => known,
        UnauthorizedAccessException or System.Security.SecurityException => new LinkAccessDeniedException(path, "the system refused access"),
        PathTooLongException => new LinkPathTooLongException(path),
        // System.IO says "could not find a part of the path" for a missing folder on the way and
        // for a file standing where a folder is needed.
        DirectoryNotFoundException => new LinkSystemException(
            path,
            "a folder on the way is missing, or is a file",
            0,
            "Check each folder of the path; a relative path is taken from the current directory"),
        FileNotFoundException => new TargetNotFoundException(path),
        // System.IO's errors from a Unix call carry the errno as HResult; from a Win32 call, the
        // error as HRESULT_FROM_WIN32 (0x8007xxxx).
        IOException { HResult: > 0 and < 4096 } io when !OperatingSystem.IsWindows() => FromErrno(io.HResult, path),
        IOException io when OperatingSystem.IsWindows() && (io.HResult & 0xFFFF0000) == 0x80070000 => WindowsErrors.ToException(io.HResult & 0xFFFF, path),
        IOException => new LinkSystemException(path, "input/output error", 0),
        _ => new LinkSystemException(path, "failed unexpectedly (an internal error)", 0),
    };

    private static LinksmithException FromErrno(int errno, string path) =>
        errno == Interop.Libc.EEXIST
            ? new LinkSystemException(path, "already exists", errno, "Choose another name, or remove what is there first")
            : UnixErrors.ToException(errno, path);
}
