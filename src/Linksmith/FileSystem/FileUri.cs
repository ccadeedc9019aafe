using System.Buffers;

namespace Linksmith;

/// <summary>
/// The local path a file manager hands over: a plain path, or a <c>file://</c> URI (RFC 8089) as
/// Nautilus (<c>NAUTILUS_SCRIPT_CURRENT_URI</c>, <c>NAUTILUS_SCRIPT_SELECTED_URIS</c>), Dolphin
/// (<c>%u</c>) and Nemo (<c>%U</c>) pass them. A URI keeps a newline or a backslash in a name
/// unambiguous, where their path lists would split or mangle it.
/// </summary>
public static class FileUri
{
    /// <summary>
    /// <paramref name="argument"/> as a path on this computer's file systems. Anything that is not
    /// a URI is a plain path and comes back unchanged. A <c>file://</c> URI is decoded byte by
    /// byte: each <c>%XX</c> is one byte of the name, so a name that is not UTF-8 survives (carried
    /// as <see cref="NativePath"/> carries it). Its host must be empty or <c>localhost</c>; on
    /// Windows <c>file://server/share/dir</c> is the UNC path <c>\\server\share\dir</c>, and
    /// <c>file:///C:/dir</c> is <c>C:\dir</c>.
    /// </summary>
    /// <param name="argument">A path or a URI, as the file manager passed it.</param>
    /// <param name="path">The local path; <paramref name="argument"/> itself when this returns false.</param>
    /// <returns>
    /// False for a URI of another scheme (<c>sftp://</c>, <c>smb://</c>, <c>trash://</c>) and, off
    /// Windows, for a <c>file://</c> URI that names another computer: nothing Linksmith can reach.
    /// </returns>
    public static bool TryGetLocalPath(string argument, out string path) =>
        TryGetLocalPath(argument, OperatingSystem.IsWindows(), out path);

    /// <summary>The rule of <see cref="TryGetLocalPath(string, out string)"/> for Windows or Unix, so both can be tested anywhere.</summary>
    internal static bool TryGetLocalPath(string argument, bool windows, out string path)
    {
        ArgumentNullException.ThrowIfNull(argument);
        path = argument;
        var schemeEnd = argument.IndexOf("://", StringComparison.Ordinal);
        if (!IsScheme(argument.AsSpan(0, Math.Max(schemeEnd, 0))))
        {
            return true;
        }

        if (!argument.AsSpan(0, schemeEnd).Equals("file", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var rest = argument[(schemeEnd + 3)..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var host = slash < 0 ? rest : rest[..slash];
        var isLocalHost = host.Length == 0 || host.Equals("localhost", StringComparison.OrdinalIgnoreCase);
        if (!isLocalHost && !windows)
        {
            return false;
        }

        var decoded = Decode(slash < 0 ? "/" : rest[slash..]);
        if (!windows)
        {
            path = decoded;
            return true;
        }

        if (!isLocalHost)
        {
            // RFC 8089 E.3.1: file://server/share/dir is the UNC path \\server\share\dir.
            path = @"\\" + Decode(host) + decoded.Replace('/', '\\');
            return true;
        }

        // file:///C:/dir: the path part is /C:/dir, whose leading slash is no part of a DOS path.
        var isDrivePath = decoded.Length >= 3 && decoded[0] == '/' && char.IsAsciiLetter(decoded[1]) && decoded[2] == ':';
        path = (isDrivePath ? decoded[1..] : decoded).Replace('/', '\\');
        return true;
    }

    /// <summary>
    /// RFC 3986's scheme: a letter, then letters, digits, '+', '-' or '.'. One letter is a Windows
    /// drive (<c>C://dir</c>), never a scheme: no registered scheme is that short.
    /// </summary>
    private static bool IsScheme(ReadOnlySpan<char> text)
    {
        if (text.Length < 2 || !char.IsAsciiLetter(text[0]))
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('+' or '-' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Percent-decodes <paramref name="encoded"/> into the bytes of a name, then into a string.
    /// A '%' without two hex digits after it is taken literally, as GLib's g_filename_from_uri
    /// would refuse it and a person typing a path would mean it.
    /// </summary>
    private static string Decode(string encoded)
    {
        var bytes = new ArrayBufferWriter<byte>(encoded.Length);
        var literal = 0;
        for (var i = 0; i < encoded.Length; i++)
        {
            if (encoded[i] == '%' && i + 2 < encoded.Length && char.IsAsciiHexDigit(encoded[i + 1]) && char.IsAsciiHexDigit(encoded[i + 2]))
            {
                WriteLiteral(bytes, encoded.AsSpan(literal, i - literal));
                bytes.Write([(byte)((HexValue(encoded[i + 1]) << 4) | HexValue(encoded[i + 2]))]);
                i += 2;
                literal = i + 1;
            }
        }

        WriteLiteral(bytes, encoded.AsSpan(literal));
        return NativePath.FromBytes(bytes.WrittenSpan);
    }

    /// <summary>
    /// Characters written out rather than escaped (a URI typed by hand) as the bytes of a name:
    /// UTF-8, and a byte that was not UTF-8 in the command line back as that byte.
    /// </summary>
    private static void WriteLiteral(ArrayBufferWriter<byte> bytes, ReadOnlySpan<char> text)
    {
        if (!text.IsEmpty)
        {
            bytes.Write(NativePath.ToNullTerminatedBytes(text.ToString()).AsSpan(..^1));
        }
    }

    private static int HexValue(char digit) => digit switch
    {
        >= '0' and <= '9' => digit - '0',
        >= 'a' and <= 'f' => digit - 'a' + 10,
        _ => digit - 'A' + 10,
    };
}
