namespace Linksmith.Cli.Shell;

/// <summary>The context-menu entries of one file manager, for the current user only (no root needed).</summary>
internal abstract class FileManagerIntegration
{
    /// <summary>The value of <c>--for</c>.</summary>
    public abstract string Name { get; }

    /// <summary>Whether this file manager is on this system (its program is on PATH; Explorer: Windows).</summary>
    public abstract bool IsPresent();

    /// <summary>Where the entries live, for messages.</summary>
    public abstract string Location { get; }

    /// <summary>Adds the entries (replacing Linksmith's earlier ones), each calling <paramref name="command"/>.</summary>
    public abstract void Install(ShellCommandLine command, ShellChanges changes);

    /// <summary>Removes exactly what <see cref="Install"/> adds, and nothing of the user's own.</summary>
    public abstract void Uninstall(ShellChanges changes);

    /// <summary>The entries of Linksmith's that are installed now (files or registry keys).</summary>
    public abstract IReadOnlyList<string> InstalledEntries();

    /// <summary>Every integration, in the order <c>shell status</c> lists them.</summary>
    public static IReadOnlyList<FileManagerIntegration> All() =>
    [
        new NautilusIntegration(),
        new NemoIntegration(),
        new DolphinIntegration(),
        new ThunarIntegration(),
        new ExplorerIntegration(),
    ];

    /// <summary>Whether <paramref name="program"/> is an executable file in a PATH directory.</summary>
    protected static bool IsOnPath(string program)
    {
        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, program);
            if (File.Exists(candidate) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>The per-user base directories of the XDG Base Directory Specification.</summary>
internal static class XdgDirectories
{
    /// <summary><c>$XDG_DATA_HOME</c>, else <c>~/.local/share</c>.</summary>
    public static string DataHome => FromVariable("XDG_DATA_HOME", ".local", "share");

    /// <summary><c>$XDG_CONFIG_HOME</c>, else <c>~/.config</c>.</summary>
    public static string ConfigHome => FromVariable("XDG_CONFIG_HOME", ".config");

    /// <summary><c>$HOME</c> (what a test or a sudo'd shell sets), else the account's home.</summary>
    public static string Home => Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } home ? home : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    private static string FromVariable(string variable, params string[] underHome)
    {
        // The specification: a relative path in these variables is invalid and must be ignored.
        if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value && Path.IsPathRooted(value))
        {
            return value;
        }

        return Path.Combine([Home, .. underHome]);
    }
}

/// <summary>
/// The changes <c>shell install</c> and <c>uninstall</c> make, carried out as they are recorded
/// unless this is a dry run; each is listed for the user either way.
/// </summary>
internal sealed class ShellChanges(bool dryRun)
{
    private readonly List<string> done = [];

    public bool DryRun { get; } = dryRun;

    /// <summary>What was (or would be) changed, one line each: "wrote PATH", "removed PATH", …</summary>
    public IReadOnlyList<string> Done => done;

    public void WriteFile(string path, string content, bool executable = false)
    {
        if (!DryRun)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            // Written beside and renamed over: a file manager reading its menu files at this
            // moment sees the old file or the new one, never half of one.
            var temporary = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.lsmith-{Random.Shared.Next():x8}");
            File.WriteAllText(temporary, content, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            if (executable && !OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporary, File.GetUnixFileMode(temporary) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            }

            File.Move(temporary, path, overwrite: true);
        }

        done.Add($"{(DryRun ? "would write" : "wrote")} {Display.Path(path)}");
    }

    public void DeleteFile(string path)
    {
        if (!File.Exists(path))
        {
            return;
        }

        if (!DryRun)
        {
            File.Delete(path);
        }

        done.Add($"{(DryRun ? "would remove" : "removed")} {Display.Path(path)}");
    }

    /// <summary>
    /// Removes <paramref name="directory"/> and then its parents up to <paramref name="upTo"/>
    /// (included), each only while it is empty: the folders install created for its files, never
    /// one that holds anything else.
    /// </summary>
    public void DeleteEmptyDirectories(string directory, string upTo)
    {
        var current = directory;
        while (current.StartsWith(upTo, StringComparison.Ordinal))
        {
            var empty = Directory.Exists(current) && (DryRun ? Directory.EnumerateFileSystemEntries(current).All(entry => done.Contains($"would remove {Display.Path(entry)}")) : !Directory.EnumerateFileSystemEntries(current).Any());
            if (!empty)
            {
                return;
            }

            if (!DryRun)
            {
                Directory.Delete(current);
            }

            done.Add($"{(DryRun ? "would remove" : "removed")} {Display.Path(current)}");
            current = Path.GetDirectoryName(current)!;
        }
    }

    /// <summary>A change that is not a file (a registry key), already carried out by the caller unless a dry run.</summary>
    public void Note(string whatWasDone, string whatWouldBeDone) => done.Add(DryRun ? whatWouldBeDone : whatWasDone);
}
