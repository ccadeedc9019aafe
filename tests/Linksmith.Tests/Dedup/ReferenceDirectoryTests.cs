namespace Linksmith.Tests.Dedup;

/// <summary>
/// <c>dedupe --reference DIR</c>: a reference copy of a photo folder and a working copy. The
/// reference files are compared but never changed, and they survive; hard links (on every
/// platform) and reflinks (XFS and Btrfs images, Linux only).
/// </summary>
public sealed class ReferenceDirectoryTests : IDisposable
{
    private static readonly DateTime Old = new(2015, 7, 1, 10, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Newer = new(2024, 2, 3, 4, 5, 6, DateTimeKind.Utc);

    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    /// <summary>
    /// reference/ holds the photos as archived (its two copies of one photo included); work/ a
    /// working copy: the same photos (older mtimes, so without --reference work would survive),
    /// one edited, one new, and a second copy of a photo.
    /// </summary>
    private (string Reference, string Work) MakePhotoFolders(string root)
    {
        var reference = Path.Combine(root, "reference");
        var work = Path.Combine(root, "work");
        for (var i = 0; i < 4; i++)
        {
            Write(Path.Combine(reference, "2019", $"IMG_{i}.jpg"), Photo(i), Newer);
            Write(Path.Combine(work, "2019", $"IMG_{i}.jpg"), i == 2 ? Flip(Photo(i)) : Photo(i), Old);
        }

        Write(Path.Combine(reference, "2019", "IMG_0_copy.jpg"), Photo(0), Newer);
        Write(Path.Combine(work, "new", "IMG_9.jpg"), Photo(9), Old);
        Write(Path.Combine(work, "albums", "IMG_1.jpg"), Photo(1), Old);
        return (reference, work);
    }

    [Fact]
    public void Hard_linking_leaves_every_reference_file_as_it_was_and_links_the_working_copy_to_it()
    {
        var (reference, work) = MakePhotoFolders(temp.Path);
        var before = Facts(reference);

        var result = Deduplicator.Run(Options([work], [reference], reflink: false), TestContext.Current.CancellationToken);

        Assert.Empty(result.Errors);
        Assert.Equal(before.Keys, Facts(reference).Keys);
        foreach (var (path, facts) in Facts(reference))
        {
            // Bytes, inode, mode and mtime; the link count of a survivor grows.
            Assert.Equal(before[path] with { Links = facts.Links }, facts);
        }

        var photo0 = Path.Combine(reference, "2019", "IMG_0.jpg");
        var photo1 = Path.Combine(reference, "2019", "IMG_1.jpg");
        Assert.Equal(Inode(photo0), Inode(Path.Combine(work, "2019", "IMG_0.jpg")));
        Assert.Equal(Inode(photo1), Inode(Path.Combine(work, "2019", "IMG_1.jpg")));
        Assert.Equal(Inode(photo1), Inode(Path.Combine(work, "albums", "IMG_1.jpg")));
        Assert.Equal(Inode(Path.Combine(reference, "2019", "IMG_3.jpg")), Inode(Path.Combine(work, "2019", "IMG_3.jpg")));
        // The edited photo, the new one, and the reference's own second copy stay separate files.
        Assert.NotEqual(Inode(Path.Combine(reference, "2019", "IMG_2.jpg")), Inode(Path.Combine(work, "2019", "IMG_2.jpg")));
        Assert.NotEqual(Inode(photo0), Inode(Path.Combine(reference, "2019", "IMG_0_copy.jpg")));
        Assert.All(result.Groups, g => Assert.StartsWith(reference + Path.DirectorySeparatorChar, g.Keep, StringComparison.Ordinal));
        Assert.All(result.Groups.SelectMany(g => g.Duplicates), d => Assert.StartsWith(work + Path.DirectorySeparatorChar, d, StringComparison.Ordinal));
        Assert.Equal(4L * 10_000, result.SavedBytes);
    }

    [Fact]
    public void A_set_with_no_file_outside_the_reference_directories_is_left_alone()
    {
        var (reference, work) = MakePhotoFolders(temp.Path);
        var before = Facts(reference);

        var result = Deduplicator.Run(Options([work], [reference], reflink: false, apply: false), TestContext.Current.CancellationToken);
        var referenceOnly = Deduplicator.Run(Options([reference], [reference], reflink: false), TestContext.Current.CancellationToken);

        Assert.DoesNotContain(result.Groups, g => g.Duplicates.Any(d => d.StartsWith(reference, StringComparison.Ordinal)));
        Assert.Empty(referenceOnly.Groups);
        Assert.Equal(0, referenceOnly.SavedBytes);
        Assert.Equal(before, Facts(reference));
    }

    [Fact]
    public void The_cli_takes_reference_more_than_once()
    {
        var (reference, work) = MakePhotoFolders(temp.Path);
        var second = Path.Combine(temp.Path, "second reference");
        Write(Path.Combine(second, "IMG_9.jpg"), Photo(9), Newer);
        var environment = new Dictionary<string, string> { ["LINKSMITH_STATE_DIR"] = temp["state"] };

        var planned = CliRunner.RunWithEnvironment(temp.Path, environment, "dedupe", "--apply", "--dry-run", "--reference", reference, "--reference", second, work);

        Assert.Equal(0, planned.ExitCode);
        Assert.Contains($"would link {Path.Combine(work, "new", "IMG_9.jpg")} -> {Path.Combine(second, "IMG_9.jpg")}", planned.Out, StringComparison.Ordinal);
        Assert.Contains($"would link {Path.Combine(work, "2019", "IMG_0.jpg")} -> {Path.Combine(reference, "2019", "IMG_0.jpg")}", planned.Out, StringComparison.Ordinal);
        Assert.DoesNotContain($"would link {Path.Combine(reference, "2019", "IMG_0_copy.jpg")}", planned.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("xfs")]
    [InlineData("btrfs")]
    public void Sharing_blocks_leaves_every_reference_file_as_it_was_and_shares_the_working_copy_with_it(string type)
    {
        Platform.SkipOnWindows($"shares blocks on a {type} image loop-mounted (root on Linux) and reads the sharing back with FIEMAP; there is no ReFS volume to clone blocks on");
        var root = temp.MountImage("fs", type);
        var (reference, work) = MakePhotoFolders(root);
        var before = Facts(reference);
        var workBefore = Facts(work);

        var result = Deduplicator.Run(Options([work], [reference], reflink: true), TestContext.Current.CancellationToken);

        Assert.Empty(result.Errors);
        Assert.Equal(before, Facts(reference));
        Assert.Equal(workBefore, Facts(work));
        Assert.All(result.Groups, g => Assert.StartsWith(reference + Path.DirectorySeparatorChar, g.Keep, StringComparison.Ordinal));
        Assert.Equal(4L * 10_000, result.SavedBytes);
        Assert.Equal(0, SharedBytes(Path.Combine(work, "2019", "IMG_2.jpg")));
        Assert.Equal(0, SharedBytes(Path.Combine(work, "new", "IMG_9.jpg")));
        Assert.True(SharedBytes(Path.Combine(work, "albums", "IMG_1.jpg")) >= 10_000);
    }

    private DedupeOptions Options(string[] roots, string[] references, bool reflink, bool apply = true) => new()
    {
        Roots = roots,
        ReferenceDirectories = references,
        Apply = apply,
        Reflink = reflink,
        StateDatabasePath = Path.Combine(temp.Path, "state", "state.db"),
    };

    /// <summary>Per file: content, inode, mode (on Windows, which has none, its attributes), mtime and link count.</summary>
    private static Dictionary<string, FileFacts> Facts(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToDictionary(
            p => p,
            p => new FileFacts(Convert.ToHexString(File.ReadAllBytes(p)).GetHashCode(StringComparison.Ordinal), Inode(p), OperatingSystem.IsWindows() ? File.GetAttributes(p).ToString() : File.GetUnixFileMode(p).ToString(), File.GetLastWriteTimeUtc(p), Link.Inspect(p).LinkCount));

    private static FileIdentity Inode(string path) => Link.Inspect(path).Identity!.Value;

    private static long SharedBytes(string path)
    {
        using var handle = File.OpenHandle(path);
        return FileExtents.Summarize((int)handle.DangerousGetHandle(), path)!.Value.SharedBytes;
    }

    private static void Write(string path, byte[] content, DateTime modified)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        File.SetLastWriteTimeUtc(path, modified);
    }

    private static byte[] Photo(int seed)
    {
        var bytes = new byte[10_000];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static byte[] Flip(byte[] content)
    {
        var copy = (byte[])content.Clone();
        copy[5_000] ^= 0x5a;
        return copy;
    }

    private readonly record struct FileFacts(int Content, FileIdentity Inode, string Mode, DateTime Modified, long Links);
}
