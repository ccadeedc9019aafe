using System.Text;

namespace Linksmith.Tests.Library;

// Names Windows cannot have (a newline, '"', '?', '*', bytes that are not UTF-8) skip there, saying which.
public sealed class UnusualNamesTests : IDisposable
{
    private const string NoByteNames = "names and link texts are UTF-16; one whose bytes are not UTF-8 exists only on Linux";

    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Theory]
    [InlineData("with spaces and  double  spaces")]
    [InlineData(" leading and trailing ")]
    [InlineData("ünïcödé 日本語 🙂")]
    [InlineData("new\nline")]
    [InlineData("-starts-with-dash")]
    [InlineData("quotes ' \" $dollar ;&*?[")]
    public void Links_with_unusual_names_are_created_and_inspected(string name)
    {
        if (name.IndexOfAny(['\n', '"', '?', '*']) >= 0)
        {
            Platform.SkipOnWindows("a name cannot hold a newline, '\"', '?' or '*'");
        }

        var target = temp.File(name + ".target", "payload");

        var symlink = Link.CreateSymbolicLink(temp[name], target);
        var hardLink = Link.CreateHardLink(temp[name + ".hard"], target);

        Assert.Equal(name + ".target", symlink.Target);
        Assert.Equal("payload", File.ReadAllText(temp[name]));
        Assert.Equal(Link.Inspect(target).Identity, hardLink.Identity);
        Assert.Contains(temp[name + ".hard"], Link.FindHardLinkNames(target, temp.Path));
    }

    [Fact]
    public void A_name_that_is_not_UTF8_round_trips_through_the_library()
    {
        Platform.SkipOnWindows(NoByteNames);
        // "caf\xE9": Latin-1 é, invalid as UTF-8. .NET alone cannot name this file.
        var name = NativePath.FromBytes([(byte)'c', (byte)'a', (byte)'f', 0xE9]);
        Assert.Equal("caf\uDCE9", name);
        var target = temp.File("data.txt");

        Link.CreateSymbolicLink(temp[name], target);
        Link.CreateHardLink(temp[name + ".hard"], target);

        var listed = Processes.Run("ls", ["-1", temp.Path]).Out;
        Assert.Contains("caf", listed, StringComparison.Ordinal);
        var info = Link.Inspect(temp[name]);
        Assert.Equal(LinkKind.SymbolicLink, info.Kind);
        Assert.Equal("data.txt", info.Target);
        Assert.Contains(temp[name + ".hard"], Link.FindHardLinkNames(target, temp.Path));
        Link.Remove(temp[name]);
        Assert.Equal(LinkKind.Missing, Link.Inspect(temp[name]).Kind);
    }

    [Fact]
    public void A_symlink_target_that_is_not_UTF8_is_read_back_byte_for_byte()
    {
        Platform.SkipOnWindows(NoByteNames);
        var targetText = NativePath.FromBytes([0xFF, (byte)'x']);

        var info = Link.CreateSymbolicLink(temp["link"], targetText, new SymbolicLinkOptions { Style = TargetStyle.Verbatim });

        Assert.Equal(targetText, info.Target);
        Assert.Equal([0xFF, (byte)'x', 0], NativePath.ToNullTerminatedBytes(info.Target!));
    }

    [Fact]
    public void Native_names_round_trip_between_bytes_and_strings()
    {
        byte[][] samples =
        [
            Encoding.UTF8.GetBytes("plain"),
            Encoding.UTF8.GetBytes("ünïcödé 🙂"),
            [0x80],
            [0xC3],
            [0xED, 0xA0, 0x80],
            [(byte)'a', 0xFF, 0xFE, (byte)'b'],
        ];

        foreach (var bytes in samples)
        {
            var text = NativePath.FromBytes(bytes);
            Assert.Equal([.. bytes, 0], NativePath.ToNullTerminatedBytes(text));
        }
    }

    [Fact]
    public void A_path_of_4000_characters_works()
    {
        var directory = temp.Path;
        while (directory.Length < 3800)
        {
            directory = Path.Combine(directory, new string('d', 200));
        }

        Directory.CreateDirectory(directory);
        var target = Path.Combine(directory, "target.txt");
        File.WriteAllText(target, "deep");
        var link = Path.Combine(directory, new string('l', 3995 - directory.Length));
        Assert.InRange(link.Length, 3990, 4000);

        var info = Link.CreateSymbolicLink(link, target);
        var hard = Link.CreateHardLink(link + ".h", target);

        Assert.Equal("target.txt", info.Target);
        Assert.Equal(2, hard.LinkCount);
        Assert.Equal("deep", File.ReadAllText(link));
    }

    [Fact]
    public void A_path_longer_than_the_system_allows_gives_a_clear_error()
    {
        var target = temp.File("data.txt");
        var tooLongName = temp[new string('n', 300)];

        var error = Assert.Throws<LinkPathTooLongException>(() => Link.CreateSymbolicLink(tooLongName, target));

        Assert.Contains("too long", error.Reason, StringComparison.Ordinal);
    }
}
