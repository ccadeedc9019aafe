namespace Linksmith.Cli;

/// <summary>
/// The hint line under an error. The library's hints speak of the API; where the CLI has a flag
/// or a command that is the remedy, the hint names it.
/// </summary>
internal static class Hints
{
    public static string For(LinksmithException error) => error switch
    {
        LinkNameExistsException => "choose another name, or add --force to replace it atomically (a non-empty directory is never replaced)",
        CrossVolumeHardLinkException => "hard links only work within one volume; use `linksmith symlink`, which can cross volumes",
        JunctionNotSupportedException => "leave out --strict to get an absolute directory symlink instead",
        NotALinkException { Kind: LinkKind.Directory } => "unlink only removes links; it never deletes a real directory",
        NotALinkException => "unlink only removes links and extra hard-link names; this file has a single name, so it is real data",
        MoveSourceIsLinkException => "move what it points to instead; if `linksmith move` left this link, `linksmith move --back LINK` brings the data home",
        MoveIncompleteException => "fix the cause, then run `linksmith move --resume`",
        NotAMovedLinkException => "name the link a move left at the old place; `linksmith moves` lists what was moved where",
        _ => LowerFirst(error.Hint),
    };

    private static string LowerFirst(string text) =>
        text.Length == 0 ? text : char.ToLowerInvariant(text[0]) + text[1..];
}
