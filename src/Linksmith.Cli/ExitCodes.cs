namespace Linksmith.Cli;

/// <summary>The exit codes of <c>linksmith</c>, as the README's table documents them. The only place they are decided.</summary>
internal static class ExitCodes
{
    /// <summary>Everything asked for was done.</summary>
    public const int Success = 0;

    /// <summary>The operation, or some item of it, failed; each failure was reported.</summary>
    public const int Failed = 1;

    /// <summary>The command line is wrong: unknown option, missing argument, conflicting options.</summary>
    public const int Usage = 2;

    /// <summary>Not possible here: platform, file system, privilege, or a hard link across volumes.</summary>
    public const int NotPossibleHere = 3;

    /// <summary>Stopped by SIGHUP (the terminal closed), as shells report 128 + SIGHUP.</summary>
    public const int Hangup = 129;

    /// <summary>Interrupted (Ctrl+C), as shells report 128 + SIGINT. Commands return it for any of the three stop signals; <see cref="Interruption"/> turns it into the signal's own code.</summary>
    public const int Interrupted = 130;

    /// <summary>Stopped by SIGTERM (kill, a service manager), as shells report 128 + SIGTERM.</summary>
    public const int Terminated = 143;

    /// <summary>The exit code a failure of this kind leads to.</summary>
    public static int For(Exception error) => error switch
    {
        NotPossibleHereException => NotPossibleHere,
        OperationCanceledException => Interrupted,
        _ => Failed,
    };

    /// <summary>Combines the codes of several items: the most serious one wins (3 over 1 over 0).</summary>
    public static int Worst(int current, int next) => (current, next) switch
    {
        (Interrupted, _) or (_, Interrupted) => Interrupted,
        (Usage, _) or (_, Usage) => Usage,
        (NotPossibleHere, _) or (_, NotPossibleHere) => NotPossibleHere,
        (Failed, _) or (_, Failed) => Failed,
        _ => Success,
    };
}
