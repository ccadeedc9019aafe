using System.Buffers.Binary;
using System.Text;

namespace Linksmith.Tests.Windows;

/// <summary>
/// What <c>--xattrs</c> carries on Windows, on the bytes ntdll returns: FILE_STREAM_INFORMATION
/// listings, the stream names that are carried and how one is opened, and which parts of a
/// security descriptor are written, protected or not. Pure code, so these run on every OS.
/// </summary>
public sealed class WindowsAttributesTests
{
    [Fact]
    public void A_stream_listing_gives_each_streams_full_name_and_size()
    {
        var listing = Listing(("::$DATA", 4), (":comment:$DATA", 11), (":Zone.Identifier:$DATA", 26));

        var streams = new List<(string Name, long Size)>();
        Assert.True(WindowsAttributes.TryReadStreams(listing, streams));

        Assert.Equal([("::$DATA", 4L), (":comment:$DATA", 11L), (":Zone.Identifier:$DATA", 26L)], streams);
    }

    [Fact]
    public void An_empty_listing_is_a_folder_without_streams()
    {
        var streams = new List<(string Name, long Size)>();

        Assert.True(WindowsAttributes.TryReadStreams([], streams));
        Assert.Empty(streams);
    }

    [Fact]
    public void A_listing_whose_record_runs_past_the_buffer_or_points_backwards_is_malformed()
    {
        var listing = Listing((":comment:$DATA", 11));
        var streams = new List<(string Name, long Size)>();

        Assert.False(WindowsAttributes.TryReadStreams(listing.AsSpan(0, listing.Length - 8), streams));
        BinaryPrimitives.WriteUInt32LittleEndian(listing.AsSpan(4), 1000);
        Assert.False(WindowsAttributes.TryReadStreams(listing, streams));

        var two = Listing(("::$DATA", 1), (":a:$DATA", 1));
        BinaryPrimitives.WriteUInt32LittleEndian(two, 8);
        Assert.False(WindowsAttributes.TryReadStreams(two, streams));
    }

    [Theory]
    [InlineData(":comment:$DATA", "comment")]
    [InlineData(":Zone.Identifier:$DATA", "Zone.Identifier")]
    [InlineData(":lower:$data", "lower")]
    [InlineData("::$DATA", null)]
    [InlineData(":$I30:$INDEX_ALLOCATION", null)]
    [InlineData(":stream:$LOGGED_UTILITY_STREAM", null)]
    [InlineData("comment", null)]
    [InlineData(":", null)]
    public void Only_named_data_streams_are_carried(string listed, string? carried) =>
        Assert.Equal(carried, WindowsAttributes.CarriedStreamName(listed));

    [Fact]
    public void A_stream_is_opened_relative_to_its_file_by_its_name_and_type_only() =>
        Assert.Equal(":comment:$DATA", WindowsAttributes.StreamObjectName("comment"));

    [Fact]
    public void A_protected_dacl_is_written_protected_and_an_inheriting_one_unprotected()
    {
        var isProtected = WindowsAttributes.SetInformation(WindowsAttributes.SE_DACL_PROTECTED | WindowsAttributes.SE_DACL_PRESENT, withOwner: false, withSacl: false);
        var inheriting = WindowsAttributes.SetInformation(WindowsAttributes.SE_DACL_PRESENT | 0x0400 /* SE_DACL_AUTO_INHERITED */, withOwner: false, withSacl: false);

        Assert.Equal(WindowsAttributes.DACL_SECURITY_INFORMATION | WindowsAttributes.PROTECTED_DACL_SECURITY_INFORMATION, isProtected);
        Assert.Equal(WindowsAttributes.DACL_SECURITY_INFORMATION | WindowsAttributes.UNPROTECTED_DACL_SECURITY_INFORMATION, inheriting);
    }

    [Fact]
    public void Owner_and_group_are_written_only_with_SeRestorePrivilege_and_the_sacl_only_with_SeSecurityPrivilege()
    {
        const ushort control = WindowsAttributes.SE_DACL_PRESENT | WindowsAttributes.SE_SACL_PRESENT | WindowsAttributes.SE_SACL_PROTECTED;
        const uint ownerAndGroup = WindowsAttributes.OWNER_SECURITY_INFORMATION | WindowsAttributes.GROUP_SECURITY_INFORMATION;
        const uint unprotectedDacl = WindowsAttributes.DACL_SECURITY_INFORMATION | WindowsAttributes.UNPROTECTED_DACL_SECURITY_INFORMATION;

        Assert.Equal(unprotectedDacl, WindowsAttributes.SetInformation(control, withOwner: false, withSacl: false));
        Assert.Equal(unprotectedDacl | ownerAndGroup, WindowsAttributes.SetInformation(control, withOwner: true, withSacl: false));
        Assert.Equal(
            unprotectedDacl | ownerAndGroup | WindowsAttributes.SACL_SECURITY_INFORMATION | WindowsAttributes.PROTECTED_SACL_SECURITY_INFORMATION,
            WindowsAttributes.SetInformation(control, withOwner: true, withSacl: true));
        Assert.Equal(
            unprotectedDacl | WindowsAttributes.SACL_SECURITY_INFORMATION | WindowsAttributes.UNPROTECTED_SACL_SECURITY_INFORMATION,
            WindowsAttributes.SetInformation(WindowsAttributes.SE_DACL_PRESENT, withOwner: false, withSacl: true));
        Assert.Equal(ownerAndGroup | WindowsAttributes.DACL_SECURITY_INFORMATION, WindowsAttributes.QueryInformation(withSacl: false));
        Assert.Equal(ownerAndGroup | WindowsAttributes.DACL_SECURITY_INFORMATION | WindowsAttributes.SACL_SECURITY_INFORMATION, WindowsAttributes.QueryInformation(withSacl: true));
    }

    [Fact]
    public void A_descriptor_is_split_into_its_owner_group_and_acls()
    {
        var dacl = Acl(Ace(0, 0, FullAccess, Everyone), Ace(0, 0, ReadAccess, Users));
        var sacl = Acl(Ace(2, 0xC0, FullAccess, Everyone));
        var descriptor = Descriptor(WindowsAttributes.SE_DACL_PROTECTED, Administrators, LocalSystem, sacl, dacl, daclFirst: true);

        var parts = WindowsAttributes.TryParse(descriptor);

        Assert.NotNull(parts);
        Assert.Equal(Administrators, parts.Owner);
        Assert.Equal(LocalSystem, parts.Group);
        Assert.Equal(sacl, parts.Sacl);
        Assert.Equal(dacl, parts.Dacl);
        Assert.NotEqual(0, parts.Control & WindowsAttributes.SE_DACL_PROTECTED);
    }

    [Fact]
    public void A_descriptor_that_is_not_self_relative_or_runs_past_its_end_is_refused()
    {
        var descriptor = Descriptor(0, Administrators, LocalSystem, null, Acl(Ace(0, 0, FullAccess, Everyone)));

        Assert.Null(WindowsAttributes.TryParse(descriptor.AsSpan(0, descriptor.Length - 4)));
        var absolute = descriptor.ToArray();
        absolute[3] &= 0x7F; // SE_SELF_RELATIVE cleared
        Assert.Null(WindowsAttributes.TryParse(absolute));
        Assert.Null(WindowsAttributes.TryParse([1, 0]));
    }

    [Fact]
    public void Descriptors_are_the_same_when_what_is_carried_is_equal_however_the_parts_are_laid_out()
    {
        var everyoneFull = Acl(Ace(0, 0, FullAccess, Everyone));
        var one = Parse(Descriptor(WindowsAttributes.SE_DACL_PROTECTED, Administrators, LocalSystem, null, everyoneFull));
        var laidOutOtherwise = Parse(Descriptor(WindowsAttributes.SE_DACL_PROTECTED, Administrators, LocalSystem, null, everyoneFull, daclFirst: true));
        var otherOwner = Parse(Descriptor(WindowsAttributes.SE_DACL_PROTECTED, LocalSystem, LocalSystem, null, everyoneFull));
        var unprotected = Parse(Descriptor(0, Administrators, LocalSystem, null, everyoneFull));
        var otherEntry = Parse(Descriptor(WindowsAttributes.SE_DACL_PROTECTED, Administrators, LocalSystem, null, Acl(Ace(0, 0, ReadAccess, Everyone))));
        var withSacl = Parse(Descriptor(WindowsAttributes.SE_DACL_PROTECTED, Administrators, LocalSystem, Acl(Ace(2, 0xC0, FullAccess, Everyone)), everyoneFull));
        var nullDacl = Parse(Descriptor(0, Administrators, LocalSystem, null, null, daclPresent: true));
        var noDacl = Parse(Descriptor(0, Administrators, LocalSystem, null, null, daclPresent: false));

        Assert.True(WindowsAttributes.Same(one, laidOutOtherwise, withOwner: true, withSacl: true));
        Assert.True(WindowsAttributes.Same(one, otherOwner, withOwner: false, withSacl: false));
        Assert.False(WindowsAttributes.Same(one, otherOwner, withOwner: true, withSacl: false));
        Assert.False(WindowsAttributes.Same(one, unprotected, withOwner: false, withSacl: false));
        Assert.False(WindowsAttributes.Same(one, otherEntry, withOwner: false, withSacl: false));
        Assert.True(WindowsAttributes.Same(one, withSacl, withOwner: true, withSacl: false));
        Assert.False(WindowsAttributes.Same(one, withSacl, withOwner: true, withSacl: true));
        Assert.False(WindowsAttributes.Same(nullDacl, noDacl, withOwner: false, withSacl: false));
        Assert.Equal([], nullDacl.Dacl ?? [1]);
    }

    private static SecurityParts Parse(byte[] descriptor) => WindowsAttributes.TryParse(descriptor) ?? throw new InvalidOperationException("unparsable");

    /// <summary>A FILE_STREAM_INFORMATION listing as NTFS returns it: records aligned to 8 bytes.</summary>
    private static byte[] Listing(params (string Name, long Size)[] streams)
    {
        var records = new List<byte[]>();
        foreach (var (name, size) in streams)
        {
            var nameBytes = Encoding.Unicode.GetBytes(name);
            var record = new byte[(WindowsAttributes.StreamNameOffset + nameBytes.Length + 7) & ~7];
            BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(4), (uint)nameBytes.Length);
            BinaryPrimitives.WriteInt64LittleEndian(record.AsSpan(8), size);
            BinaryPrimitives.WriteInt64LittleEndian(record.AsSpan(16), (size + 4095) & ~4095L);
            nameBytes.CopyTo(record, WindowsAttributes.StreamNameOffset);
            records.Add(record);
        }

        for (var i = 0; i < records.Count - 1; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(records[i], (uint)records[i].Length);
        }

        return [.. records.SelectMany(static record => record)];
    }

    // SIDs: S-1-5-32-544 (Administrators), S-1-5-18 (SYSTEM), S-1-1-0 (Everyone), S-1-5-32-545 (Users).
    private static readonly byte[] Administrators = Sid(5, 32, 544);
    private static readonly byte[] LocalSystem = Sid(5, 18);
    private static readonly byte[] Everyone = Sid(1, 0);
    private static readonly byte[] Users = Sid(5, 32, 545);

    private const uint FullAccess = 0x001F01FF;
    private const uint ReadAccess = 0x00120089;

    /// <summary>SID: Revision 1, SubAuthorityCount, IdentifierAuthority (6 bytes, big-endian), SubAuthority[] (little-endian).</summary>
    private static byte[] Sid(byte authority, params uint[] subAuthorities)
    {
        var sid = new byte[8 + (4 * subAuthorities.Length)];
        sid[0] = 1;
        sid[1] = (byte)subAuthorities.Length;
        sid[7] = authority;
        for (var i = 0; i < subAuthorities.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(sid.AsSpan(8 + (4 * i)), subAuthorities[i]);
        }

        return sid;
    }

    /// <summary>ACCESS_ALLOWED_ACE (type 0) or SYSTEM_AUDIT_ACE (type 2): AceType, AceFlags, AceSize, Mask, Sid.</summary>
    private static byte[] Ace(byte type, byte flags, uint mask, byte[] sid)
    {
        var ace = new byte[8 + sid.Length];
        ace[0] = type;
        ace[1] = flags;
        BinaryPrimitives.WriteUInt16LittleEndian(ace.AsSpan(2), (ushort)ace.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(ace.AsSpan(4), mask);
        sid.CopyTo(ace, 8);
        return ace;
    }

    /// <summary>ACL: AclRevision 2, Sbz1, AclSize, AceCount, Sbz2, then the entries.</summary>
    private static byte[] Acl(params byte[][] aces)
    {
        var acl = new byte[8 + aces.Sum(static ace => ace.Length)];
        acl[0] = 2;
        BinaryPrimitives.WriteUInt16LittleEndian(acl.AsSpan(2), (ushort)acl.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(acl.AsSpan(4), (ushort)aces.Length);
        var offset = 8;
        foreach (var ace in aces)
        {
            ace.CopyTo(acl, offset);
            offset += ace.Length;
        }

        return acl;
    }

    /// <summary>
    /// A self-relative SECURITY_DESCRIPTOR: the 20-byte header, then the parts in the order given
    /// (<paramref name="daclFirst"/>: DACL, SACL, owner, group, as NTFS often stores them; else
    /// owner, group, SACL, DACL). A DACL of null with <paramref name="daclPresent"/> is a null DACL.
    /// </summary>
    private static byte[] Descriptor(ushort control, byte[]? owner, byte[]? group, byte[]? sacl, byte[]? dacl, bool daclPresent = true, bool daclFirst = false)
    {
        control |= WindowsAttributes.SE_SELF_RELATIVE;
        control |= daclPresent ? WindowsAttributes.SE_DACL_PRESENT : (ushort)0;
        control |= sacl is not null ? WindowsAttributes.SE_SACL_PRESENT : (ushort)0;
        var body = new List<byte>();
        var offsets = new uint[4];
        var order = daclFirst ? new[] { 3, 2, 0, 1 } : new[] { 0, 1, 2, 3 };
        var parts = new[] { owner, group, sacl, dacl };
        foreach (var i in order)
        {
            if (parts[i] is { } part)
            {
                offsets[i] = (uint)(20 + body.Count);
                body.AddRange(part);
            }
        }

        var descriptor = new byte[20 + body.Count];
        descriptor[0] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(descriptor.AsSpan(2), control);
        for (var i = 0; i < 4; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(descriptor.AsSpan(4 + (4 * i)), offsets[i]);
        }

        body.CopyTo(descriptor, 20);
        return descriptor;
    }
}
