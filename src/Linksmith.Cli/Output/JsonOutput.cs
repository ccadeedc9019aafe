using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Linksmith.Cli;

/// <summary>Writes the one JSON document a command prints with <c>--json</c>.</summary>
internal static class JsonOutput
{
    private static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        // Paths are shown as they are (é, 日本), not as \u escapes; output is never embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void Write(TextWriter output, Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            body(writer);
        }

        output.WriteLine(Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    /// <summary>
    /// Writes a path property. A path with bytes that are not UTF-8 is written with \udcNN escapes
    /// (Python's surrogateescape convention, which os.fsencode turns back into the bytes).
    /// </summary>
    public static void WritePath(this Utf8JsonWriter writer, string propertyName, string? path)
    {
        writer.WritePropertyName(propertyName);
        writer.WritePathValue(path);
    }

    public static void WritePathValue(this Utf8JsonWriter writer, string? path)
    {
        if (path is null)
        {
            writer.WriteNullValue();
            return;
        }

        if (!NativePath.ContainsEscapedBytes(path))
        {
            writer.WriteStringValue(path);
            return;
        }

        var literal = new StringBuilder("\"");
        for (var i = 0; i < path.Length; i++)
        {
            var c = path[i];
            if (c >= '\uDC80' && c <= '\uDCFF')
            {
                literal.Append($"\\u{(int)c:x4}");
            }
            else if (char.IsHighSurrogate(c) && i + 1 < path.Length && char.IsLowSurrogate(path[i + 1]))
            {
                // A pair (an emoji) is one character: encoding its halves apart would throw.
                literal.Append(JsonEncodedText.Encode(path.AsSpan(i, 2), Options.Encoder).ToString());
                i++;
            }
            else
            {
                var encoded = JsonEncodedText.Encode(c.ToString(), Options.Encoder);
                literal.Append(encoded.ToString());
            }
        }

        literal.Append('"');
        writer.WriteRawValue(literal.ToString(), skipInputValidation: true);
    }

    public static void WriteErrors(this Utf8JsonWriter writer, IReadOnlyList<LinksmithException> errors)
    {
        writer.WriteStartArray("errors");
        foreach (var error in errors)
        {
            writer.WriteStartObject();
            writer.WritePath("path", error.Path);
            writer.WriteString("message", error.Hint.Length == 0 ? error.Reason : $"{error.Reason}. {error.Hint}");
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }
}
