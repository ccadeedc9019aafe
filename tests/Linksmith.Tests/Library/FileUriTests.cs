namespace Linksmith.Tests.Library;

/// <summary>
/// <see cref="FileUri"/>: the paths and <c>file://</c> URIs file managers pass. The Unix and the
/// Windows rules are both checked here, on any OS; the real file system is Linux's.
/// </summary>
public sealed class FileUriTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private static string Local(string argument, bool windows)
    {
        Assert.True(FileUri.TryGetLocalPath(argument, windows, out var path), argument);
        return path;
    }

    [Theory]
    [InlineData("/home/me/report.txt")]
    [InlineData("relative/dir")]
    [InlineData("name with: a colon")]
    [InlineData("my dir://x")]
    [InlineData("2024://x")]
    [InlineData(@"C:\Users\me")]
    [InlineData("C://Users/me")]
    [InlineData("")]
    public void A_plain_path_comes_back_unchanged(string argument)
    {
        Assert.Equal(argument, Local(argument, windows: false));
        Assert.Equal(argument, Local(argument, windows: true));
    }

    [Theory]
    [InlineData("file:///home/me/a%20b.txt", "/home/me/a b.txt")]
    [InlineData("file:///tmp/new%0Aline", "/tmp/new\nline")]
    [InlineData("file:///tmp/back%5Cslash", "/tmp/back\\slash")]
    [InlineData("file:///tmp/100%25", "/tmp/100%")]
    [InlineData("file:///tmp/caf%c3%a9", "/tmp/café")]
    [InlineData("file:///tmp/caf%C3%A9", "/tmp/café")]
    [InlineData("file:///tmp/%E6%97%A5%E6%9C%AC", "/tmp/日本")]
    [InlineData("file:///tmp/%F0%9F%92%80", "/tmp/\U0001F480")]
    [InlineData("file:///tmp/%", "/tmp/%")]
    [InlineData("file:///tmp/50%4", "/tmp/50%4")]
    [InlineData("file:///tmp/%zz%4g", "/tmp/%zz%4g")]
    [InlineData("file:///tmp/typed é and \U0001F480", "/tmp/typed é and \U0001F480")]
    [InlineData("FILE:///tmp/x", "/tmp/x")]
    [InlineData("file://", "/")]
    public void Percent_escapes_are_bytes_of_the_name(string uri, string expected) =>
        Assert.Equal(expected, Local(uri, windows: false));

    [Fact]
    public void A_byte_that_is_not_UTF8_survives_as_that_byte()
    {
        var path = Local("file:///tmp/caf%E9%FF.txt", windows: false);

        Assert.Equal("/tmp/caf\uDCE9\uDCFF.txt", path);
        byte[] onDisk = [.. "/tmp/caf"u8, 0xE9, 0xFF, .. ".txt"u8, 0];
        Assert.Equal(onDisk, NativePath.ToNullTerminatedBytes(path));
    }

    [Fact]
    public void A_byte_that_is_not_UTF8_typed_into_the_URI_survives_too()
    {
        // NativeArguments carries a command-line byte that is not UTF-8 as U+DC80..U+DCFF.
        var typed = "file:///tmp/" + NativePath.FromBytes([(byte)'a', 0xFF]) + "%20b";

        byte[] meant = [.. "/tmp/a"u8, 0xFF, .. " b"u8];
        Assert.Equal(NativePath.FromBytes(meant), Local(typed, windows: false));
    }

    [Fact]
    public void A_name_that_is_not_UTF8_on_disk_is_found_through_its_URI()
    {
        Platform.SkipOnWindows("names are UTF-16; a name whose bytes are not UTF-8 exists only on Linux");
        var name = NativePath.FromBytes([(byte)'c', (byte)'a', (byte)'f', 0xE9]);
        var target = temp.File("data.txt");
        Link.CreateSymbolicLink(temp[name], target);

        var path = Local(FileManagerExpansion.GioFileUri(temp.Path) + "/caf%E9", windows: false);

        Assert.Equal(temp[name], path);
        Assert.Equal(LinkKind.SymbolicLink, Link.Inspect(path).Kind);
    }

    [Theory]
    [InlineData("file://localhost/tmp/x", "/tmp/x")]
    [InlineData("file://LocalHost/tmp/x", "/tmp/x")]
    [InlineData("file://localhost", "/")]
    public void Localhost_is_this_computer(string uri, string expected)
    {
        Assert.Equal(expected, Local(uri, windows: false));
    }

    [Theory]
    [InlineData("sftp://host/home/me/x")]
    [InlineData("smb://server/share/a.txt")]
    [InlineData("trash:///deleted.txt")]
    [InlineData("recent:///")]
    [InlineData("file://server/share/a.txt")]
    [InlineData("file://192.168.1.2/home/me")]
    public void Another_scheme_or_another_computer_is_not_local_off_Windows(string uri)
    {
        Assert.False(FileUri.TryGetLocalPath(uri, windows: false, out var path));
        Assert.Equal(uri, path);
    }

    [Theory]
    [InlineData("file:///C:/Users/me/a%20b.txt", @"C:\Users\me\a b.txt")]
    [InlineData("file://localhost/D:/data", @"D:\data")]
    [InlineData("file:///c:/", @"c:\")]
    [InlineData("file://server/share/dir%20x/a.txt", @"\\server\share\dir x\a.txt")]
    [InlineData("file://server", @"\\server\")]
    [InlineData("file:////server/share/a.txt", @"\\server\share\a.txt")]
    public void On_Windows_a_drive_URI_is_a_DOS_path_and_a_host_is_a_UNC_server(string uri, string expected)
    {
        Assert.Equal(expected, Local(uri, windows: true));
    }

    [Theory]
    [InlineData("sftp://host/home/me/x")]
    [InlineData("smb://server/share/a.txt")]
    public void On_Windows_another_scheme_is_not_local_either(string uri)
    {
        Assert.False(FileUri.TryGetLocalPath(uri, windows: true, out var path));
        Assert.Equal(uri, path);
    }

    [Fact]
    public void The_public_rule_is_this_platform_s()
    {
        Assert.True(FileUri.TryGetLocalPath("file:///tmp/x", out var path));
        Assert.Equal(OperatingSystem.IsWindows() ? @"\tmp\x" : "/tmp/x", path);
        Assert.Equal(OperatingSystem.IsWindows(), FileUri.TryGetLocalPath("file://server/share", out _));
    }
}
