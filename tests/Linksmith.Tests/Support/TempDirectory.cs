namespace Linksmith.Tests;

/// <summary>A fresh directory on the real file system for one test, removed afterwards without following links.</summary>
public sealed class TempDirectory : IDisposable
{
    private readonly List<string> mounts = [];

    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "linksmith-tests", Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string this[string relative] => System.IO.Path.Combine(Path, relative);

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

    public void Dispose()
    {
        foreach (var mount in mounts)
        {
            Processes.Run("umount", ["-l", mount]);
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
