namespace Linksmith.Tests.Windows;

/// <summary>Windows path text: long-path prefixing, the NT form, absolute or not; pure code, so these run on every OS.</summary>
public sealed class WindowsPathTests
{
    private static readonly string LongPath = @"C:\" + string.Join('\\', Enumerable.Range(0, 30).Select(i => $"folder{i:D2}")) + @"\file.txt";

    [Fact]
    public void A_short_path_is_left_as_it_is()
    {
        Assert.Equal(@"C:\dir\file.txt", WindowsPath.EnsureExtendedPrefixIfNeeded(@"C:\dir\file.txt"));
    }

    [Fact]
    public void A_path_longer_than_MAX_PATH_gets_the_extended_prefix()
    {
        Assert.True(LongPath.Length > 260);

        Assert.Equal(@"\\?\" + LongPath, WindowsPath.EnsureExtendedPrefixIfNeeded(LongPath));
    }

    [Fact]
    public void The_prefix_starts_at_248_characters_where_CreateDirectoryW_stops()
    {
        var at247 = @"C:\" + new string('a', 244);
        var at248 = @"C:\" + new string('a', 245);

        Assert.Equal(at247, WindowsPath.EnsureExtendedPrefixIfNeeded(at247));
        Assert.Equal(@"\\?\" + at248, WindowsPath.EnsureExtendedPrefixIfNeeded(at248));
    }

    [Fact]
    public void A_long_unc_path_gets_the_extended_unc_prefix()
    {
        var unc = @"\\server\share" + LongPath[2..];

        Assert.Equal(@"\\?\UNC\server\share" + LongPath[2..], WindowsPath.EnsureExtendedPrefixIfNeeded(unc));
    }

    [Theory]
    [InlineData(@"\\?\")]
    [InlineData(@"\??\")]
    [InlineData(@"\\.\")]
    public void A_path_already_in_device_form_is_not_prefixed_twice(string prefix)
    {
        Assert.Equal(prefix + LongPath, WindowsPath.EnsureExtendedPrefixIfNeeded(prefix + LongPath));
    }

    [Fact]
    public void A_long_relative_path_cannot_be_prefixed_and_is_left_alone()
    {
        var relative = LongPath[3..];

        Assert.Equal(relative, WindowsPath.EnsureExtendedPrefixIfNeeded(relative));
    }

    [Theory]
    [InlineData(@"C:\dir\name.")]
    [InlineData(@"C:\dir\name ")]
    public void A_name_ending_in_a_period_or_space_is_prefixed_so_Win32_does_not_drop_it(string path)
    {
        Assert.Equal(@"\\?\" + path, WindowsPath.EnsureExtendedPrefixIfNeeded(path));
    }

    [Fact]
    public void Forward_slashes_become_backslashes_behind_the_prefix()
    {
        var slashed = LongPath.Replace('\\', '/');

        Assert.Equal(@"\\?\" + LongPath, WindowsPath.EnsureExtendedPrefixIfNeeded(slashed));
    }

    [Theory]
    [InlineData(@"C:\", true)]
    [InlineData(@"C:\dir", true)]
    [InlineData("C:/dir", true)]
    [InlineData(@"\\server\share\dir", true)]
    [InlineData(@"\\?\C:\dir", true)]
    [InlineData(@"\??\C:\dir", true)]
    [InlineData(@"C:dir", false)] // relative to drive C:'s current directory
    [InlineData(@"\dir", false)] // relative to the current drive
    [InlineData(@"..\dir", false)]
    [InlineData("dir", false)]
    [InlineData("", false)]
    public void Absolute_target_text_is_drive_rooted_unc_or_in_device_form(string text, bool absolute)
    {
        Assert.Equal(absolute, WindowsPath.IsFullyQualified(text));
    }

    [Theory]
    [InlineData(@"\??\C:\dir", @"C:\dir")]
    [InlineData(@"\\?\C:\dir", @"C:\dir")]
    [InlineData(@"\??\UNC\server\share\dir", @"\\server\share\dir")]
    [InlineData(@"\\?\UNC\server\share\dir", @"\\server\share\dir")]
    [InlineData(@"\??\Volume{0a}\dir", @"\\?\Volume{0a}\dir")]
    [InlineData(@"\\?\Volume{0a}\dir", @"\\?\Volume{0a}\dir")]
    [InlineData(@"C:\dir", @"C:\dir")]
    [InlineData(@"..\dir", @"..\dir")]
    public void Stripping_the_prefix_gives_the_win32_form(string text, string expected)
    {
        Assert.Equal(expected, WindowsPath.StripPrefix(text));
    }

    [Theory]
    [InlineData(@"C:\dir", @"\??\C:\dir")]
    [InlineData("C:/dir", @"\??\C:\dir")]
    [InlineData(@"\\?\C:\dir", @"\??\C:\dir")]
    [InlineData(@"\??\C:\dir", @"\??\C:\dir")]
    [InlineData(@"\\server\share\dir", @"\??\UNC\server\share\dir")]
    [InlineData(@"\\?\UNC\server\share", @"\??\UNC\server\share")]
    public void The_nt_form_is_what_a_reparse_point_stores(string path, string expected)
    {
        Assert.Equal(expected, WindowsPath.ToNtPath(path));
    }

    [Theory]
    [InlineData(@"\\server\share", true)]
    [InlineData(@"\\?\C:\dir", false)]
    [InlineData(@"\\.\pipe\x", false)]
    [InlineData(@"C:\dir", false)]
    public void Only_server_share_paths_are_unc(string path, bool unc)
    {
        Assert.Equal(unc, WindowsPath.IsUnc(path));
    }
}
