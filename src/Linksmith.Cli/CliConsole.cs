namespace Linksmith.Cli;

/// <summary>Where the CLI writes: the process's streams, or writers a test hands in.</summary>
/// <param name="Out">Standard output: results.</param>
/// <param name="Error">Standard error: errors, hints, notices.</param>
/// <param name="IsTerminal">Whether standard output is a terminal (progress and colour only then).</param>
/// <param name="ErrorIsTerminal">Whether standard error is a terminal: progress goes there, so it is shown only then.</param>
internal sealed record CliConsole(TextWriter Out, TextWriter Error, bool IsTerminal, bool ErrorIsTerminal = false)
{
    public static CliConsole FromSystem()
    {
        var utf8 = new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
        var stdout = new StreamWriter(Console.OpenStandardOutput(), utf8) { AutoFlush = true };
        var stderr = new StreamWriter(Console.OpenStandardError(), utf8) { AutoFlush = true };
        return new CliConsole(stdout, stderr, !Console.IsOutputRedirected, !Console.IsErrorRedirected);
    }
}
