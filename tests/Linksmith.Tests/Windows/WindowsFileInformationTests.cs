using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Linksmith.Interop;

namespace Linksmith.Tests.Windows;

/// <summary>
/// The structures the handle-relative Windows layer hands to ntdll and kernel32, byte for byte as
/// 64-bit Windows lays them out; pure code, so these run on every OS.
/// </summary>
public sealed class WindowsFileInformationTests
{
    [Fact]
    public void A_rename_ex_holds_its_flags_the_target_folders_handle_and_one_name_at_offset_20()
    {
        var bytes = WindowsFileInformation.Rename(0x1 | 0x2, 0x1234, "new.txt");

        var expected = Convert.FromHexString(
            "03000000" + "00000000" + // Flags: FILE_RENAME_REPLACE_IF_EXISTS | FILE_RENAME_POSIX_SEMANTICS, padding to 8
            "3412000000000000" + // RootDirectory
            "0E000000") // FileNameLength: 7 chars, in bytes
            .Concat(Encoding.Unicode.GetBytes("new.txt"))
            .Concat(new byte[6]); // padded to a multiple of 8 (34 -> 40)
        Assert.Equal(expected, bytes);
        Assert.Equal(0, bytes.Length % 8);
    }

    [Fact]
    public void A_plain_rename_has_the_boolean_ReplaceIfExists_in_its_first_byte()
    {
        var bytes = WindowsFileInformation.Rename(1, 0, "a");

        Assert.Equal(1, bytes[0]);
        Assert.Equal(new byte[3], bytes[1..4]);
        Assert.Equal(2u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(16)));
        Assert.Equal((byte)'a', bytes[20]);
    }

    [Fact]
    public void A_short_name_still_gets_the_whole_structure_of_24_bytes()
    {
        Assert.Equal(WindowsFileInformation.RenameStructureSize, WindowsFileInformation.Rename(0, 0, string.Empty).Length);
        Assert.Equal(24, WindowsFileInformation.Rename(0, 0, "ab").Length);
    }

    [Fact]
    public void A_link_information_is_the_rename_layout_without_replacing()
    {
        var bytes = WindowsFileInformation.Link(replaceIfExists: false, 0x40, "second name.txt");

        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(bytes));
        Assert.Equal(0x40L, BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(8)));
        Assert.Equal(30u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(16)));
        Assert.Equal("second name.txt", Encoding.Unicode.GetString(bytes, 20, 30));
    }

    [Fact]
    public void A_disposition_ex_is_one_ulong_of_flags_and_the_plain_one_a_boolean()
    {
        var flags = Kernel32.FILE_DISPOSITION_FLAG_DELETE | Kernel32.FILE_DISPOSITION_FLAG_POSIX_SEMANTICS | Kernel32.FILE_DISPOSITION_FLAG_IGNORE_READONLY_ATTRIBUTE;

        Assert.Equal(Convert.FromHexString("13000000"), WindowsFileInformation.DispositionEx(flags));
        Assert.Equal(new byte[] { 1 }, WindowsFileInformation.Disposition(deleteFile: true));
    }

    [Fact]
    public void Object_attributes_name_one_entry_relative_to_a_directory_handle_case_insensitively()
    {
        Assert.Equal(8, IntPtr.Size);
        var attributes = WindowsFileInformation.ObjectAttributes(0x88, 0x1000);

        var bytes = MemoryMarshal.AsBytes(new ReadOnlySpan<Ntdll.OBJECT_ATTRIBUTES>(in attributes)).ToArray();

        var expected = Convert.FromHexString(
            "30000000" + "00000000" + // Length 48, padding
            "8800000000000000" + // RootDirectory
            "0010000000000000" + // ObjectName
            "40000000" + "00000000" + // Attributes: OBJ_CASE_INSENSITIVE, padding
            "0000000000000000" + // SecurityDescriptor
            "0000000000000000"); // SecurityQualityOfService
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void A_unicode_string_counts_bytes_and_its_buffer_is_at_offset_8()
    {
        var text = WindowsFileInformation.UnicodeString(0x2000, 14);

        var bytes = MemoryMarshal.AsBytes(new ReadOnlySpan<Ntdll.UNICODE_STRING>(in text)).ToArray();

        Assert.Equal(Convert.FromHexString("0E000E00" + "00000000" + "0020000000000000"), bytes);
        Assert.Throws<ArgumentOutOfRangeException>(() => WindowsFileInformation.UnicodeString(0, 70000));
    }

    [Fact]
    public void Directory_records_are_read_by_their_next_entry_offsets_without_dot_and_dot_dot()
    {
        var buffer = new byte[512];
        var offset = 0;
        foreach (var (name, last) in new[] { (".", false), ("..", false), ("a.txt", false), ("Ünï", true) })
        {
            var nameBytes = Encoding.Unicode.GetBytes(name);
            var length = (68 + nameBytes.Length + 7) & ~7;
            BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(offset), last ? 0u : (uint)length);
            BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(offset + 60), (uint)nameBytes.Length);
            nameBytes.CopyTo(buffer.AsSpan(offset + 68));
            offset += length;
        }

        var names = new List<string>();
        Assert.True(WindowsFileInformation.TryReadDirectoryNames(buffer.AsSpan(0, offset), names));
        Assert.Equal(["a.txt", "Ünï"], names);

        // A record whose name runs past the end is refused, not read.
        BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(60), 1000);
        Assert.False(WindowsFileInformation.TryReadDirectoryNames(buffer.AsSpan(0, offset), []));
    }

    [Fact]
    public void File_times_convert_between_1601_and_1970_both_ways()
    {
        var time = new FileTime(1_700_000_000, 123_456_700);

        var fileTime = WindowsFileInformation.ToFileTime(time);

        Assert.Equal(133_444_736_001_234_567, fileTime);
        Assert.Equal(time, WindowsFileInformation.FromFileTime(fileTime));
        Assert.Equal(new FileTime(-1, 999_999_900), WindowsFileInformation.FromFileTime(116_444_735_999_999_999));
    }

    [Fact]
    public void Nt_statuses_that_mean_a_swapped_entry_are_tree_changes_and_the_rest_go_through_win32()
    {
        Assert.IsType<TreeChangedException>(WindowsErrors.FromNtStatus(Ntdll.STATUS_NOT_A_DIRECTORY, 267, @"C:\t\a"));
        Assert.IsType<TreeChangedException>(WindowsErrors.FromNtStatus(Ntdll.STATUS_FILE_IS_A_DIRECTORY, 5, @"C:\t\a"));
        var missing = Assert.IsType<TargetNotFoundException>(WindowsErrors.FromNtStatus(Ntdll.STATUS_OBJECT_NAME_NOT_FOUND, Kernel32.ERROR_FILE_NOT_FOUND, @"C:\t\a"));
        Assert.Equal(@"C:\t\a", missing.Path);
        Assert.IsType<ReplaceRefusedException>(WindowsErrors.FromNtStatus(Ntdll.STATUS_DIRECTORY_NOT_EMPTY, Kernel32.ERROR_DIR_NOT_EMPTY, @"C:\t\a"));
    }
}
