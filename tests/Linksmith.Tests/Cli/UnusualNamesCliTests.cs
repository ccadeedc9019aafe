using System.Text.Json;

namespace Linksmith.Tests.Cli;

// Names with spaces and Unicode on every platform; the names Windows cannot have (a newline, bytes
// that are not UTF-8) skip there, saying so.
public sealed class UnusualNamesCliTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Names_with_spaces_and_unicode_work_end_to_end()
    {
        temp.File("my data ünï 🙂.txt");

        var result = CliRunner.Run(temp.Path, "symlink", "my data ünï 🙂.txt", "link with spaces");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("my data ünï 🙂.txt", new FileInfo(temp["link with spaces"]).LinkTarget);
    }

    [Fact]
    public void A_name_with_a_newline_stays_on_one_line_in_text_and_exact_in_json()
    {
        Platform.SkipOnWindows("a file name cannot hold a newline");
        temp.File("new\nline");

        var created = CliRunner.Run(temp.Path, "hardlink", "new\nline", "other");
        var text = CliRunner.Run(temp.Path, "hardlinks", "other", "--within", ".");
        var json = CliRunner.Run(temp.Path, "hardlinks", "other", "--within", ".", "--json");

        Assert.Equal(0, created.ExitCode);
        Assert.Contains(temp.Path + "/new\\nline\n", text.Out, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(json.Out);
        Assert.Contains(temp["new\nline"], document.RootElement.GetProperty("names").EnumerateArray().Select(n => n.GetString()));
    }

    [Fact]
    public void A_name_that_is_not_UTF8_can_be_linked_inspected_and_unlinked()
    {
        Platform.SkipOnWindows("names are UTF-16; a name whose bytes are not UTF-8 exists only on Linux (and the test passes it through bash)");
        var result = CliRunner.RunInBash(temp.Path, """
            set -e
            printf 'payload' > "$(printf 'caf\351')"
            $LINKSMITH hardlink "$(printf 'caf\351')" "$(printf 'x\377y')"
            $LINKSMITH symlink "$(printf 'caf\351')" link
            $LINKSMITH info --json "$(printf 'x\377y')" link
            $LINKSMITH unlink "$(printf 'x\377y')"
            """);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("x\\xffy =>", result.Out, StringComparison.Ordinal);
        Assert.Contains("\"path\": \"" + temp.Path + "/x\\udcffy\"", result.Out, StringComparison.Ordinal);
        Assert.Contains("\"target\": \"caf\\udce9\"", result.Out, StringComparison.Ordinal);
        Assert.Contains("removed hard link", result.Out, StringComparison.Ordinal);
        Assert.Equal("payload", File.ReadAllText(temp["link"]));
    }
}
