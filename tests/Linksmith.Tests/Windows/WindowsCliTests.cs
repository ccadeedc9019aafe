using System.Text.Json;

namespace Linksmith.Tests.Windows;

/// <summary>
/// The <c>mklink</c>, <c>info</c> and <c>unlink</c> commands on Windows, for each kind of link,
/// run in-process (see <see cref="InProcessCli"/>) against the real kernel32.
/// </summary>
[Trait("Platform", "Windows")]
public sealed class WindowsCliTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public async Task Mklink_without_a_switch_makes_a_file_symlink_storing_the_target_as_typed()
    {
        await WindowsHost.RequireSymbolicLinksAsync();
        temp.File("data.txt", "through the link");

        var result = InProcessCli.Run("mklink", temp["link.txt"], "data.txt");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal($"symbolic link created for {temp["link.txt"]} <<===>> data.txt", result.Out.TrimEnd());
        var info = Link.Inspect(temp["link.txt"]);
        Assert.Equal(LinkKind.SymbolicLink, info.Kind);
        Assert.Equal("data.txt", info.Target);
        Assert.False(info.TargetIsDirectory);
        Assert.Equal("through the link", File.ReadAllText(temp["link.txt"]));
    }

    [Theory]
    [InlineData("/D")]
    [InlineData("/d")]
    public async Task Mklink_D_makes_a_directory_symlink(string directorySwitch)
    {
        await WindowsHost.RequireSymbolicLinksAsync();
        temp.File("dir/inside.txt");

        var result = InProcessCli.Run("mklink", directorySwitch, temp["link"], "dir");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal($"symbolic link created for {temp["link"]} <<===>> dir", result.Out.TrimEnd());
        var info = Link.Inspect(temp["link"]);
        Assert.Equal(LinkKind.SymbolicLink, info.Kind);
        Assert.True(info.TargetIsDirectory);
        Assert.Equal(["inside.txt"], Directory.GetFiles(temp["link"]).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Mklink_J_makes_a_junction()
    {
        await WindowsHost.RequireJunctionsAsync();
        temp.File("dir/inside.txt");

        var result = InProcessCli.Run("mklink", "/J", temp["link"], temp["dir"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal($"Junction created for {temp["link"]} <<===>> {temp["dir"]}", result.Out.TrimEnd());
        Assert.Equal(string.Empty, result.Error);
        var info = Link.Inspect(temp["link"]);
        Assert.Equal(LinkKind.Junction, info.Kind);
        Assert.Equal(temp["dir"], info.Target);
        Assert.Equal(temp["dir"], new DirectoryInfo(temp["link"]).LinkTarget);
    }

    [Fact]
    public async Task Mklink_H_makes_a_hard_link()
    {
        await WindowsHost.RequireWindowsAsync();
        temp.File("data.txt");

        var result = InProcessCli.Run("mklink", "/H", temp["link.txt"], temp["data.txt"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal($"Hardlink created for {temp["link.txt"]} <<===>> {temp["data.txt"]}", result.Out.TrimEnd());
        Assert.Equal(Link.Inspect(temp["data.txt"]).Identity, Link.Inspect(temp["link.txt"]).Identity);
        Assert.Equal(2, Link.Inspect(temp["data.txt"]).LinkCount);
    }

    [Fact]
    public async Task Info_reports_every_kind_of_link_as_json()
    {
        await WindowsHost.RequireSymbolicLinksAsync();
        await WindowsHost.RequireJunctionsAsync();
        temp.File("data.txt");
        temp.Dir("dir");
        Link.CreateSymbolicLink(temp["file-link"], temp["data.txt"]);
        Link.CreateSymbolicLink(temp["dir-link"], temp["dir"], new SymbolicLinkOptions { Style = TargetStyle.Absolute });
        Link.CreateSymbolicLink(temp["dangling"], temp["nowhere"]);
        Link.CreateJunction(temp["junction"], temp["dir"]);
        Link.CreateHardLink(temp["hard"], temp["data.txt"]);
        string[] names = ["file-link", "dir-link", "dangling", "junction", "hard", "dir"];

        var result = InProcessCli.Run(["info", "--json", "--within", temp.Path, .. names.Select(name => temp[name])]);

        Assert.Equal(0, result.ExitCode);
        using var document = JsonDocument.Parse(result.Out);
        var items = document.RootElement.EnumerateArray().ToDictionary(e => Path.GetFileName(e.GetProperty("path").GetString()!));
        Assert.Equal(names.Order(), items.Keys.Order());
        Assert.Equal("symlink", items["file-link"].GetProperty("kind").GetString());
        Assert.Equal("data.txt", items["file-link"].GetProperty("target").GetString());
        Assert.Equal(temp["data.txt"], items["file-link"].GetProperty("resolvedTarget").GetString());
        Assert.True(items["file-link"].GetProperty("relative").GetBoolean());
        Assert.Equal("symlink", items["dir-link"].GetProperty("kind").GetString());
        Assert.Equal(temp["dir"], items["dir-link"].GetProperty("target").GetString());
        Assert.False(items["dir-link"].GetProperty("relative").GetBoolean());
        Assert.True(items["dir-link"].GetProperty("targetIsDirectory").GetBoolean());
        Assert.True(items["dangling"].GetProperty("dangling").GetBoolean());
        Assert.Equal("junction", items["junction"].GetProperty("kind").GetString());
        Assert.Equal(temp["dir"], items["junction"].GetProperty("target").GetString());
        Assert.True(items["junction"].GetProperty("targetIsDirectory").GetBoolean());
        Assert.False(items["junction"].GetProperty("dangling").GetBoolean());
        Assert.Equal("file", items["hard"].GetProperty("kind").GetString());
        Assert.Equal(2, items["hard"].GetProperty("linkCount").GetInt32());
        Assert.Equal([temp["data.txt"]], items["hard"].GetProperty("otherNames").EnumerateArray().Select(n => n.GetString()));
        Assert.Equal("directory", items["dir"].GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Info_on_a_junction_and_a_dangling_symlink_says_what_they_point_to()
    {
        await WindowsHost.RequireSymbolicLinksAsync();
        await WindowsHost.RequireJunctionsAsync();
        temp.Dir("dir");
        Link.CreateJunction(temp["junction"], temp["dir"]);
        Link.CreateSymbolicLink(temp["dangling"], temp["nowhere"]);

        var result = InProcessCli.Run("info", temp["junction"], temp["dangling"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"target:      {temp["dir"]} (absolute)", result.Out, StringComparison.Ordinal);
        Assert.Contains("target:      nowhere (relative)", result.Out, StringComparison.Ordinal);
        Assert.Contains("dangling:    yes (nothing there)", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Info_on_a_hard_linked_file_lists_its_other_names_without_within()
    {
        // Without --within, Windows asks FindFirstFileNameW or, where that is missing (Wine),
        // walks the whole volume: the small test volume, as C:\ under Wine is the whole prefix.
        var otherVolume = await WindowsHost.RequireOtherVolumeAsync();
        var folder = Directory.CreateDirectory(Path.Combine(otherVolume, "linksmith-tests-" + Guid.NewGuid().ToString("N")[..12])).FullName;
        try
        {
            var original = Path.Combine(folder, "data.txt");
            File.WriteAllText(original, "content");
            var second = Path.Combine(folder, "second.txt");
            Link.CreateHardLink(second, original);

            var result = InProcessCli.Run("info", "--json", second);

            Assert.Equal(0, result.ExitCode);
            using var document = JsonDocument.Parse(result.Out);
            Assert.Equal([original], document.RootElement[0].GetProperty("otherNames").EnumerateArray().Select(n => n.GetString()));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Unlink_removes_each_kind_of_link_but_never_its_target()
    {
        await WindowsHost.RequireSymbolicLinksAsync();
        await WindowsHost.RequireJunctionsAsync();
        temp.File("dir/keep.txt", "kept");
        temp.File("data.txt", "data");
        Link.CreateSymbolicLink(temp["file-link"], temp["data.txt"]);
        Link.CreateSymbolicLink(temp["dir-link"], temp["dir"]);
        Link.CreateJunction(temp["junction"], temp["dir"]);
        Link.CreateSymbolicLink(temp["dangling"], temp["nowhere"]);
        Link.CreateHardLink(temp["second"], temp["data.txt"]);

        string[] links = ["file-link", "dir-link", "junction", "dangling", "second"];

        var result = InProcessCli.Run(["unlink", .. links.Select(name => temp[name])]);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(string.Empty, result.Error);
        Assert.All(links, name => Assert.Equal(LinkKind.Missing, Link.Inspect(temp[name]).Kind));
        Assert.Equal("kept", File.ReadAllText(temp["dir/keep.txt"]));
        Assert.Equal("data", File.ReadAllText(temp["data.txt"]));
        Assert.Equal(1, Link.Inspect(temp["data.txt"]).LinkCount);
        Assert.Contains($"removed junction {temp["junction"]} -> {temp["dir"]}", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unlink_refuses_a_real_file_and_a_real_directory_with_exit_1()
    {
        await WindowsHost.RequireWindowsAsync();
        temp.File("data.txt", "precious");
        temp.File("dir/keep.txt");

        var result = InProcessCli.Run("unlink", temp["data.txt"], temp["dir"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("precious", File.ReadAllText(temp["data.txt"]));
        Assert.True(File.Exists(temp["dir/keep.txt"]));
    }
}
