using System.Text.RegularExpressions;

namespace Linksmith.Cli;

/// <summary>
/// What the user sees when an exception escapes a command (a bug, or a failure nobody translated):
/// an error line naming the path when it is known, a hint and a documented exit code, never a
/// stack trace and never the exception's own message, which in this trimmed build
/// (UseSystemResourceKeys) is a resource key such as <c>IO_PathNotFound_Path</c>.
/// <c>LINKSMITH_DEBUG=1</c> adds the exception with its stack trace, for a bug report.
/// </summary>
internal static partial class LastResort
{
    private const string DebugHint = "hint: run again with LINKSMITH_DEBUG=1 to see where it failed, and report it as a bug";

    public static int Report(CliConsole console, Exception error)
    {
        if (Environment.GetEnvironmentVariable("LINKSMITH_DEBUG") is "1")
        {
            console.Error.WriteLine(error.ToString());
        }

        while (error is AggregateException { InnerExceptions.Count: 1 } or System.Reflection.TargetInvocationException && error.InnerException is { } inner)
        {
            error = inner;
        }

        if (error is OperationCanceledException)
        {
            console.Error.WriteLine("linksmith: interrupted");
            return ExitCodes.Interrupted;
        }

        var reporter = new Reporter(console, json: false);
        if (error is PlatformNotSupportedException)
        {
            console.Error.WriteLine("linksmith: error: this is not possible on this platform");
            console.Error.WriteLine("hint: see `linksmith COMMAND --help` for what each command does where");
            return ExitCodes.NotPossibleHere;
        }

        if (error is LinksmithException known)
        {
            reporter.Fail(known);
            return reporter.ExitCode;
        }

        if (PathOf(error) is { } path)
        {
            var about = LinksmithException.FromSystemError(error, path);
            reporter.Fail(about);
            if (about.Hint.Length == 0)
            {
                console.Error.WriteLine(DebugHint);
            }

            return reporter.ExitCode;
        }

        var translated = LinksmithException.FromSystemError(error, string.Empty);
        console.Error.WriteLine($"linksmith: error: {translated.Reason}");
        console.Error.WriteLine(translated.Hint.Length > 0
            ? $"hint: {char.ToLowerInvariant(translated.Hint[0])}{translated.Hint[1..]}"
            : DebugHint);
        return ExitCodes.For(translated);
    }

    /// <summary>
    /// The path a System.IO exception is about. Only FileNotFoundException keeps it in a property;
    /// the others have it in their message, which with resource keys reads "IO_PathNotFound_Path,
    /// /the/path" and with Unix errno text "No space left on device : '/the/path'".
    /// </summary>
    private static string? PathOf(Exception error)
    {
        if (error is FileNotFoundException { FileName: { Length: > 0 } fileName })
        {
            return fileName;
        }

        if (error is not (IOException or UnauthorizedAccessException))
        {
            return null;
        }

        var match = KeyedMessage().Match(error.Message);
        if (match.Success)
        {
            return match.Groups["path"].Value;
        }

        match = ErrnoMessage().Match(error.Message);
        return match.Success ? match.Groups["path"].Value : null;
    }

    [GeneratedRegex(@"^[A-Za-z]+_[A-Za-z_]+, (?<path>.+)$", RegexOptions.Singleline)]
    private static partial Regex KeyedMessage();

    [GeneratedRegex(@" : '(?<path>.+)'$", RegexOptions.Singleline)]
    private static partial Regex ErrnoMessage();
}
