using System.Text;

namespace Linksmith.Cli.Shell;

/// <summary>
/// How a context-menu entry starts this very <c>linksmith</c>: by absolute path, since a file
/// manager's PATH is not the user's shell's. Quoted for each place a command line is written.
/// </summary>
/// <param name="Words">The program and, for a framework-dependent build, the DLL it runs.</param>
internal sealed record ShellCommandLine(IReadOnlyList<string> Words)
{
    /// <summary>The running binary; run as <c>dotnet Linksmith.Cli.dll</c>, the dotnet host and the DLL.</summary>
    public static ShellCommandLine Current()
    {
        var process = Environment.ProcessPath ?? throw new InvalidOperationException("the path of the running program is unknown");
        if (Path.GetFileNameWithoutExtension(process).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            return new ShellCommandLine([process, Path.Combine(AppContext.BaseDirectory, "Linksmith.Cli.dll")]);
        }

        return new ShellCommandLine([process]);
    }

    /// <summary>The program, for an icon or a dependency check.</summary>
    public string Program => Words[0];

    /// <summary>
    /// For POSIX sh and for GLib's g_shell_parse_argv (Nemo, Thunar): every word in single quotes,
    /// a quote inside written as <c>'\''</c>.
    /// </summary>
    public string ForPosixShell() => string.Join(' ', Words.Select(PosixQuote));

    /// <summary>
    /// For the Exec key of a .desktop file (Dolphin): each word in double quotes with <c>" ` $ \</c>
    /// escaped by a backslash, then every backslash doubled again for the key-file layer, as the
    /// Desktop Entry Specification's "Exec key" section prescribes; a literal % is written %%.
    /// </summary>
    public string ForDesktopExec()
    {
        var builder = new StringBuilder();
        foreach (var word in Words)
        {
            if (builder.Length > 0)
            {
                builder.Append(' ');
            }

            builder.Append('"');
            foreach (var c in word)
            {
                switch (c)
                {
                    case '"' or '`' or '$':
                        builder.Append("\\\\").Append(c);
                        break;
                    case '\\':
                        builder.Append("\\\\\\\\");
                        break;
                    case '%':
                        builder.Append("%%");
                        break;
                    default:
                        builder.Append(c);
                        break;
                }
            }

            builder.Append('"');
        }

        return builder.ToString();
    }

    /// <summary>For a registry command (Explorer): each word in double quotes (Windows paths hold no quotes).</summary>
    public string ForWindows() => string.Join(' ', Words.Select(word => $"\"{word}\""));

    /// <summary>Single-quotes a word for sh and g_shell_parse_argv.</summary>
    public static string PosixQuote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>Escapes a value for a GKeyFile / .desktop string (backslash, and leading space, tab, newline).</summary>
    public static string KeyFileEscape(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal);
}
