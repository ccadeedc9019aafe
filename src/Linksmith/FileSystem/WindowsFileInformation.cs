using System.Buffers.Binary;
using Linksmith.Interop;

namespace Linksmith;

/// <summary>
/// The structures the handle-relative Windows calls take and return, laid out as bytes by pure
/// functions, so that their layout is tested on any OS (tests/Linksmith.Tests/Windows). Layouts
/// are those of 64-bit Windows (win-x64, win-arm64): pointers and handles are 8 bytes.
/// </summary>
internal static class WindowsFileInformation
{
    /// <summary>Where FileName starts in FILE_RENAME_INFORMATION(_EX) and FILE_LINK_INFORMATION: after the flags (4 bytes, padded to 8), RootDirectory (8) and FileNameLength (4).</summary>
    public const int RenameFileNameOffset = 20;

    /// <summary>sizeof(FILE_RENAME_INFORMATION) in C: FileName[1] and the padding to 8 bytes included.</summary>
    public const int RenameStructureSize = 24;

    /// <summary>Where FileNameLength is in FILE_FULL_DIR_INFORMATION.</summary>
    public const int FullDirectoryFileNameLengthOffset = 60;

    /// <summary>Where FileName starts in FILE_FULL_DIR_INFORMATION.</summary>
    public const int FullDirectoryFileNameOffset = 68;

    // 100-nanosecond intervals between 1601-01-01 (Windows' epoch) and 1970-01-01.
    private const long UnixEpochAsFileTime = 116_444_736_000_000_000;

    /// <summary>
    /// FILE_RENAME_INFORMATION_EX (<paramref name="flags"/>: FILE_RENAME_*) or, with flags 0 or 1,
    /// FILE_RENAME_INFORMATION / FILE_LINK_INFORMATION, whose first byte is the BOOLEAN
    /// ReplaceIfExists: one layout for the three. <paramref name="fileName"/> is one name, looked
    /// up relative to <paramref name="rootDirectory"/>.
    /// </summary>
    /// <returns>The structure, at least <see cref="RenameStructureSize"/> bytes, padded to 8.</returns>
    public static byte[] Rename(uint flags, nint rootDirectory, string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var nameBytes = fileName.Length * sizeof(char);
        var size = Math.Max(RenameStructureSize, (RenameFileNameOffset + nameBytes + 7) & ~7);
        var buffer = new byte[size];
        var span = buffer.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, flags);
        BinaryPrimitives.WriteInt64LittleEndian(span[8..], rootDirectory);
        BinaryPrimitives.WriteUInt32LittleEndian(span[16..], (uint)nameBytes);
        ReparseBuffer.WriteUtf16(span[RenameFileNameOffset..], fileName);
        return buffer;
    }

    /// <summary>FILE_LINK_INFORMATION: a new name <paramref name="fileName"/> in the directory <paramref name="rootDirectory"/>.</summary>
    public static byte[] Link(bool replaceIfExists, nint rootDirectory, string fileName) =>
        Rename(replaceIfExists ? 1u : 0u, rootDirectory, fileName);

    /// <summary>FILE_DISPOSITION_INFO_EX: one ULONG of FILE_DISPOSITION_FLAG_*.</summary>
    public static byte[] DispositionEx(uint flags)
    {
        var buffer = new byte[sizeof(uint)];
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, flags);
        return buffer;
    }

    /// <summary>FILE_DISPOSITION_INFO: one BOOLEAN DeleteFile.</summary>
    public static byte[] Disposition(bool deleteFile) => [deleteFile ? (byte)1 : (byte)0];

    /// <summary>UNICODE_STRING for <paramref name="byteLength"/> bytes of UTF-16 at <paramref name="buffer"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Longer than a UNICODE_STRING can say (32,767 characters).</exception>
    public static Ntdll.UNICODE_STRING UnicodeString(nint buffer, int byteLength)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(byteLength, ushort.MaxValue - 1);
        return new Ntdll.UNICODE_STRING { Length = (ushort)byteLength, MaximumLength = (ushort)byteLength, Buffer = buffer };
    }

    /// <summary>OBJECT_ATTRIBUTES naming <paramref name="objectName"/> (a UNICODE_STRING*) relative to <paramref name="rootDirectory"/>, case-insensitively.</summary>
    public static unsafe Ntdll.OBJECT_ATTRIBUTES ObjectAttributes(nint rootDirectory, nint objectName) => new()
    {
        Length = (uint)sizeof(Ntdll.OBJECT_ATTRIBUTES),
        RootDirectory = rootDirectory,
        ObjectName = objectName,
        Attributes = Ntdll.OBJ_CASE_INSENSITIVE,
    };

    /// <summary>
    /// The names in a buffer of FILE_FULL_DIR_INFORMATION records (NtQueryDirectoryFile), each at
    /// the previous one's NextEntryOffset, without . and ..
    /// </summary>
    /// <returns>False when a record points outside the buffer.</returns>
    public static bool TryReadDirectoryNames(ReadOnlySpan<byte> buffer, List<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var offset = 0;
        while (true)
        {
            if (offset < 0 || offset + FullDirectoryFileNameOffset > buffer.Length)
            {
                return false;
            }

            var record = buffer[offset..];
            var next = BinaryPrimitives.ReadUInt32LittleEndian(record);
            var nameLength = BinaryPrimitives.ReadUInt32LittleEndian(record[FullDirectoryFileNameLengthOffset..]);
            if (nameLength % sizeof(char) != 0 || FullDirectoryFileNameOffset + (long)nameLength > record.Length)
            {
                return false;
            }

            var name = ReparseBuffer.ReadUtf16(record.Slice(FullDirectoryFileNameOffset, (int)nameLength));
            if (name is not ("." or ".."))
            {
                names.Add(name);
            }

            if (next == 0)
            {
                return true;
            }

            offset += (int)next;
        }
    }

    /// <summary>A FILETIME (100 ns since 1601, UTC) as seconds and nanoseconds since 1970.</summary>
    public static FileTime FromFileTime(long fileTime)
    {
        var sinceUnixEpoch = fileTime - UnixEpochAsFileTime;
        var seconds = Math.DivRem(sinceUnixEpoch, 10_000_000, out var rest);
        if (rest < 0)
        {
            seconds--;
            rest += 10_000_000;
        }

        return new FileTime(seconds, (uint)(rest * 100));
    }

    /// <summary>A time as a FILETIME (100 ns since 1601); nanoseconds below 100 are dropped.</summary>
    public static long ToFileTime(FileTime time) => (time.Seconds * 10_000_000) + (time.Nanoseconds / 100) + UnixEpochAsFileTime;
}
