namespace Linksmith.Tests.Library;

public sealed class ErrorMessagesTests
{
    [Fact]
    public void Every_error_names_its_path_and_says_what_to_do()
    {
        LinksmithException[] errors =
        [
            new CrossVolumeHardLinkException("/a/link", "/b/file"),
            new SymbolicLinkPrivilegeException(@"C:\link", targetIsDirectory: true),
            new LinksNotSupportedException("/fat/link", "hard links"),
            new JunctionNotSupportedException("/x"),
            new TargetNotFoundException("/missing", "/link"),
            new LinkNameExistsException("/taken", LinkKind.File),
            new ReplaceRefusedException("/dir", "is a non-empty directory"),
            new HardLinkLimitException("/file", 65000),
            new LinkPathTooLongException("/long"),
            new NotALinkException("/file", LinkKind.File),
            new LinkAccessDeniedException("/locked", "Permission denied"),
            new NotADirectoryException("/file", LinkKind.File),
        ];

        foreach (var error in errors)
        {
            Assert.StartsWith(error.Path + ": ", error.Message, StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(error.Reason));
            Assert.False(string.IsNullOrWhiteSpace(error.Hint), error.GetType().Name + " has no hint");
        }
    }

    [Fact]
    public void The_missing_symlink_privilege_suggests_developer_mode_elevation_or_a_junction()
    {
        var error = new SymbolicLinkPrivilegeException(@"C:\link", targetIsDirectory: true);

        Assert.Contains("Developer Mode", error.Hint, StringComparison.Ordinal);
        Assert.Contains("elevated", error.Hint, StringComparison.Ordinal);
        Assert.Contains("junction", error.Hint, StringComparison.Ordinal);
        Assert.IsAssignableFrom<NotPossibleHereException>(error);
    }
}
