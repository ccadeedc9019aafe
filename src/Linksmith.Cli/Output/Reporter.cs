namespace Linksmith.Cli;

/// <summary>
/// Reports what a command did and what failed, keeps the exit code, and holds the errors for
/// <c>--json</c>. Every failure reaches the user as <c>linksmith: error: PATH: reason</c> plus a hint.
/// </summary>
internal sealed class Reporter(CliConsole console, bool json)
{
    private readonly List<LinksmithException> errors = [];

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

    /// <summary>A notice on stderr (in both modes): something the user should know but that is no failure.</summary>
    public void Notice(string text) => Console.Error.WriteLine($"linksmith: {text}");

    /// <summary>An extended attribute the destination could not store: a warning on stderr (in both modes); the exit code stays as it is.</summary>
    public void Warn(AttributeWarning warning) =>
        Console.Error.WriteLine($"linksmith: warning: {Display.Path(warning.Path)}: extended attribute {warning.Attribute} not kept: {warning.Reason}");

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
