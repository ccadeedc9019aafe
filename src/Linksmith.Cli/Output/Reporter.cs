using System.Text;

namespace Linksmith.Cli;

/// <summary>
/// Reports what a command did and what failed, keeps the exit code, and holds the errors for
/// <c>--json</c>. Every failure reaches the user as <c>linksmith: error: PATH: reason</c> plus a hint.
/// </summary>
internal sealed class Reporter(CliConsole console, bool json)
{
    private readonly List<LinksmithException> errors = [];
    private readonly List<ReportedWarning> warnings = [];
    private readonly Lock warningLock = new();

    public CliConsole Console { get; } = console;

    public bool Json { get; } = json;

    public int ExitCode { get; private set; } = ExitCodes.Success;

    public IReadOnlyList<LinksmithException> Errors => errors;

    /// <summary>A line of human output; dropped in JSON mode, where the document says it all.</summary>
    public void Line(string text)
    {
        if (!Json)
        {
            Console.Out.WriteLine(text);
        }
    }

    /// <summary>A line of human output in two parts, written one after the other (no string made of both: a report can have tens of thousands of lines).</summary>
    public void Line(string indent, string text)
    {
        if (!Json)
        {
            Console.Out.Write(indent);
            Console.Out.WriteLine(text);
        }
    }

    /// <summary>Lines of human output made beforehand, each ended by a newline; dropped in JSON mode.</summary>
    public void Lines(StringBuilder lines)
    {
        if (!Json)
        {
            Console.Out.Write(lines);
        }
    }

    /// <summary>A notice on stderr (in both modes): something the user should know but that is no failure.</summary>
    public void Notice(string text) => Console.Error.WriteLine($"linksmith: {text}");

    /// <summary>The warnings given so far, in order: what <c>--json</c> lists as <c>warnings</c>.</summary>
    public IReadOnlyList<ReportedWarning> Warnings => warnings;

    /// <summary>An extended attribute the destination could not store: a warning; the exit code stays as it is.</summary>
    public void Warn(AttributeWarning warning) =>
        Warn(warning.Path, $"extended attribute {warning.Attribute} not kept: {warning.Reason}");

    /// <summary>
    /// Something about <paramref name="path"/> the user should know that is no failure (the job
    /// went on; the exit code stays as it is): a <c>linksmith: warning:</c> line on stderr in both
    /// modes, and an entry of the JSON document's <c>warnings</c>.
    /// </summary>
    public void Warn(string path, string message)
    {
        // A tree job warns from its walk (a special file) and from its copying threads (attributes).
        lock (warningLock)
        {
            warnings.Add(new ReportedWarning(path, message));
            Console.Error.WriteLine($"linksmith: warning: {Display.Path(path)}: {message}");
        }
    }

    public void Fail(LinksmithException error)
    {
        errors.Add(error);
        ExitCode = ExitCodes.Worst(ExitCode, ExitCodes.For(error));
        Console.Error.WriteLine($"linksmith: error: {Display.Path(error.Path)}: {error.Reason}");
        var hint = Hints.For(error);
        if (hint.Length > 0)
        {
            Console.Error.WriteLine($"hint: {hint}");
        }
    }

    /// <summary>A usage error (exit 2): the command line itself is wrong.</summary>
    public int Usage(string message, string hint = "")
    {
        ExitCode = ExitCodes.Worst(ExitCode, ExitCodes.Usage);
        Console.Error.WriteLine($"linksmith: error: {message}");
        if (hint.Length > 0)
        {
            Console.Error.WriteLine($"hint: {hint}");
        }

        return ExitCode;
    }
}

/// <summary>One warning a command gave: the path it is about, and what the user should know.</summary>
internal sealed record ReportedWarning(string Path, string Message);
