using System.Text.Json;

namespace Linksmith.Tests.Cli;


public sealed class InspectingCliTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Info_reports_every_kind_of_link_as_json()
    {
        temp.File("data.txt");
        temp.Dir("dir");
        Link.CreateSymbolicLink(temp["file-link"], temp["data.txt"]);
        Link.CreateSymbolicLink(temp["dir-link"], temp["dir"], new SymbolicLinkOptions { Style = TargetStyle.Absolute });
        Link.CreateSymbolicLink(temp["dangling"], temp["nowhere"]);
        Link.CreateHardLink(temp["hard"], temp["data.txt"]);

        var result = CliRunner.Run(temp.Path, "info", "--json", "--within", ".", "file-link", "dir-link", "dangling", "hard", "dir");

        Assert.Equal(0, result.ExitCode);
        using var document = JsonDocument.Parse(result.Out);
        var items = document.RootElement.EnumerateArray().ToDictionary(e => Path.GetFileName(e.GetProperty("path").GetString()!));
        Assert.Equal("symlink", items["file-link"].GetProperty("kind").GetString());
        Assert.Equal("data.txt", items["file-link"].GetProperty("target").GetString());
        Assert.Equal(temp["data.txt"], items["file-link"].GetProperty("resolvedTarget").GetString());
        Assert.True(items["file-link"].GetProperty("relative").GetBoolean());
        Assert.False(items["dir-link"].GetProperty("relative").GetBoolean());
        Assert.True(items["dir-link"].GetProperty("targetIsDirectory").GetBoolean());
        Assert.True(items["dangling"].GetProperty("dangling").GetBoolean());
        Assert.Equal("file", items["hard"].GetProperty("kind").GetString());
        Assert.Equal(2, items["hard"].GetProperty("linkCount").GetInt32());
        Assert.Equal([temp["data.txt"]], items["hard"].GetProperty("otherNames").EnumerateArray().Select(n => n.GetString()));
        Assert.Equal("directory", items["dir"].GetProperty("kind").GetString());
        var inode = Link.Inspect(temp["hard"]).Identity!.Value.FileIdText;
        Assert.Equal(inode, items["hard"].GetProperty("fileId").GetString());
        // Linux: the device as major:minor; Windows: the volume serial number in hex.
        Assert.Matches(OperatingSystem.IsWindows() ? "^[0-9A-F]{8}$" : @"^\d+:\d+$", items["hard"].GetProperty("volume").GetString()!);
    }

    [Fact]
    public void Info_on_a_dangling_link_exits_0_and_says_so()
    {
        Link.CreateSymbolicLink(temp["dangling"], temp["nowhere"]);

        var result = CliRunner.Run(temp.Path, "info", "dangling");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("dangling:    yes (nothing there)", result.Out, StringComparison.Ordinal);
        Assert.Contains("target:      nowhere (relative)", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Info_on_a_missing_path_exits_1()
    {
        var result = CliRunner.Run(temp.Path, "info", "missing");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("linksmith: error: missing: no such file or directory", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Hardlinks_lists_every_name_of_a_file()
    {
        temp.File("a/data.txt");
        temp.Dir("b");
        Link.CreateHardLink(temp["b/second"], temp["a/data.txt"]);
        Link.CreateHardLink(temp["third"], temp["a/data.txt"]);

        var text = CliRunner.Run(temp.Path, "hardlinks", "third", "--within", temp.Path);
        var json = CliRunner.Run(temp.Path, "hardlinks", "--json", "third", "--within", ".");

        Assert.Equal(0, text.ExitCode);
        Assert.Equal($"{temp["a/data.txt"]}\n{temp["b/second"]}\n{temp["third"]}\n", text.Out);
        using var document = JsonDocument.Parse(json.Out);
        Assert.Equal(3, document.RootElement.GetProperty("linkCount").GetInt32());
        Assert.Equal(3, document.RootElement.GetProperty("names").GetArrayLength());
    }

    [Fact]
    public void Hardlinks_without_within_says_it_searches_the_whole_file_system()
    {
        var mount = temp.TryMountTmpfs("fs");
        if (mount is null)
        {
            Assert.Skip("needs root to mount a small tmpfs to search as a whole file system");
        }

        File.WriteAllText(Path.Combine(mount, "data.txt"), "x");
        Link.CreateHardLink(Path.Combine(mount, "other"), Path.Combine(mount, "data.txt"));

        var result = CliRunner.Run(mount, "hardlinks", "data.txt");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"searching the whole file system mounted at {mount}", result.Error, StringComparison.Ordinal);
        Assert.Equal($"{mount}/data.txt\n{mount}/other\n", result.Out);
    }

    [Fact]
    public void Unlink_removes_links_but_never_their_targets()
    {
        temp.File("dir/keep.txt");
        temp.File("data.txt");
        Link.CreateSymbolicLink(temp["dir-link"], temp["dir"]);
        Link.CreateHardLink(temp["second"], temp["data.txt"]);

        var result = CliRunner.Run(temp.Path, "unlink", "dir-link", "second");

        Assert.Equal(0, result.ExitCode);
        Assert.False(Path.Exists(temp["dir-link"]));
        Assert.False(Path.Exists(temp["second"]));
        Assert.True(File.Exists(temp["dir/keep.txt"]));
        Assert.Equal(1, Link.Inspect(temp["data.txt"]).LinkCount);
    }

    [Fact]
    public void Unlink_refuses_a_real_file_and_a_real_directory_with_exit_1()
    {
        temp.File("data.txt", "precious");
        temp.File("dir/keep.txt");

        var result = CliRunner.Run(temp.Path, "unlink", "data.txt", "dir");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("linksmith: error: data.txt: is a file, not a link", result.Error, StringComparison.Ordinal);
        Assert.Contains("linksmith: error: dir: is a directory, not a link", result.Error, StringComparison.Ordinal);
        Assert.Equal("precious", File.ReadAllText(temp["data.txt"]));
        Assert.True(File.Exists(temp["dir/keep.txt"]));
    }
}
