using System.Buffers.Binary;
using Linksmith.Interop;

namespace Linksmith;

/// <summary>The decoded contents of a symbolic-link or mount-point (junction) reparse point.</summary>
/// <param name="Tag">The reparse tag (<c>IO_REPARSE_TAG_*</c>).</param>
/// <param name="SubstituteName">The path the system follows, usually in NT form (<c>\??\C:\dir</c>); empty for other tags.</param>
/// <param name="PrintName">The path meant for display; may be empty.</param>
/// <param name="Flags">For a symbolic link: <c>SYMLINK_FLAG_RELATIVE</c> or 0.</param>
internal readonly record struct ReparseData(uint Tag, string SubstituteName, string PrintName, uint Flags)
{
    /// <summary>A symbolic link whose target is relative to the link's folder.</summary>
    public bool IsRelative => Tag == Kernel32.IO_REPARSE_TAG_SYMLINK && (Flags & ReparseBuffer.SYMLINK_FLAG_RELATIVE) != 0;

    /// <summary>
    /// The target text Linksmith reports, in Win32 form: for a junction its print name (what
    /// mklink shows), or the substitute name without <c>\??\</c> when the print name is empty
    /// (volume mount points); for a symbolic link the substitute name, which is what the system
    /// follows, without <c>\??\</c> when absolute. Null for other tags.
    /// </summary>
    public string? LinkTarget => Tag switch
    {
        Kernel32.IO_REPARSE_TAG_MOUNT_POINT => PrintName.Length > 0 ? PrintName : WindowsPath.StripPrefix(SubstituteName),
        Kernel32.IO_REPARSE_TAG_SYMLINK => IsRelative ? SubstituteName : WindowsPath.StripPrefix(SubstituteName),
        _ => null,
    };
}

/// <summary>
/// Encodes and decodes REPARSE_DATA_BUFFER (ntifs.h) for junctions and symbolic links, as
/// FSCTL_SET_REPARSE_POINT takes it and FSCTL_GET_REPARSE_POINT returns it.
/// </summary>
/// <remarks>
/// Layout: ULONG ReparseTag, USHORT ReparseDataLength (bytes after this 8-byte header), USHORT
/// Reserved; then SubstituteNameOffset, SubstituteNameLength, PrintNameOffset, PrintNameLength
/// (USHORTs, in bytes, offsets from the start of PathBuffer); a symbolic link has a ULONG Flags
/// next; then PathBuffer, UTF-16LE. Names are written as mklink writes them: the substitute name,
/// a NUL, the print name, a NUL (lengths exclude the NULs). NTFS checks exactly this layout for
/// mount points and answers anything else with ERROR_INVALID_REPARSE_DATA.
/// </remarks>
internal static class ReparseBuffer
{
    /// <summary>The largest reparse point the system stores, header included (winnt.h).</summary>
    public const int MAXIMUM_REPARSE_DATA_BUFFER_SIZE = 16 * 1024;

    /// <summary>The symbolic link's substitute name is relative to the link's folder (ntifs.h).</summary>
    public const uint SYMLINK_FLAG_RELATIVE = 1;

    /// <summary>ReparseTag, ReparseDataLength, Reserved.</summary>
    public const int HeaderSize = 8;

    /// <summary>Where PathBuffer starts in a mount point: after the header and four USHORTs.</summary>
    public const int MountPointPathBufferOffset = HeaderSize + 8;

    /// <summary>Where PathBuffer starts in a symbolic link: after the header, four USHORTs and the ULONG Flags.</summary>
    public const int SymbolicLinkPathBufferOffset = HeaderSize + 12;

    /// <summary>
    /// The reparse data of a junction to the full path <paramref name="targetDirectory"/>:
    /// substitute name <c>\??\C:\target</c>, print name <c>C:\target</c>, as mklink /J writes it.
    /// </summary>
    /// <exception cref="LinkPathTooLongException">The names do not fit in 16 KiB.</exception>
    public static byte[] ForJunction(string targetDirectory)
    {
        ArgumentNullException.ThrowIfNull(targetDirectory);
        var substituteName = WindowsPath.ToNtPath(targetDirectory);
        return Encode(Kernel32.IO_REPARSE_TAG_MOUNT_POINT, substituteName, WindowsPath.StripPrefix(substituteName), 0, targetDirectory);
    }

    /// <summary>
    /// The reparse data of a symbolic link storing <paramref name="targetText"/>: an absolute
    /// target in NT form with its Win32 form as print name, a relative one as given with
    /// SYMLINK_FLAG_RELATIVE, as CreateSymbolicLinkW stores them.
    /// </summary>
    /// <exception cref="LinkPathTooLongException">The names do not fit in 16 KiB.</exception>
    public static byte[] ForSymbolicLink(string targetText)
    {
        ArgumentNullException.ThrowIfNull(targetText);
        if (!WindowsPath.IsFullyQualified(targetText))
        {
            return Encode(Kernel32.IO_REPARSE_TAG_SYMLINK, targetText, targetText, SYMLINK_FLAG_RELATIVE, targetText);
        }

        var substituteName = WindowsPath.ToNtPath(targetText);
        return Encode(Kernel32.IO_REPARSE_TAG_SYMLINK, substituteName, WindowsPath.StripPrefix(substituteName), 0, targetText);
    }

    /// <summary>Lays out a mount-point or symbolic-link reparse buffer.</summary>
    /// <param name="tag">IO_REPARSE_TAG_MOUNT_POINT or IO_REPARSE_TAG_SYMLINK.</param>
    /// <param name="substituteName">The path the system follows.</param>
    /// <param name="printName">The path shown to users.</param>
    /// <param name="flags">Symbolic links only: 0 or SYMLINK_FLAG_RELATIVE.</param>
    /// <param name="pathForErrors">The path named by the exception when the names are too long.</param>
    /// <exception cref="LinkPathTooLongException">The buffer would exceed MAXIMUM_REPARSE_DATA_BUFFER_SIZE.</exception>
    public static byte[] Encode(uint tag, string substituteName, string printName, uint flags, string pathForErrors)
    {
        ArgumentNullException.ThrowIfNull(substituteName);
        ArgumentNullException.ThrowIfNull(printName);
        var pathBufferOffset = tag switch
        {
            Kernel32.IO_REPARSE_TAG_MOUNT_POINT => MountPointPathBufferOffset,
            Kernel32.IO_REPARSE_TAG_SYMLINK => SymbolicLinkPathBufferOffset,
            _ => throw new ArgumentOutOfRangeException(nameof(tag), tag, "Only mount points and symbolic links are encoded."),
        };

        // Counted in long so that a huge name cannot wrap around before the check.
        var substituteBytes = (long)substituteName.Length * sizeof(char);
        var printBytes = (long)printName.Length * sizeof(char);
        var total = pathBufferOffset + substituteBytes + sizeof(char) + printBytes + sizeof(char);
        if (total > MAXIMUM_REPARSE_DATA_BUFFER_SIZE)
        {
            throw new LinkPathTooLongException(pathForErrors);
        }

        var buffer = new byte[total];
        var span = buffer.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, tag);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], (ushort)(total - HeaderSize));
        BinaryPrimitives.WriteUInt16LittleEndian(span[8..], 0);
        BinaryPrimitives.WriteUInt16LittleEndian(span[10..], (ushort)substituteBytes);
        BinaryPrimitives.WriteUInt16LittleEndian(span[12..], (ushort)(substituteBytes + sizeof(char)));
        BinaryPrimitives.WriteUInt16LittleEndian(span[14..], (ushort)printBytes);
        if (tag == Kernel32.IO_REPARSE_TAG_SYMLINK)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(span[16..], flags);
        }

        var pathBuffer = span[pathBufferOffset..];
        WriteUtf16(pathBuffer, substituteName);
        WriteUtf16(pathBuffer[(int)(substituteBytes + sizeof(char))..], printName);
        return buffer;
    }

    /// <summary>
    /// Reads a reparse buffer. Tags other than mount point and symbolic link decode to their tag
    /// with empty names. False when the buffer is truncated or its offsets point outside it.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> buffer, out ReparseData data)
    {
        data = default;
        if (buffer.Length < HeaderSize)
        {
            return false;
        }

        var tag = BinaryPrimitives.ReadUInt32LittleEndian(buffer);
        var dataLength = BinaryPrimitives.ReadUInt16LittleEndian(buffer[4..]);
        if (HeaderSize + dataLength > buffer.Length)
        {
            return false;
        }

        var pathBufferOffset = tag switch
        {
            Kernel32.IO_REPARSE_TAG_MOUNT_POINT => MountPointPathBufferOffset,
            Kernel32.IO_REPARSE_TAG_SYMLINK => SymbolicLinkPathBufferOffset,
            _ => 0,
        };
        if (pathBufferOffset == 0)
        {
            data = new ReparseData(tag, string.Empty, string.Empty, 0);
            return true;
        }

        var end = HeaderSize + dataLength;
        if (end < pathBufferOffset)
        {
            return false;
        }

        var pathBuffer = buffer[pathBufferOffset..end];
        var flags = tag == Kernel32.IO_REPARSE_TAG_SYMLINK ? BinaryPrimitives.ReadUInt32LittleEndian(buffer[16..]) : 0;
        if (!TryReadName(pathBuffer, buffer[8..], out var substituteName) || !TryReadName(pathBuffer, buffer[12..], out var printName))
        {
            return false;
        }

        data = new ReparseData(tag, substituteName, printName, flags);
        return true;
    }

    private static bool TryReadName(ReadOnlySpan<byte> pathBuffer, ReadOnlySpan<byte> offsetAndLength, out string name)
    {
        name = string.Empty;
        int offset = BinaryPrimitives.ReadUInt16LittleEndian(offsetAndLength);
        int length = BinaryPrimitives.ReadUInt16LittleEndian(offsetAndLength[2..]);
        if (offset % sizeof(char) != 0 || length % sizeof(char) != 0 || offset + length > pathBuffer.Length)
        {
            return false;
        }

        name = ReadUtf16(pathBuffer.Slice(offset, length));
        return true;
    }

    // Char by char rather than through Encoding.Unicode: NTFS names may hold unpaired
    // surrogates, which an Encoding would replace with U+FFFD, and then the name is lost.
    internal static void WriteUtf16(Span<byte> destination, string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(destination[(i * sizeof(char))..], text[i]);
        }
    }

    internal static string ReadUtf16(ReadOnlySpan<byte> source)
    {
        var chars = new char[source.Length / sizeof(char)];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = (char)BinaryPrimitives.ReadUInt16LittleEndian(source[(i * sizeof(char))..]);
        }

        return new string(chars);
    }
}
