namespace Linksmith.Tests;

/// <summary>A fresh directory on the real file system for one test, removed afterwards without following links.</summary>
public sealed class TempDirectory : IDisposable
{
    private readonly List<string> mounts = [];
    private readonly List<string> elsewhere = [];

    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "linksmith-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>The full path of <paramref name="relative"/>, written with '/' and spelled with the system's separator.</summary>
    public string this[string relative] => System.IO.Path.Combine(Path, Native(relative));

    /// <summary>
    /// The names in <paramref name="folder"/>, without Wine's own <c>.REPARSE_POINT</c> folder (where
    /// Wine keeps links' reparse data beside them; Windows has no such entry).
    /// </summary>
    public static IEnumerable<string> Names(string folder) =>
        Directory.EnumerateFileSystemEntries(folder)
            .Select(entry => System.IO.Path.GetFileName(entry))
            .Where(name => !(name == ".REPARSE_POINT" && Windows.WindowsHost.IsWine));

    /// <summary>A relative path written with '/' in the system's spelling ('\' on Windows), as Linksmith prints paths.</summary>
    public static string Native(string relative) => relative.Replace('/', System.IO.Path.DirectorySeparatorChar);

    /// <summary>
    /// Makes a symbolic link at <paramref name="link"/> whose text is <paramref name="target"/>: on
    /// Windows a directory link when the target (read from the link's folder) is a directory, as
    /// <c>mklink /D</c> would, since a file link to a folder cannot be entered there.
    /// </summary>
    public static string Symlink(string link, string target)
    {
        var resolved = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(link)!, target);
        if (OperatingSystem.IsWindows() && Directory.Exists(resolved))
        {
            Directory.CreateSymbolicLink(link, target);
        }
        else
        {
            System.IO.File.CreateSymbolicLink(link, target);
        }

        return link;
    }

    public string File(string relative, string content = "content")
    {
        var full = this[relative];
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        System.IO.File.WriteAllText(full, content);
        return full;
    }

    public string Dir(string relative)
    {
        var full = this[relative];
        Directory.CreateDirectory(full);
        return full;
    }

    /// <summary>Mounts a tmpfs of <paramref name="size"/> at <paramref name="relative"/> (root only): a second file system inside the test's directory.</summary>
    public string? TryMountTmpfs(string relative, string size = "8m")
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            return null;
        }

        var target = Dir(relative);
        var result = Processes.Run("mount", ["-t", "tmpfs", "-o", $"size={size}", "tmpfs", target]);
        if (result.ExitCode != 0)
        {
            return null;
        }

        mounts.Add(target);
        return target;
    }

    /// <summary>Like <see cref="TryMountImage"/>, but skips the test, saying why, where it cannot mount.</summary>
    public string MountImage(string relative, string type, long sizeBytes = 320L << 20)
    {
        var root = TryMountImage(relative, type, out var whyNot, sizeBytes);
        if (root is null)
        {
            Assert.Skip(whyNot);
        }

        return root;
    }

    /// <summary>
    /// Makes a file system of <paramref name="type"/> ("xfs", "btrfs", "ext4"; "xfs-noreflink" is
    /// XFS made with reflink=0) in a sparse image
    /// file and loop-mounts it at <paramref name="relative"/> (root only); null, with the reason
    /// in <paramref name="whyNot"/>, when this machine cannot (not root, no mkfs tool, no kernel support).
    /// </summary>
    public string? TryMountImage(string relative, string type, out string whyNot, long sizeBytes = 320L << 20)
    {
        whyNot = "";
        var reflink = type != "xfs-noreflink";
        type = reflink ? type : "xfs";
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            whyNot = $"mounting a {type} image needs root on Linux";
            return null;
        }

        var mkfs = new[] { "/usr/sbin", "/sbin", "/usr/bin" }.Select(d => System.IO.Path.Combine(d, $"mkfs.{type}")).FirstOrDefault(System.IO.File.Exists);
        if (mkfs is null)
        {
            whyNot = $"mkfs.{type} is not installed (apt-get install {(type == "xfs" ? "xfsprogs" : type == "btrfs" ? "btrfs-progs" : "e2fsprogs")})";
            return null;
        }

        var image = this[$".{relative.Replace('/', '_')}.img"];
        using (var stream = new FileStream(image, FileMode.CreateNew))
        {
            stream.SetLength(sizeBytes);
        }

        string[] format = type switch
        {
            "xfs" => ["-q", "-m", reflink ? "reflink=1" : "reflink=0", image],
            "btrfs" => ["-q", image],
            _ => ["-q", "-F", image],
        };
        var made = Processes.Run(mkfs, format);
        if (made.ExitCode != 0)
        {
            whyNot = $"mkfs.{type} failed: {(made.Out + made.Error).Trim()}";
            return null;
        }

        var target = Dir(relative);
        var mounted = Processes.Run("mount", ["-o", "loop", "-t", type, image, target]);
        if (mounted.ExitCode != 0)
        {
            whyNot = $"cannot mount a {type} image here: {(mounted.Out + mounted.Error).Trim()}";
            return null;
        }

        mounts.Add(target);
        return target;
    }

    /// <summary>
    /// A folder on another volume than this directory's, for moves across volumes: a tmpfs mounted
    /// at <paramref name="relative"/> on Linux (root only), on Windows a new folder under
    /// LINKSMITH_TEST_OTHER_VOLUME (drive Y: in the Wine pass), removed on dispose; null when there is none.
    /// </summary>
    public string? TryOtherVolume(string relative, string size = "8m")
    {
        if (!OperatingSystem.IsWindows())
        {
            return TryMountTmpfs(relative, size);
        }

        if (Environment.GetEnvironmentVariable(Windows.WindowsHost.OtherVolumeVariable) is not { Length: > 0 } volume || !System.IO.Directory.Exists(volume))
        {
            return null;
        }

        var folder = System.IO.Directory.CreateDirectory(System.IO.Path.Combine(volume, "linksmith-tests-" + Guid.NewGuid().ToString("N")[..12], relative)).FullName;
        elsewhere.Add(System.IO.Path.GetDirectoryName(folder)!);
        return folder;
    }

    /// <summary>
    /// <see cref="TryOtherVolume"/>, or the test skipped saying what is missing: root (for the
    /// tmpfs) on Linux, the test volume's variable on Windows.
    /// </summary>
    public string OtherVolume(string relative, string size = "8m")
    {
        var other = TryOtherVolume(relative, size);
        if (other is null)
        {
            Assert.Skip(OperatingSystem.IsWindows()
                ? $"needs a second volume: set {Windows.WindowsHost.OtherVolumeVariable} (.ci/wine-tests.sh does)"
                : "needs a second file system: mounting a tmpfs needs root on Linux");
        }

        return other;
    }

    public void Dispose()
    {
        foreach (var mount in mounts)
        {
            // A plain umount first: a lazy one leaves a loop device busy until its last user goes.
            if (Processes.Run("umount", [mount]).ExitCode != 0)
            {
                Processes.Run("umount", ["-l", mount]);
            }
        }

        foreach (var folder in elsewhere)
        {
            try
            {
                System.IO.Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // Left on the test volume, which the Wine pass makes fresh each run.
            }
        }

        // .NET's recursive delete removes a symlink or junction as a link, never its target's contents.
        try
        {
            MakeWritable(Path);
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static void MakeWritable(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        foreach (var sub in new DirectoryInfo(directory).EnumerateDirectories("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true }))
        {
            try
            {
                sub.UnixFileMode |= UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
            }
            catch (IOException)
            {
            }
        }
    }
}
