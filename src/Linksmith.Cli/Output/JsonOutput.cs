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

    /// <summary>
    /// Writes the document <paramref name="body"/> makes, then a newline. It goes out in pieces
    /// (see <see cref="FlushIfLarge"/>): a dedupe of 200k files reports 7 MB of JSON, which held
    /// whole, as bytes and again as a string, took more memory than the dedupe itself.
    /// </summary>
    public static void Write(TextWriter output, Action<Utf8JsonWriter> body)
    {
        using (var writer = new Utf8JsonWriter(new TextWriterStream(output), Options))
        {
            body(writer);
        }

        output.WriteLine();
    }

    /// <summary>Hands what the writer holds to the output once it passes 64 KiB; call it in loops over many items.</summary>
    public static void FlushIfLarge(this Utf8JsonWriter writer)
    {
        if (writer.BytesPending > 1 << 16)
        {
            writer.Flush();
        }
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

    /// <summary>
    /// <c>"warnings": [{path, message}]</c>: what the <c>linksmith: warning:</c> lines on stderr
    /// said (an attribute a destination could not store, a special file not copied), in order.
    /// </summary>
    public static void WriteWarnings(this Utf8JsonWriter writer, IReadOnlyList<ReportedWarning> warnings) =>
        writer.WriteObjects("warnings", warnings, static (w, warning) =>
        {
            w.WritePath("path", warning.Path);
            w.WriteString("message", warning.Message);
        });

    /// <summary>A write-only stream that decodes UTF-8 into a <see cref="TextWriter"/> (a character split between two writes is kept until its rest comes).</summary>
    private sealed class TextWriterStream(TextWriter output) : Stream
    {
        private readonly Decoder decoder = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetDecoder();
        private char[] chars = [];

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            var most = Encoding.UTF8.GetMaxCharCount(buffer.Length);
            if (chars.Length < most)
            {
                chars = new char[most];
            }

            var count = decoder.GetChars(buffer, chars, flush: false);
            output.Write(chars, 0, count);
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        // The text writer decides when bytes reach the process's stream (block-buffered into a pipe).
        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
