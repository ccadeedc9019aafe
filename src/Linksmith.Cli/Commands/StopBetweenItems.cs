namespace Linksmith.Cli.Commands;

/// <summary>
/// The safe point of the commands that make one change per item (links, repairs, conversions,
/// removals): each change is atomic, so a stop signal is honoured between two of them.
/// </summary>
internal static class StopBetweenItems
{
    /// <summary>True, once it has said how far the command got, when a stop signal has arrived.</summary>
    public static bool Now(Reporter reporter, int done, int total, string noun, CancellationToken cancellation)
    {
        if (!cancellation.IsCancellationRequested)
        {
            return false;
        }

        reporter.Notice($"interrupted with {done} of {Display.Count(total, noun)} done, each one complete; the others were left as they were");
        return true;
    }
}
