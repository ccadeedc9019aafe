using System.Buffers.Binary;
using System.Text;

namespace Linksmith.Tests.Windows;

/// <summary>REPARSE_DATA_BUFFER as NTFS stores it; pure code, so these run on every OS.</summary>
public sealed class ReparseBufferTests
{
    private const uint MountPointTag = 0xA0000003;
    private const uint SymbolicLinkTag = 0xA000000C;

    [Fact]
    public void A_junction_buffer_has_mklinks_exact_layout()
    {
        var bytes = ReparseBuffer.ForJunction(@"C:\target");

        var expected = Convert.FromHexString(
            "030000A0" + // ReparseTag: IO_REPARSE_TAG_MOUNT_POINT
            "3800" + // ReparseDataLength: 56 = 8 + 26 + 2 + 18 + 2
            "0000" + // Reserved
            "0000" + // SubstituteNameOffset
            "1A00" + // SubstituteNameLength: 13 chars
            "1C00" + // PrintNameOffset: after the substitute name and its NUL
            "1200") // PrintNameLength: 9 chars
            .Concat(Encoding.Unicode.GetBytes("\\??\\C:\\target\0C:\\target\0"));
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void An_absolute_symlink_buffer_stores_the_nt_path_and_no_relative_flag()
    {
        var bytes = ReparseBuffer.ForSymbolicLink(@"C:\data\f.txt");

        var expected = Convert.FromHexString(
            "0C0000A0" + // ReparseTag: IO_REPARSE_TAG_SYMLINK
            "4C00" + // ReparseDataLength: 76 = 12 + 34 + 2 + 26 + 2
            "0000" +
            "0000" + "2200" + // substitute name at 0, 17 chars
            "2400" + "1A00" + // print name at 36, 13 chars
            "00000000") // Flags: absolute
            .Concat(Encoding.Unicode.GetBytes("\\??\\C:\\data\\f.txt\0C:\\data\\f.txt\0"));
        Assert.Equal(expected, bytes);
    }

    [Fact]
    public void A_relative_symlink_buffer_stores_the_text_as_given_with_SYMLINK_FLAG_RELATIVE()
    {
        var bytes = ReparseBuffer.ForSymbolicLink(@"..\a\b.txt");

        Assert.Equal(SymbolicLinkTag, BinaryPrimitives.ReadUInt32LittleEndian(bytes));
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(16)));
        Assert.True(ReparseBuffer.TryDecode(bytes, out var data));
        Assert.Equal(@"..\a\b.txt", data.SubstituteName);
        Assert.Equal(@"..\a\b.txt", data.PrintName);
        Assert.True(data.IsRelative);
        Assert.Equal(@"..\a\b.txt", data.LinkTarget);
    }

    [Fact]
    public void A_junction_reads_back_as_its_print_name()
    {
        Assert.True(ReparseBuffer.TryDecode(ReparseBuffer.ForJunction(@"D:\Games\Steam"), out var data));

        Assert.Equal(MountPointTag, data.Tag);
        Assert.Equal(@"\??\D:\Games\Steam", data.SubstituteName);
        Assert.Equal(@"D:\Games\Steam", data.PrintName);
        Assert.False(data.IsRelative);
        Assert.Equal(@"D:\Games\Steam", data.LinkTarget);
    }

    [Fact]
    public void A_junction_target_given_with_the_long_path_prefix_is_stored_in_nt_form()
    {
        Assert.True(ReparseBuffer.TryDecode(ReparseBuffer.ForJunction(@"\\?\C:\target"), out var data));

        Assert.Equal(@"\??\C:\target", data.SubstituteName);
        Assert.Equal(@"C:\target", data.PrintName);
    }

    [Fact]
    public void A_junction_without_a_print_name_reads_back_as_its_substitute_name_without_the_nt_prefix()
    {
        var bytes = ReparseBuffer.Encode(MountPointTag, @"\??\C:\target", string.Empty, 0, "x");

        Assert.True(ReparseBuffer.TryDecode(bytes, out var data));
        Assert.Equal(@"C:\target", data.LinkTarget);
    }

    [Fact]
    public void A_volume_mount_point_without_a_print_name_reads_back_as_a_volume_guid_path()
    {
        var volume = @"\??\Volume{12345678-1234-1234-1234-123456789abc}\";
        var bytes = ReparseBuffer.Encode(MountPointTag, volume, string.Empty, 0, "x");

        Assert.True(ReparseBuffer.TryDecode(bytes, out var data));
        Assert.Equal(@"\\?\Volume{12345678-1234-1234-1234-123456789abc}\", data.LinkTarget);
    }

    [Fact]
    public void A_symlink_reads_back_as_its_substitute_name_not_its_print_name()
    {
        // The print name is only for display; the system follows the substitute name.
        var bytes = ReparseBuffer.Encode(SymbolicLinkTag, @"\??\C:\real", @"C:\shown", 0, "x");

        Assert.True(ReparseBuffer.TryDecode(bytes, out var data));
        Assert.Equal(@"C:\real", data.LinkTarget);
    }

    [Fact]
    public void A_symlink_to_a_network_share_is_stored_in_unc_nt_form_and_reads_back_as_unc()
    {
        Assert.True(ReparseBuffer.TryDecode(ReparseBuffer.ForSymbolicLink(@"\\server\share\dir"), out var data));

        Assert.Equal(@"\??\UNC\server\share\dir", data.SubstituteName);
        Assert.Equal(@"\\server\share\dir", data.PrintName);
        Assert.Equal(@"\\server\share\dir", data.LinkTarget);
    }

    [Fact]
    public void A_symlink_in_the_layout_CreateSymbolicLinkW_writes_is_read_by_its_offsets()
    {
        // Windows itself puts the print name first and writes no NULs.
        var print = Encoding.Unicode.GetBytes(@"C:\x");
        var substitute = Encoding.Unicode.GetBytes(@"\??\C:\x");
        var buffer = new byte[20 + print.Length + substitute.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, SymbolicLinkTag);
        BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(4), (ushort)(buffer.Length - 8));
        BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(8), (ushort)print.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(10), (ushort)substitute.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(12), 0);
        BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(14), (ushort)print.Length);
        print.CopyTo(buffer.AsSpan(20));
        substitute.CopyTo(buffer.AsSpan(20 + print.Length));

        Assert.True(ReparseBuffer.TryDecode(buffer, out var data));
        Assert.Equal(@"\??\C:\x", data.SubstituteName);
        Assert.Equal(@"C:\x", data.PrintName);
        Assert.Equal(@"C:\x", data.LinkTarget);
    }

    [Fact]
    public void A_path_of_more_than_300_characters_round_trips()
    {
        var target = @"C:\" + string.Join('\\', Enumerable.Range(0, 40).Select(i => $"folder{i:D2}"));
        Assert.True(target.Length > 300);

        var bytes = ReparseBuffer.ForJunction(target);

        Assert.Equal(16 + (2 * (target.Length + 4)) + 2 + (2 * target.Length) + 2, bytes.Length);
        Assert.True(ReparseBuffer.TryDecode(bytes, out var data));
        Assert.Equal(@"\??\" + target, data.SubstituteName);
        Assert.Equal(target, data.LinkTarget);
    }

    [Fact]
    public void The_largest_junction_that_fits_fills_exactly_16_KiB()
    {
        // 16 header bytes + (4 + n) and n characters with two NULs: 28 + 4n <= 16384.
        var target = @"C:\" + new string('a', 4089 - 3);

        var bytes = ReparseBuffer.ForJunction(target);

        Assert.Equal(ReparseBuffer.MAXIMUM_REPARSE_DATA_BUFFER_SIZE, bytes.Length);
        Assert.True(ReparseBuffer.TryDecode(bytes, out var data));
        Assert.Equal(target, data.LinkTarget);
    }

    [Fact]
    public void A_junction_one_character_too_long_is_refused_naming_the_target()
    {
        var target = @"C:\" + new string('a', 4090 - 3);

        var error = Assert.Throws<LinkPathTooLongException>(() => ReparseBuffer.ForJunction(target));

        Assert.Equal(target, error.Path);
    }

    [Fact]
    public void A_symlink_target_beyond_16_KiB_is_refused()
    {
        var target = @"C:\" + new string('a', 9000);

        Assert.Throws<LinkPathTooLongException>(() => ReparseBuffer.ForSymbolicLink(target));
    }

    [Fact]
    public void A_name_with_an_unpaired_surrogate_round_trips_unchanged()
    {
        // NTFS names are UTF-16 code units, not necessarily valid Unicode.
        var target = "C:\\bad\uD800name";

        Assert.True(ReparseBuffer.TryDecode(ReparseBuffer.ForJunction(target), out var data));

        Assert.Equal(target, data.LinkTarget);
    }

    [Fact]
    public void Another_kind_of_reparse_point_decodes_to_its_tag_without_a_link_target()
    {
        // IO_REPARSE_TAG_APPEXECLINK, as the WindowsApps python.exe aliases are.
        var buffer = new byte[12];
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, 0x8000001B);
        BinaryPrimitives.WriteUInt16LittleEndian(buffer.AsSpan(4), 4);

        Assert.True(ReparseBuffer.TryDecode(buffer, out var data));
        Assert.Equal(0x8000001Bu, data.Tag);
        Assert.Null(data.LinkTarget);
    }

    [Fact]
    public void A_truncated_buffer_is_rejected()
    {
        var bytes = ReparseBuffer.ForJunction(@"C:\target");

        Assert.False(ReparseBuffer.TryDecode(bytes.AsSpan(0, 6), out _));
        Assert.False(ReparseBuffer.TryDecode(bytes.AsSpan(0, bytes.Length - 2), out _));
    }

    [Fact]
    public void A_name_pointing_outside_the_buffer_is_rejected()
    {
        var bytes = ReparseBuffer.ForJunction(@"C:\target");
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(12), 200);

        Assert.False(ReparseBuffer.TryDecode(bytes, out _));
    }

    [Fact]
    public void A_name_length_that_splits_a_character_is_rejected()
    {
        var bytes = ReparseBuffer.ForJunction(@"C:\target");
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(10), 25);

        Assert.False(ReparseBuffer.TryDecode(bytes, out _));
    }
}
