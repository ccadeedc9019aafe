using Linksmith.Interop;

namespace Linksmith.Tests.Reflinks;

/// <summary>
/// FIEMAP through <see cref="FileExtents"/> on real loop-mounted XFS and Btrfs: a reflinked copy's
/// extents are reported shared, a plain file's are not, and tmpfs says it has no extent map.
/// </summary>
[Trait("Platform", "Linux")]
public sealed class FileExtentsTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Theory]
    [InlineData("xfs")]
    [InlineData("btrfs")]
    public void A_reflinked_copy_reports_all_its_data_shared_and_a_plain_file_none(string type)
    {
        var root = temp.MountImage("fs", type);
        var original = Path.Combine(root, "original");
        File.WriteAllBytes(original, RandomBytes(3 << 20));
        var plain = Path.Combine(root, "plain");
        File.WriteAllBytes(plain, RandomBytes(1 << 20));

        using (var source = File.OpenHandle(original))
        using (var clone = File.OpenHandle(Path.Combine(root, "clone"), FileMode.CreateNew, FileAccess.ReadWrite))
        {
            Assert.Equal(0, Libc.ioctl((int)clone.DangerousGetHandle(), Libc.FICLONE, source.DangerousGetHandle()));
        }

        var cloned = Summary(Path.Combine(root, "clone"));
        var alone = Summary(plain);

        Assert.Equal(3L << 20, cloned.DataBytes);
        Assert.Equal(3L << 20, cloned.SharedBytes);
        Assert.Equal(1L << 20, alone.DataBytes);
        Assert.Equal(0, alone.SharedBytes);
    }

    [Fact]
    public void A_file_system_without_an_extent_map_says_so_instead_of_failing()
    {
        var root = temp.TryMountTmpfs("tmp");
        if (root is null)
        {
            Assert.Skip("mounting tmpfs needs root on Linux");
        }

        var file = Path.Combine(root, "file");
        File.WriteAllBytes(file, RandomBytes(4096));

        using var handle = File.OpenHandle(file);

        Assert.Null(FileExtents.Summarize((int)handle.DangerousGetHandle(), file));
    }

    private static ExtentSummary Summary(string path)
    {
        using var handle = File.OpenHandle(path);
        return FileExtents.Summarize((int)handle.DangerousGetHandle(), path) ?? throw new InvalidOperationException($"{path}: no extent map");
    }

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        new Random(count).NextBytes(bytes);
        return bytes;
    }
}
