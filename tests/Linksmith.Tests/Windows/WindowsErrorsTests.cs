namespace Linksmith.Tests.Windows;

/// <summary>Which exception each Win32 error of a link call becomes; pure code, so these run on every OS.</summary>
public sealed class WindowsErrorsTests
{
    private const string LinkPath = @"C:\work\link.txt";
    private const string ExistingPath = @"C:\work\data.txt";

    [Theory]
    [InlineData(183)] // ERROR_ALREADY_EXISTS
    [InlineData(80)] // ERROR_FILE_EXISTS
    public void A_taken_name_says_what_is_already_there(int error)
    {
        var exception = Assert.IsType<LinkNameExistsException>(WindowsErrors.ToException(error, LinkPath, ExistingPath, LinkKind.Directory));

        Assert.Equal(LinkPath, exception.Path);
        Assert.Equal(LinkKind.Directory, exception.ExistingKind);
        Assert.Contains("already exists (a directory)", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2)] // ERROR_FILE_NOT_FOUND
    [InlineData(3)] // ERROR_PATH_NOT_FOUND
    public void A_missing_file_to_hard_link_names_that_file_and_the_link(int error)
    {
        var exception = Assert.IsType<TargetNotFoundException>(WindowsErrors.ToException(error, LinkPath, ExistingPath));

        Assert.Equal(ExistingPath, exception.Path);
        Assert.Equal(LinkPath, exception.LinkPath);
    }

    [Fact]
    public void A_missing_path_of_a_one_path_call_names_that_path()
    {
        var exception = Assert.IsType<TargetNotFoundException>(WindowsErrors.ToException(2, LinkPath));

        Assert.Equal(LinkPath, exception.Path);
        Assert.Null(exception.LinkPath);
    }

    [Theory]
    [InlineData(123)] // ERROR_INVALID_NAME: what a Windows file system answers
    [InlineData(2)] // ERROR_FILE_NOT_FOUND: what Wine answers
    [InlineData(3)] // ERROR_PATH_NOT_FOUND
    public void A_name_over_255_characters_is_too_long_not_a_bad_character_or_missing(int error)
    {
        var overlong = @"C:\work\" + new string('n', 256);
        var longest = @"C:\work\" + new string('n', 255);

        Assert.Equal(overlong, Assert.IsType<LinkPathTooLongException>(WindowsErrors.ToException(error, overlong)).Path);
        Assert.Equal(overlong, Assert.IsType<LinkPathTooLongException>(WindowsErrors.ToException(error, LinkPath, overlong)).Path);
        Assert.IsNotType<LinkPathTooLongException>(WindowsErrors.ToException(error, longest));
    }

    [Fact]
    public void ERROR_NOT_SAME_DEVICE_is_a_hard_link_across_volumes()
    {
        var exception = Assert.IsType<CrossVolumeHardLinkException>(WindowsErrors.ToException(17, LinkPath, @"D:\data.txt"));

        Assert.Equal(LinkPath, exception.Path);
        Assert.Equal(@"D:\data.txt", exception.TargetPath);
        Assert.IsAssignableFrom<NotPossibleHereException>(exception);
    }

    [Fact]
    public void ERROR_TOO_MANY_LINKS_names_the_file_and_its_count()
    {
        var exception = Assert.IsType<HardLinkLimitException>(WindowsErrors.ToException(1142, LinkPath, ExistingPath, linkCount: 1023));

        Assert.Equal(ExistingPath, exception.Path);
        Assert.Equal(1023, exception.LinkCount);
    }

    [Theory]
    [InlineData(5)] // ERROR_ACCESS_DENIED
    [InlineData(19)] // ERROR_WRITE_PROTECT
    [InlineData(65)] // ERROR_NETWORK_ACCESS_DENIED
    public void Refused_access_is_access_denied(int error)
    {
        var exception = Assert.IsType<LinkAccessDeniedException>(WindowsErrors.ToException(error, LinkPath, ExistingPath));

        Assert.Equal(LinkPath, exception.Path);
    }

    [Theory]
    [InlineData(1)] // ERROR_INVALID_FUNCTION: FAT and exFAT
    [InlineData(50)] // ERROR_NOT_SUPPORTED
    public void A_file_system_without_links_is_not_supported(int error)
    {
        var exception = Assert.IsType<LinksNotSupportedException>(WindowsErrors.ToException(error, LinkPath, ExistingPath));

        Assert.Equal(LinkPath, exception.Path);
    }

    [Theory]
    [InlineData(206)] // ERROR_FILENAME_EXCED_RANGE
    [InlineData(111)] // ERROR_BUFFER_OVERFLOW
    public void A_name_too_long_is_too_long(int error)
    {
        var exception = Assert.IsType<LinkPathTooLongException>(WindowsErrors.ToException(error, LinkPath));

        Assert.Equal(LinkPath, exception.Path);
    }

    [Fact]
    public void ERROR_DIR_NOT_EMPTY_refuses_the_replacement()
    {
        Assert.IsType<ReplaceRefusedException>(WindowsErrors.ToException(145, LinkPath));
    }

    [Fact]
    public void ERROR_CANT_RESOLVE_FILENAME_is_a_loop()
    {
        var exception = Assert.IsType<LinkSystemException>(WindowsErrors.ToException(1921, LinkPath));

        Assert.Equal(1921, exception.ErrorCode);
        Assert.Contains("loop", exception.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_error_keeps_its_code()
    {
        var exception = Assert.IsType<LinkSystemException>(WindowsErrors.ToException(1117, LinkPath));

        Assert.Equal(1117, exception.ErrorCode);
        Assert.Equal(LinkPath, exception.Path);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ERROR_PRIVILEGE_NOT_HELD_from_CreateSymbolicLinkW_explains_developer_mode(bool targetIsDirectory)
    {
        var exception = Assert.IsType<SymbolicLinkPrivilegeException>(WindowsErrors.ForSymbolicLink(1314, LinkPath, targetIsDirectory));

        Assert.Equal(LinkPath, exception.Path);
        Assert.Equal(targetIsDirectory, exception.TargetIsDirectory);
        Assert.Contains("Developer Mode", exception.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void A_symlink_on_a_file_system_without_them_is_not_supported()
    {
        var exception = Assert.IsType<LinksNotSupportedException>(WindowsErrors.ForSymbolicLink(50, LinkPath, false));

        Assert.Contains("symbolic links", exception.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_symlink_whose_name_is_taken_says_so()
    {
        Assert.IsType<LinkNameExistsException>(WindowsErrors.ForSymbolicLink(183, LinkPath, false, LinkKind.File));
    }

    [Theory]
    [InlineData(50)] // ERROR_NOT_SUPPORTED: FSCTL_SET_REPARSE_POINT on FAT, and on Wine
    [InlineData(1)] // ERROR_INVALID_FUNCTION
    public void A_junction_on_a_file_system_without_reparse_points_is_not_supported(int error)
    {
        var exception = Assert.IsType<LinksNotSupportedException>(WindowsErrors.ForJunction(error, LinkPath));

        Assert.Equal(LinkPath, exception.Path);
        Assert.Contains("junctions", exception.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_junction_whose_name_is_taken_says_so()
    {
        Assert.IsType<LinkNameExistsException>(WindowsErrors.ForJunction(183, LinkPath, LinkKind.Junction));
    }

    [Theory]
    [InlineData(2, true)]
    [InlineData(3, true)]
    [InlineData(15, true)] // ERROR_INVALID_DRIVE: a link to a drive letter that is gone
    [InlineData(21, true)] // ERROR_NOT_READY: an empty card reader
    [InlineData(53, true)] // ERROR_BAD_NETPATH
    [InlineData(123, true)] // ERROR_INVALID_NAME
    [InlineData(5, false)]
    [InlineData(32, false)] // ERROR_SHARING_VIOLATION: it is there
    [InlineData(1921, false)] // a loop is reported as a loop
    public void Only_errors_that_mean_nothing_is_there_make_a_path_missing(int error, bool unreachable)
    {
        Assert.Equal(unreachable, WindowsErrors.IsPathUnreachable(error));
    }
}
