using System.Text.Json;

namespace Linksmith.Tests.Trees;

/// <summary>
/// <c>--xattrs</c> and <c>move</c>: extended attributes and POSIX ACLs as <c>getfattr</c> and
/// <c>getfacl</c> show them, through the real CLI, on the test directory's file system (ext4 here)
/// and on a tmpfs.
/// </summary>
[Trait("Platform", "Linux")]
public sealed class ExtendedAttributeTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public ExtendedAttributeTests()
    {
        Platform.RequireLinux("extended attributes through getfattr/setfattr and POSIX ACLs are Linux's");
        foreach (var tool in new[] { "getfattr", "setfattr", "getfacl", "setfacl" })
        {
            if (!new[] { "/usr/bin", "/bin", "/usr/sbin" }.Any(folder => File.Exists(Path.Combine(folder, tool))))
            {
                Assert.Skip($"{tool} is not installed (apt-get install attr acl; .ci/run does)");
            }
        }
    }

    public void Dispose() => temp.Dispose();

    /// <summary>The folder the trees live in: the test directory itself, or a tmpfs mounted in it.</summary>
    private string Place(string fileSystem) => fileSystem == "disk" ? temp.Path : Tmpfs("fs");

    private string Tmpfs(string relative)
    {
        var mounted = temp.TryMountTmpfs(relative);
        if (mounted is null)
        {
            Assert.Skip("mounting a tmpfs needs root on Linux");
        }

        return mounted;
    }

    /// <summary>A tree whose file and folder carry user attributes and ACLs (as root also a trusted one), and a symlink.</summary>
    private static string MakeSource(string root)
    {
        var source = Path.Combine(root, "src");
        Directory.CreateDirectory(Path.Combine(source, "sub"));
        File.WriteAllText(Path.Combine(source, "a.txt"), "alpha");
        File.WriteAllText(Path.Combine(source, "sub", "b.txt"), "beta");
        File.CreateSymbolicLink(Path.Combine(source, "link"), "a.txt");
        Tool("setfattr", "-n", "user.comment", "-v", "hello", Path.Combine(source, "a.txt"));
        Tool("setfattr", "-n", "user.empty", Path.Combine(source, "a.txt"));
        Tool("setfattr", "-n", "user.folder", "-v", "0x00ff10", Path.Combine(source, "sub"));
        Tool("setfacl", "-m", "u:nobody:rw", Path.Combine(source, "a.txt"));
        Tool("setfacl", "-d", "-m", "u:nobody:rx", Path.Combine(source, "sub"));
        if (Platform.IsRoot)
        {
            Tool("setfattr", "-n", "trusted.origin", "-v", "root-only", Path.Combine(source, "sub", "b.txt"));
        }

        return source;
    }

    private static readonly string[] Entries = ["a.txt", "sub", "sub/b.txt"];

    private static string Tool(string tool, params string[] arguments)
    {
        var result = Processes.Run(tool, arguments);
        Assert.True(result.ExitCode == 0, $"{tool} {string.Join(' ', arguments)}: {result.Error}");
        return result.Out;
    }

    /// <summary>Every attribute (any namespace) as getfattr dumps it, without the "# file:" line.</summary>
    private static string Attributes(string path) =>
        string.Join('\n', Tool("getfattr", "-d", "-m", "-", "-e", "hex", "--absolute-names", path).Split('\n').Where(line => line.Length > 0 && !line.StartsWith("# file:", StringComparison.Ordinal)));

    private static string Acl(string path) => Tool("getfacl", "-p", "--omit-header", path);

    private static void AssertSameAttributes(string source, string copy)
    {
        foreach (var entry in Entries)
        {
            var expected = Attributes(Path.Combine(source, entry));
            Assert.NotEqual(string.Empty, expected);
            Assert.Equal(expected, Attributes(Path.Combine(copy, entry)));
            Assert.Equal(Acl(Path.Combine(source, entry)), Acl(Path.Combine(copy, entry)));
        }
    }

    [Theory]
    [InlineData("disk", "copy")]
    [InlineData("disk", "mirror")]
    [InlineData("disk", "clone")]
    [InlineData("tmpfs", "copy")]
    [InlineData("tmpfs", "mirror")]
    public void With_xattrs_a_copy_carries_attributes_and_acls_of_files_and_folders(string fileSystem, string command)
    {
        var root = Place(fileSystem);
        var source = MakeSource(root);

        // (A clone's files are the source's own inodes; its folders are new and get the attributes.)
        var result = CliRunner.Run(root, command, "--xattrs", "src", "dst");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal(string.Empty, result.Error);
        AssertSameAttributes(source, Path.Combine(root, "dst"));
        Assert.Equal("a.txt", File.ResolveLinkTarget(Path.Combine(root, "dst", "link"), returnFinalTarget: false)!.ToString().Split('/')[^1]);
        if (Platform.IsRoot)
        {
            Assert.Contains("trusted.origin", Attributes(Path.Combine(root, "dst", "sub", "b.txt")), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("copy")]
    [InlineData("mirror")]
    [InlineData("backup")]
    public void Without_xattrs_no_attribute_or_acl_is_copied(string command)
    {
        MakeSource(temp.Path);

        var result = CliRunner.Run(temp.Path, command, "src", "dst");

        Assert.True(result.ExitCode == 0, result.Error);
        var copy = command == "backup" ? Directory.GetDirectories(temp["dst"]).Single() : temp["dst"];
        foreach (var entry in Entries)
        {
            Assert.Equal(string.Empty, Attributes(Path.Combine(copy, entry)));
        }
    }

    [Fact]
    public void Mirror_with_xattrs_follows_attribute_changes_that_left_size_and_time_alone()
    {
        var source = MakeSource(temp.Path);
        Assert.Equal(0, CliRunner.Run(temp.Path, "mirror", "--xattrs", "src", "dst").ExitCode);
        Tool("setfattr", "-n", "user.comment", "-v", "changed", Path.Combine(source, "a.txt"));
        Tool("setfattr", "-x", "user.folder", Path.Combine(source, "sub"));

        var result = CliRunner.Run(temp.Path, "mirror", "--xattrs", "--json", "src", "dst");

        Assert.True(result.ExitCode == 0, result.Error);
        AssertSameAttributes(source, temp["dst"]);
        Assert.DoesNotContain("user.folder", Attributes(temp["dst/sub"]), StringComparison.Ordinal);
        // Only the file whose attributes changed was copied again.
        Assert.Equal(1, JsonDocument.Parse(result.Out).RootElement.GetProperty("copied").GetInt32());
    }

    [Fact]
    public void Backup_with_xattrs_links_a_file_only_when_its_attributes_are_unchanged_too()
    {
        var source = MakeSource(temp.Path);
        Assert.Equal(0, CliRunner.Run(temp.Path, "backup", "--xattrs", "src", "repo").ExitCode);
        Tool("setfattr", "-n", "user.comment", "-v", "changed", Path.Combine(source, "a.txt"));
        Thread.Sleep(1100);

        var result = CliRunner.Run(temp.Path, "backup", "--xattrs", "src", "repo");

        Assert.True(result.ExitCode == 0, result.Error);
        var snapshots = Directory.GetDirectories(temp["repo"]).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(2, snapshots.Length);
        AssertSameAttributes(source, snapshots[1]);
        Assert.Contains("hello", HexText(Attributes(Path.Combine(snapshots[0], "a.txt"))), StringComparison.Ordinal);
        Assert.NotEqual(Link.Inspect(Path.Combine(snapshots[0], "a.txt")).Identity, Link.Inspect(Path.Combine(snapshots[1], "a.txt")).Identity);
        Assert.Equal(Link.Inspect(Path.Combine(snapshots[0], "sub", "b.txt")).Identity, Link.Inspect(Path.Combine(snapshots[1], "sub", "b.txt")).Identity);
    }

    [Theory]
    [InlineData("disk")]
    [InlineData("tmpfs")]
    public void Restore_with_xattrs_brings_back_what_backup_with_xattrs_kept_for_a_tree_and_for_one_file(string fileSystem)
    {
        var root = Place(fileSystem);
        var source = MakeSource(root);
        var backup = CliRunner.Run(root, "backup", "--xattrs", "src", "repo");
        Assert.True(backup.ExitCode == 0, backup.Error);
        var snapshot = Path.GetFileName(Directory.GetDirectories(Path.Combine(root, "repo")).Single());

        var tree = CliRunner.Run(root, "snapshots", "restore", "--xattrs", "repo", snapshot, "out");
        var file = CliRunner.Run(root, "snapshots", "restore", "--xattrs", "repo", snapshot + "/a.txt", "one");
        var bare = CliRunner.Run(root, "snapshots", "restore", "repo", snapshot, "bare");

        Assert.True(tree.ExitCode == 0, tree.Error);
        Assert.Equal(string.Empty, tree.Error);
        AssertSameAttributes(source, Path.Combine(root, "out"));
        if (Platform.IsRoot)
        {
            Assert.Contains("trusted.origin", Attributes(Path.Combine(root, "out", "sub", "b.txt")), StringComparison.Ordinal);
        }

        Assert.True(file.ExitCode == 0, file.Error);
        Assert.Equal(Attributes(Path.Combine(source, "a.txt")), Attributes(Path.Combine(root, "one", "a.txt")));
        Assert.Equal(Acl(Path.Combine(source, "a.txt")), Acl(Path.Combine(root, "one", "a.txt")));
        // Without the flag a restore is a copy without attributes, as rsync without -X.
        Assert.True(bare.ExitCode == 0, bare.Error);
        foreach (var entry in Entries)
        {
            Assert.Equal(string.Empty, Attributes(Path.Combine(root, "bare", entry)));
        }
    }

    [Fact]
    public void A_move_to_another_file_system_keeps_attributes_and_acls_without_being_asked()
    {
        var source = MakeSource(temp.Path);
        var expected = Entries.ToDictionary(entry => entry, entry => (Attributes(Path.Combine(source, entry)), Acl(Path.Combine(source, entry))));
        var away = Tmpfs("away");

        var result = CliRunner.RunWithEnvironment(temp.Path, new Dictionary<string, string> { ["LINKSMITH_STATE_DIR"] = temp.Dir("state") }, "move", "src", away);

        Assert.True(result.ExitCode == 0, result.Error);
        foreach (var entry in Entries)
        {
            Assert.Equal(expected[entry], (Attributes(Path.Combine(away, "src", entry)), Acl(Path.Combine(away, "src", entry))));
        }
    }

    [Fact]
    public void An_attribute_the_destination_cannot_store_is_a_warning_naming_file_and_attribute_and_the_copy_goes_on()
    {
        // A 16 KB value: tmpfs keeps it; ext4 (4 KB blocks, no ea_inode) has no room for it.
        var tmpfs = Tmpfs("fs");
        if (Processes.Run("stat", ["-f", "-c", "%T", temp.Path]).Out.Trim() != "ext2/ext3")
        {
            Assert.Skip("the test directory is not on ext4, whose 4 KB attribute limit this test relies on");
        }

        var big = Path.Combine(tmpfs, "src", "big.bin");
        Directory.CreateDirectory(Path.GetDirectoryName(big)!);
        File.WriteAllText(big, "data");
        Tool("setfattr", "-n", "user.big", "-v", "0x" + new string('a', 32_000), big);
        Tool("setfattr", "-n", "user.small", "-v", "kept", big);

        var result = CliRunner.Run(temp.Path, "copy", "--xattrs", Path.Combine(tmpfs, "src"), "dst");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"linksmith: warning: {temp["dst/big.bin"]}: extended attribute user.big not kept", result.Error, StringComparison.Ordinal);
        Assert.Equal("data", File.ReadAllText(temp["dst/big.bin"]));
        Assert.Contains("user.small", Attributes(temp["dst/big.bin"]), StringComparison.Ordinal);

        // --json carries the same warning as {path, message}.
        var json = CliRunner.Run(temp.Path, "copy", "--xattrs", "--json", Path.Combine(tmpfs, "src"), "dst-json");

        Assert.Equal(0, json.ExitCode);
        using var report = JsonDocument.Parse(json.Out);
        var warning = Assert.Single(report.RootElement.GetProperty("warnings").EnumerateArray());
        Assert.Equal(temp["dst-json/big.bin"], warning.GetProperty("path").GetString());
        Assert.StartsWith("extended attribute user.big not kept: ", warning.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, report.RootElement.GetProperty("errors").GetArrayLength());
    }

    private static string HexText(string dump) =>
        string.Concat(dump.Split('\n').Select(line => line.Split("=0x") is [_, var hex] ? System.Text.Encoding.UTF8.GetString(Convert.FromHexString(hex)) : string.Empty));
}
