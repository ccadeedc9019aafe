namespace Linksmith;

/// <summary>
/// An include or exclude glob cannot be used: it is empty, names no file, or has a '[' without
/// its ']'. An <see cref="ArgumentException"/>, as the pattern is the caller's argument.
/// </summary>
public sealed class InvalidPatternException(string pattern, string reason)
    : ArgumentException($"the pattern '{pattern}' {reason}")
{
    /// <summary>The pattern as the caller gave it.</summary>
    public string Pattern { get; } = pattern;

    /// <summary>What is wrong with it, in words that follow the pattern ("has a '[' without its ']'").</summary>
    public string Reason { get; } = reason;
}
