namespace Linksmith;

/// <summary>Turns a System.IO failure into the <see cref="LinksmithException"/> that names the user's path.</summary>
internal static class SystemErrors
{
    /// <summary>
    /// The exception for <paramref name="error"/> about <paramref name="path"/>. The message is made
    /// here, never taken from the .NET exception: a trimmed build prints resource keys there.
    /// </summary>
    public static LinksmithException FromDotNet(Exception error, string path) => error switch
    {
        LinksmithException own => own,
        UnauthorizedAccessException => new LinkAccessDeniedException(path, "the system refused access"),
        PathTooLongException => new LinkPathTooLongException(path),
        FileNotFoundException or DirectoryNotFoundException => new TargetNotFoundException(path),
        IOException io => new LinkSystemException(path, $"input/output error (0x{io.HResult:X8})", io.HResult),
        _ => new LinkSystemException(path, error.GetType().Name, error.HResult),
    };
}
