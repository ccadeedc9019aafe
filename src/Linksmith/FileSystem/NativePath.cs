using System.Buffers;
using System.Text;

namespace Linksmith;

/// <summary>
/// Converts between .NET strings and the raw bytes Unix file names are made of.
/// </summary>
/// <remarks>
/// Linux file names are byte strings and need not be valid UTF-8. .NET decodes them lossily
/// (every bad byte becomes U+FFFD), after which the file can no longer be named. Linksmith uses
/// the same convention as Python's <c>surrogateescape</c>: a byte that is not part of valid
/// UTF-8 is carried as the lone surrogate U+DC80..U+DCFF and turned back into that byte on the
/// way out, so every name round-trips. Strings without such surrogates encode as plain UTF-8.
/// </remarks>
public static class NativePath
{
    private const char EscapeBase = '\uDC00';

    /// <summary>Encodes <paramref name="path"/> as a NUL-terminated native file name.</summary>
    public static byte[] ToNullTerminatedBytes(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return ToNullTerminatedBytes(path.AsSpan());
    }

    /// <summary>Encodes <paramref name="path"/> (e.g. the last name of a longer path, without a string of its own) as a NUL-terminated native file name.</summary>
    public static byte[] ToNullTerminatedBytes(ReadOnlySpan<char> path)
    {
        if (!path.ContainsAnyInRange('\uDC80', '\uDCFF'))
        {
            var plain = new byte[Encoding.UTF8.GetByteCount(path) + 1];
            Encoding.UTF8.GetBytes(path, plain);
            return plain;
        }

        var buffer = new ArrayBufferWriter<byte>(path.Length + 8);
        Span<byte> scratch = stackalloc byte[4];
        for (var i = 0; i < path.Length; i++)
        {
            var c = path[i];
            if (c >= '\uDC80' && c <= '\uDCFF')
            {
                buffer.Write([(byte)(c - EscapeBase)]);
                continue;
            }

            if (char.IsHighSurrogate(c) && i + 1 < path.Length && char.IsLowSurrogate(path[i + 1]))
            {
                var written = new Rune(c, path[i + 1]).EncodeToUtf8(scratch);
                buffer.Write(scratch[..written]);
                i++;
                continue;
            }

            var rune = Rune.IsValid(c) ? new Rune(c) : Rune.ReplacementChar;
            var count = rune.EncodeToUtf8(scratch);
            buffer.Write(scratch[..count]);
        }

        buffer.Write([(byte)0]);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Encodes <paramref name="path"/> as a NUL-terminated native file name into
    /// <paramref name="destination"/> (e.g. a stack buffer) and returns the bytes written, NUL
    /// included; 0 when it does not fit or carries escaped bytes (then use <see cref="ToNullTerminatedBytes(ReadOnlySpan{char})"/>).
    /// </summary>
    internal static int TryEncode(ReadOnlySpan<char> path, Span<byte> destination)
    {
        if (destination.IsEmpty || path.ContainsAnyInRange('\uDC80', '\uDCFF')
            || !Encoding.UTF8.TryGetBytes(path, destination[..^1], out var written))
        {
            return 0;
        }

        destination[written] = 0;
        return written + 1;
    }

    /// <summary>Decodes a native file name, escaping bytes that are not valid UTF-8.</summary>
    public static string FromBytes(ReadOnlySpan<byte> name)
    {
        if (System.Text.Unicode.Utf8.IsValid(name))
        {
            return Encoding.UTF8.GetString(name);
        }

        var chars = ArrayPool<char>.Shared.Rent(name.Length);
        try
        {
            return new string(chars, 0, FromBytes(name, chars));
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>
    /// Decodes a native file name into <paramref name="destination"/> (at least as long as
    /// <paramref name="name"/>: no name decodes to more chars than it has bytes) and returns how
    /// many chars were written. The tree walk uses it to keep names without a string each.
    /// </summary>
    public static int FromBytes(ReadOnlySpan<byte> name, Span<char> destination)
    {
        if (System.Text.Unicode.Utf8.IsValid(name))
        {
            return Encoding.UTF8.GetChars(name, destination);
        }

        var written = 0;
        while (!name.IsEmpty)
        {
            var status = Rune.DecodeFromUtf8(name, out var rune, out var consumed);
            if (status == OperationStatus.Done)
            {
                written += rune.EncodeToUtf16(destination[written..]);
            }
            else
            {
                // Escape only the first byte and resynchronise on the next one, as surrogateescape does.
                consumed = 1;
                destination[written++] = (char)(EscapeBase + name[0]);
            }

            name = name[consumed..];
        }

        return written;
    }

    /// <summary>True when <paramref name="path"/> carries bytes that are not valid UTF-8.</summary>
    public static bool ContainsEscapedBytes(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return path.AsSpan().ContainsAnyInRange('\uDC80', '\uDCFF');
    }
}
