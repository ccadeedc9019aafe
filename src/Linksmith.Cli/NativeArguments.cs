using System.Text;

namespace Linksmith.Cli;

/// <summary>
/// Recovers arguments that are not valid UTF-8. The runtime decodes argv lossily (a bad byte
/// becomes U+FFFD, and the file it named can no longer be found); on Linux the original bytes
/// are still in /proc/self/cmdline, and <see cref="NativePath"/> carries them through.
/// </summary>
internal static class NativeArguments
{
    public static string[] Recover(string[] args)
    {
        if (!OperatingSystem.IsLinux() || !Array.Exists(args, a => a.Contains('\uFFFD', StringComparison.Ordinal)))
        {
            return args;
        }

        try
        {
            var raw = File.ReadAllBytes("/proc/self/cmdline");
            var all = Split(raw);
            // The user's arguments are the last ones: before them stand the program (and, when
            // started as `dotnet linksmith.dll`, the host and the dll).
            if (all.Count < args.Length)
            {
                return args;
            }

            var recovered = all.GetRange(all.Count - args.Length, args.Length).ToArray();
            for (var i = 0; i < args.Length; i++)
            {
                // Only take an argument back when it is the same one the runtime saw.
                if (Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(recovered[i])) != args[i] && !NativePath.ContainsEscapedBytes(recovered[i]))
                {
                    return args;
                }
            }

            return recovered;
        }
        catch (IOException)
        {
            return args;
        }
        catch (UnauthorizedAccessException)
        {
            return args;
        }
    }

    private static List<string> Split(byte[] raw)
    {
        var result = new List<string>();
        var start = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] == 0)
            {
                result.Add(NativePath.FromBytes(raw.AsSpan(start, i - start)));
                start = i + 1;
            }
        }

        return result;
    }
}
