using System.Text;

namespace Linksmith.Tests;

/// <summary>
/// A pretend user for the CLI: its own HOME, XDG directories and state database under a temp
/// directory, and a bin folder in front of PATH where a test can put fake desktop tools
/// (notify-send, zenity, nautilus …) that record how they were called.
/// </summary>
public sealed class DesktopSandbox : IDisposable
{
    private readonly TempDirectory temp = new();

    public DesktopSandbox()
    {
        Directory.CreateDirectory(Home);
        Directory.CreateDirectory(Bin);
    }

    public TempDirectory Temp => temp;

    public string Home => temp["home"];

    public string DataHome => temp["home/.local/share"];

    public string ConfigHome => temp["home/.config"];

    public string Bin => temp["bin"];

    public string NotificationLog => temp["notifications.log"];

    /// <summary>The environment of every process a test starts: the sandbox's HOME, XDG, state, and PATH with <see cref="Bin"/> first.</summary>
    public Dictionary<string, string> Environment(bool withSystemPath = true) => new()
    {
        ["HOME"] = Home,
        ["XDG_DATA_HOME"] = DataHome,
        ["XDG_CONFIG_HOME"] = ConfigHome,
        ["LINKSMITH_STATE_DIR"] = temp["state"],
        ["PATH"] = withSystemPath ? Bin + Path.PathSeparator + (System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin") : Bin,
    };

    public ProcessResult Cli(params string[] arguments) => CliRunner.RunWithEnvironment(temp.Path, Environment(), arguments);

    public ProcessResult CliWithPath(string path, params string[] arguments)
    {
        var environment = Environment();
        environment["PATH"] = path;
        return CliRunner.RunWithEnvironment(temp.Path, environment, arguments);
    }

    /// <summary>Runs a program as a file manager would, with the sandbox's environment plus <paramref name="extra"/>.</summary>
    public ProcessResult Run(IReadOnlyList<string> argv, IReadOnlyDictionary<string, string>? extra = null, string? workingDirectory = null)
    {
        var environment = Environment();
        foreach (var (name, value) in extra ?? new Dictionary<string, string>())
        {
            environment[name] = value;
        }

        return Processes.Run(argv[0], argv.Skip(1), workingDirectory ?? temp.Path, environment);
    }

    /// <summary>A fake program on the sandbox's PATH that appends its arguments (one per line, then a blank line) to <paramref name="log"/>.</summary>
    public void FakeTool(string name, string? log = null)
    {
        var path = Path.Combine(Bin, name);
        var script = new StringBuilder("#!/bin/sh\n");
        if (log is not null)
        {
            script.Append($"for a in \"$@\"; do printf '%s\\n' \"$a\" >> '{log}'; done\nprintf '\\n' >> '{log}'\n");
        }

        File.WriteAllText(path, script.ToString());
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
    }

    /// <summary>Every file under HOME with its contents, to compare before install and after uninstall.</summary>
    public List<string> HomeContents()
    {
        var lines = new List<string>();
        foreach (var entry in Directory.EnumerateFileSystemEntries(Home, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(Home, entry);
            lines.Add(File.Exists(entry) ? $"{relative}: {File.ReadAllText(entry)}" : $"{relative}/");
        }

        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    public void Dispose() => temp.Dispose();
}

/// <summary>How the file managers turn a command line template into argv, reimplemented from their sources for the tests.</summary>
public static class FileManagerExpansion
{
    /// <summary>GLib's g_shell_quote: the word in single quotes, a quote inside as '\''.</summary>
    public static string GShellQuote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>
    /// GLib's g_shell_parse_argv: words split on blanks; single quotes literal; double quotes with
    /// \ escaping only $ ` " \ and newline; a backslash outside quotes escapes the next character.
    /// No expansion of any kind.
    /// </summary>
    public static List<string> GShellParse(string line)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        var inWord = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            switch (c)
            {
                case ' ' or '\t' or '\n':
                    if (inWord)
                    {
                        words.Add(current.ToString());
                        current.Clear();
                        inWord = false;
                    }

                    break;
                case '\'':
                    inWord = true;
                    var close = line.IndexOf('\'', i + 1);
                    current.Append(line, i + 1, close - i - 1);
                    i = close;
                    break;
                case '"':
                    inWord = true;
                    for (i++; line[i] != '"'; i++)
                    {
                        if (line[i] == '\\' && line[i + 1] is '$' or '`' or '"' or '\\' or '\n')
                        {
                            i++;
                        }

                        current.Append(line[i]);
                    }

                    break;
                case '\\':
                    inWord = true;
                    current.Append(line[++i]);
                    break;
                default:
                    inWord = true;
                    current.Append(c);
                    break;
            }
        }

        if (inWord)
        {
            words.Add(current.ToString());
        }

        return words;
    }

    /// <summary>Reads one key of one group of a GKeyFile / .desktop file, unescaping \s \n \t \r \\ as GKeyFile does.</summary>
    public static string KeyFileValue(string file, string group, string key)
    {
        var inGroup = false;
        foreach (var line in File.ReadLines(file))
        {
            if (line.StartsWith('['))
            {
                inGroup = line == $"[{group}]";
                continue;
            }

            if (inGroup && line.StartsWith(key + "=", StringComparison.Ordinal))
            {
                var raw = line[(key.Length + 1)..];
                var value = new StringBuilder();
                for (var i = 0; i < raw.Length; i++)
                {
                    if (raw[i] == '\\' && i + 1 < raw.Length)
                    {
                        i++;
                        value.Append(raw[i] switch { 's' => ' ', 'n' => '\n', 't' => '\t', 'r' => '\r', _ => raw[i] });
                    }
                    else
                    {
                        value.Append(raw[i]);
                    }
                }

                return value.ToString();
            }
        }

        throw new KeyNotFoundException($"{file}: no {key} in [{group}]");
    }

    /// <summary>
    /// KIO's expansion of a service menu's Exec (desktop-entry rules): the words are split (quoted
    /// arguments in double quotes), then %F becomes one word per path, %f the one path.
    /// </summary>
    public static List<string> DesktopExec(string exec, IReadOnlyList<string> files)
    {
        var argv = new List<string>();
        foreach (var word in GShellParse(exec))
        {
            switch (word)
            {
                case "%F":
                    argv.AddRange(files);
                    break;
                case "%f":
                    argv.Add(files[0]);
                    break;
                default:
                    argv.Add(word.Replace("%%", "%", StringComparison.Ordinal));
                    break;
            }
        }

        return argv;
    }

    /// <summary>
    /// Nemo's expansion: %F becomes the selected paths (each with ' and " backslash-escaped, and
    /// with EscapeSpaces spaces too), %U their URIs (<see cref="GioFileUri"/>), %P the current
    /// folder, each in the action's Quote (none, or <c>"</c> for Quote=double), joined by spaces;
    /// then the line is split by g_shell_parse_argv.
    /// </summary>
    public static List<string> Nemo(string exec, IReadOnlyList<string> selection, string currentFolder, string quote = "")
    {
        static string Escape(string path) => path.Replace("'", "\\'", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace(" ", "\\ ", StringComparison.Ordinal);
        string Quoted(string text) => quote + text + quote;
        var paths = selection.Count > 0 ? string.Join(' ', selection.Select(path => Quoted(Escape(path)))) : Quoted(Escape(currentFolder));
        var uris = selection.Count > 0 ? string.Join(' ', selection.Select(path => Quoted(GioFileUri(path)))) : Quoted(Escape(currentFolder));
        var line = exec.Replace("%F", paths, StringComparison.Ordinal).Replace("%U", uris, StringComparison.Ordinal).Replace("%P", Quoted(Escape(currentFolder)), StringComparison.Ordinal);
        return GShellParse(line);
    }

    /// <summary>
    /// GLib's g_filename_to_uri (what g_file_get_uri gives Nautilus and Nemo for a local file):
    /// every byte percent-encoded except letters, digits and <c>!$&amp;'()*+,-./:=@_~</c>.
    /// </summary>
    public static string GioFileUri(string path)
    {
        var uri = new StringBuilder("file://");
        foreach (var b in Encoding.UTF8.GetBytes(path))
        {
            if (b < 0x80 && (char.IsAsciiLetterOrDigit((char)b) || "!$&'()*+,-./:=@_~".Contains((char)b, StringComparison.Ordinal)))
            {
                uri.Append((char)b);
            }
            else
            {
                uri.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return uri.ToString();
    }

    /// <summary>Thunar's expansion: %F the selected paths and %f the first, each g_shell_quote'd; then g_shell_parse_argv.</summary>
    public static List<string> Thunar(string command, IReadOnlyList<string> selection)
    {
        var line = command
            .Replace("%F", string.Join(' ', selection.Select(GShellQuote)), StringComparison.Ordinal)
            .Replace("%f", GShellQuote(selection[0]), StringComparison.Ordinal);
        return GShellParse(line);
    }
}
