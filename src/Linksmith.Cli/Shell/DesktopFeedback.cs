using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Linksmith.Cli.Shell;

/// <summary>
/// What a command started from a file manager (<c>--notify</c>) shows, since nobody reads its
/// stderr there: completion and every failure as a desktop notification (<c>notify-send</c>,
/// else <c>kdialog</c> or <c>zenity</c>; a message box on Windows), and for a long drop a
/// progress window (<c>zenity --progress</c>, else notifications at start and end).
/// </summary>
internal sealed partial class DesktopFeedback
{
    private const string Title = "Linksmith";

    private readonly StringBuilder errors = new();

    /// <summary>The console whose stderr is also kept, to be shown when the command fails.</summary>
    public CliConsole Wrap(CliConsole console) => console with { Error = new TeeWriter(console.Error, errors), IsTerminal = false, ErrorIsTerminal = false };

    /// <summary>
    /// Ends the command: a failure (any exit code but 0) shows what went to stderr; success shows
    /// <paramref name="success"/> unless it is null (nothing worth a notification).
    /// </summary>
    public int Finish(int exitCode, string? success)
    {
        if (exitCode != ExitCodes.Success)
        {
            var text = errors.ToString().Trim();
            Show(text.Length == 0 ? $"failed (exit code {exitCode})" : Shorten(text), isError: true);
        }
        else if (success is not null)
        {
            Show(success, isError: false);
        }

        return exitCode;
    }

    /// <summary>A notification now, outside <see cref="Finish"/> (the start of a long drop).</summary>
    public static void Show(string text, bool isError)
    {
        if (OperatingSystem.IsWindows())
        {
            // MB_OK with the information or the error icon; MB_SETFOREGROUND so it is not hidden behind Explorer.
            _ = MessageBoxW(IntPtr.Zero, text, Title, (isError ? MB_ICONERROR : MB_ICONINFORMATION) | MB_SETFOREGROUND);
            return;
        }

        string[][] candidates =
        [
            ["notify-send", "--app-name=" + Title, "--icon=" + (isError ? "dialog-error" : MenuEntries.Icon), "--urgency=" + (isError ? "critical" : "normal"), Title, text],
            ["kdialog", "--title", Title, isError ? "--error" : "--passivepopup", text, .. isError ? Array.Empty<string>() : ["5"]],
            ["zenity", isError ? "--error" : "--notification", "--title=" + Title, "--text=" + text],
        ];
        foreach (var command in candidates)
        {
            if (TryRun(command, waitForExit: command[0] != "zenity" || !isError))
            {
                return;
            }
        }

        // No desktop tool at all: stderr is all there is (file managers usually log it).
        Console.Error.WriteLine($"linksmith: no notify-send, kdialog or zenity found to show: {text}");
    }

    /// <summary>
    /// A progress window for a job that may take long: it appears only once the job has run
    /// for <paramref name="delay"/>, so quick drops show nothing but their end notification.
    /// </summary>
    public static ProgressWindow StartProgress(string text, TimeSpan delay) => new(text, delay);

    internal static bool TryRun(string[] command, bool waitForExit)
    {
        try
        {
            var start = new ProcessStartInfo(command[0]) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in command.AsSpan(1))
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start);
            if (process is null)
            {
                return false;
            }

            if (!waitForExit)
            {
                return true;
            }

            // notify-send returns at once; a hung notification daemon must not hang the command.
            return !process.WaitForExit(10_000) || process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static string Shorten(string text)
    {
        var lines = text.Split('\n');
        return lines.Length <= 12 ? text : string.Join('\n', lines[..11]) + $"\n… and {lines.Length - 11} more lines";
    }

    private const uint MB_ICONERROR = 0x10;
    private const uint MB_ICONINFORMATION = 0x40;
    private const uint MB_SETFOREGROUND = 0x10000;

    [LibraryImport("user32.dll", EntryPoint = "MessageBoxW", StringMarshalling = StringMarshalling.Utf16)]
    private static partial int MessageBoxW(IntPtr hWnd, string text, string caption, uint type);

    /// <summary>Writes to two writers: the real stderr and the copy kept for the notification.</summary>
    private sealed class TeeWriter(TextWriter first, StringBuilder second) : TextWriter
    {
        public override Encoding Encoding => first.Encoding;

        public override void Write(char value)
        {
            first.Write(value);
            second.Append(value);
        }

        public override void Write(string? value)
        {
            first.Write(value);
            second.Append(value);
        }

        public override void WriteLine(string? value)
        {
            first.WriteLine(value);
            second.Append(value).Append('\n');
        }

        public override void Flush() => first.Flush();
    }
}

/// <summary>A progress window (zenity) or, without zenity, a notification at the start; shown only after a delay.</summary>
internal sealed class ProgressWindow : IDisposable
{
    private readonly Lock gate = new();
    private readonly Timer timer;
    private string text;
    private Process? zenity;
    private bool closed;

    internal ProgressWindow(string text, TimeSpan delay)
    {
        this.text = text;
        timer = new Timer(_ => Open(), null, delay == TimeSpan.Zero ? Timeout.InfiniteTimeSpan : delay, Timeout.InfiniteTimeSpan);
        if (delay == TimeSpan.Zero)
        {
            Open();
        }
    }

    /// <summary>Whether anything was shown (a window or the start notification).</summary>
    public bool WasShown { get; private set; }

    /// <summary>The line under the progress bar.</summary>
    public void Update(string line)
    {
        lock (gate)
        {
            text = line;
            Send("# " + line.ReplaceLineEndings(" "));
        }
    }

    public void Dispose()
    {
        timer.Dispose();
        lock (gate)
        {
            closed = true;
            if (zenity is null)
            {
                return;
            }

            Send("100");
            try
            {
                zenity.StandardInput.Close();
                if (!zenity.WaitForExit(2_000))
                {
                    zenity.Kill();
                }
            }
            catch (IOException)
            {
                // The user closed the window: nothing left to close.
            }

            zenity.Dispose();
        }
    }

    private void Open()
    {
        string startText;
        lock (gate)
        {
            // On Windows a message box at the start would stop the user for nothing; the end one says it all.
            if (closed || OperatingSystem.IsWindows())
            {
                return;
            }

            WasShown = true;
            startText = text;
            try
            {
                var start = new ProcessStartInfo("zenity") { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
                foreach (var argument in new[] { "--progress", "--pulsate", "--auto-close", "--no-cancel", "--title=Linksmith", "--text=" + text })
                {
                    start.ArgumentList.Add(argument);
                }

                zenity = Process.Start(start);
                if (zenity is not null)
                {
                    return;
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // No zenity: a notification says the job started; the end one says it finished.
            }
        }

        DesktopFeedback.Show(startText, isError: false);
    }

    private void Send(string line)
    {
        if (zenity is null)
        {
            return;
        }

        try
        {
            zenity.StandardInput.WriteLine(line);
            zenity.StandardInput.Flush();
        }
        catch (IOException)
        {
            // The window was closed by the user; the job goes on and its end is still notified.
        }
    }
}
