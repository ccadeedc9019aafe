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
        var run = 0;
        for (var i = 0; i < path.Length; i++)
        {
            var c = path[i];
            // A low surrogate after a high one is half of a real character (an emoji), not an escaped byte.
            if (c >= '\uDC80' && c <= '\uDCFF' && !(i > 0 && char.IsHighSurrogate(path[i - 1])))
            {
                // The text between escaped bytes is encoded in one piece, so surrogate pairs stay whole.
                literal.Append(JsonEncodedText.Encode(path.AsSpan(run, i - run), Options.Encoder).ToString());
                literal.Append($"\\u{(int)c:x4}");
                run = i + 1;
            }
        }

        literal.Append(JsonEncodedText.Encode(path.AsSpan(run), Options.Encoder).ToString());

        literal.Append('"');
        writer.WriteRawValue(literal.ToString(), skipInputValidation: true);
    }

    /// <summary>
    /// The report of a command that changes links: <c>{dryRun, …body…, errors}</c>, written only in
    /// JSON mode.
    /// </summary>
    public static void WriteChangeReport(Reporter reporter, bool dryRun, Action<Utf8JsonWriter> body)
    {
        if (!reporter.Json)
        {
            return;
        }

        Write(reporter.Console.Out, writer =>
        {
            writer.WriteStartObject();
            writer.WriteBoolean("dryRun", dryRun);
            body(writer);
            writer.WriteErrors(reporter.Errors);
            writer.WriteEndObject();
        });
    }

    /// <summary>An array property of objects, one per item.</summary>
    public static void WriteObjects<T>(this Utf8JsonWriter writer, string propertyName, IEnumerable<T> items, Action<Utf8JsonWriter, T> writeFields)
    {
        writer.WriteStartArray(propertyName);
        foreach (var item in items)
        {
            writer.WriteStartObject();
            writeFields(writer, item);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
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
