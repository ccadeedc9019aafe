using System.Buffers.Binary;

namespace Linksmith;

/// <summary>
/// What <c>--xattrs</c> carries on Windows, as pure functions over the bytes the system returns,
/// so that they are tested on any OS (tests/Linksmith.Tests/Windows/WindowsAttributesTests.cs):
/// the named alternate data streams in a FILE_STREAM_INFORMATION listing, and which parts of a
/// self-relative SECURITY_DESCRIPTOR are read, compared and written.
/// </summary>
/// <remarks>
/// Carried, as robocopy <c>/COPY:DATS</c> (and <c>/COPY:O</c> when it may) does: every named
/// <c>$DATA</c> stream; the DACL with its protection (whether it takes entries from the parent
/// folder); the owner and group when the process holds SeRestorePrivilege (as root may chown on
/// Linux: only then can an owner other than oneself be set); the SACL (auditing) only with
/// SeSecurityPrivilege, without which it cannot even be read.
/// </remarks>
internal static class WindowsAttributes
{
    // SECURITY_INFORMATION (winnt.h).
    public const uint OWNER_SECURITY_INFORMATION = 0x00000001;
    public const uint GROUP_SECURITY_INFORMATION = 0x00000002;
    public const uint DACL_SECURITY_INFORMATION = 0x00000004;
    public const uint SACL_SECURITY_INFORMATION = 0x00000008;
    public const uint UNPROTECTED_SACL_SECURITY_INFORMATION = 0x10000000;
    public const uint UNPROTECTED_DACL_SECURITY_INFORMATION = 0x20000000;
    public const uint PROTECTED_SACL_SECURITY_INFORMATION = 0x40000000;
    public const uint PROTECTED_DACL_SECURITY_INFORMATION = 0x80000000;

    // SECURITY_DESCRIPTOR_CONTROL (winnt.h).
    public const ushort SE_DACL_PRESENT = 0x0004;
    public const ushort SE_SACL_PRESENT = 0x0010;
    public const ushort SE_DACL_PROTECTED = 0x1000;
    public const ushort SE_SACL_PROTECTED = 0x2000;
    public const ushort SE_SELF_RELATIVE = 0x8000;

    /// <summary>Where StreamName starts in FILE_STREAM_INFORMATION: NextEntryOffset, StreamNameLength (4 each), StreamSize, StreamAllocationSize (8 each).</summary>
    public const int StreamNameOffset = 24;

    /// <summary>The type of a stream that holds data; a file's unnamed one is <c>::$DATA</c>.</summary>
    private const string DataType = ":$DATA";

    /// <summary>
    /// Reads the records of a FILE_STREAM_INFORMATION listing into <paramref name="streams"/>:
    /// each stream's full name as the system gives it (<c>::$DATA</c>, <c>:name:$DATA</c>) and size.
    /// </summary>
    /// <returns>False when a record runs past the buffer or does not move forward (a malformed listing).</returns>
    public static bool TryReadStreams(ReadOnlySpan<byte> buffer, List<(string Name, long Size)> streams)
    {
        ArgumentNullException.ThrowIfNull(streams);
        var offset = 0;
        while (offset < buffer.Length)
        {
            var record = buffer[offset..];
            if (record.Length < StreamNameOffset)
            {
                return false;
            }

            var next = BinaryPrimitives.ReadUInt32LittleEndian(record);
            var nameLength = BinaryPrimitives.ReadUInt32LittleEndian(record[4..]);
            var size = BinaryPrimitives.ReadInt64LittleEndian(record[8..]);
            if (nameLength % 2 != 0 || nameLength > record.Length - StreamNameOffset || (next != 0 && next < StreamNameOffset))
            {
                return false;
            }

            streams.Add((ReparseBuffer.ReadUtf16(record.Slice(StreamNameOffset, (int)nameLength)), size));
            if (next == 0)
            {
                return true;
            }

            if (next > record.Length)
            {
                return false;
            }

            offset += (int)next;
        }

        return buffer.Length == 0;
    }

    /// <summary>
    /// The name of a carried stream in a listed full name: <c>:comment:$DATA</c> is <c>comment</c>;
    /// null for the unnamed data stream (the file's contents, copied as such) and for streams of
    /// another type (none but <c>$DATA</c> can be opened and written by a program).
    /// </summary>
    public static string? CarriedStreamName(string fullName)
    {
        ArgumentNullException.ThrowIfNull(fullName);
        if (fullName.Length <= 1 + DataType.Length || fullName[0] != ':' || !fullName.EndsWith(DataType, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var name = fullName[1..^DataType.Length];
        return name.Length == 0 || name.Contains(':', StringComparison.Ordinal) ? null : name;
    }

    /// <summary>The ObjectName that opens the data stream <paramref name="streamName"/> relative to its file's HANDLE (NtCreateFile's RootDirectory): <c>:name:$DATA</c>.</summary>
    public static string StreamObjectName(string streamName) => ":" + streamName + DataType;

    /// <summary>What is read of a security descriptor: owner and group (readable with READ_CONTROL alone, compared only when they are carried), the DACL, and the SACL when it is carried.</summary>
    public static uint QueryInformation(bool withSacl) =>
        OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION | (withSacl ? SACL_SECURITY_INFORMATION : 0);

    /// <summary>
    /// What is written of the source's descriptor (its control bits <paramref name="control"/>): the
    /// DACL, protected from inheritance exactly when the source's is (PROTECTED_ or
    /// UNPROTECTED_DACL_SECURITY_INFORMATION, so the copy neither gains nor loses its link to its
    /// folder's inheritable entries); owner and group with <paramref name="withOwner"/>; the SACL,
    /// protected likewise, with <paramref name="withSacl"/>.
    /// </summary>
    public static uint SetInformation(ushort control, bool withOwner, bool withSacl)
    {
        var information = DACL_SECURITY_INFORMATION
            | ((control & SE_DACL_PROTECTED) != 0 ? PROTECTED_DACL_SECURITY_INFORMATION : UNPROTECTED_DACL_SECURITY_INFORMATION);
        if (withOwner)
        {
            information |= OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION;
        }

        if (withSacl)
        {
            information |= SACL_SECURITY_INFORMATION
                | ((control & SE_SACL_PROTECTED) != 0 ? PROTECTED_SACL_SECURITY_INFORMATION : UNPROTECTED_SACL_SECURITY_INFORMATION);
        }

        return information;
    }

    /// <summary>
    /// Splits a self-relative SECURITY_DESCRIPTOR into its parts (each the bytes of a SID or ACL;
    /// null where absent); null when it is not self-relative or a part runs past its end.
    /// </summary>
    public static SecurityParts? TryParse(ReadOnlySpan<byte> descriptor)
    {
        if (descriptor.Length < 20 || descriptor[0] != 1)
        {
            return null;
        }

        var control = BinaryPrimitives.ReadUInt16LittleEndian(descriptor[2..]);
        if ((control & SE_SELF_RELATIVE) == 0)
        {
            return null;
        }

        var ok = true;
        var owner = Sid(descriptor, BinaryPrimitives.ReadUInt32LittleEndian(descriptor[4..]), ref ok);
        var group = Sid(descriptor, BinaryPrimitives.ReadUInt32LittleEndian(descriptor[8..]), ref ok);
        var sacl = (control & SE_SACL_PRESENT) != 0 ? Acl(descriptor, BinaryPrimitives.ReadUInt32LittleEndian(descriptor[12..]), ref ok) : null;
        var dacl = (control & SE_DACL_PRESENT) != 0 ? Acl(descriptor, BinaryPrimitives.ReadUInt32LittleEndian(descriptor[16..]), ref ok) : null;
        return ok ? new SecurityParts(control, owner, group, sacl, dacl) : null;
    }

    /// <summary>
    /// Whether two descriptors are the same in what <c>--xattrs</c> carries: DACL (present or not,
    /// protected or not, its entries), owner and group with <paramref name="withOwner"/>, SACL with
    /// <paramref name="withSacl"/>.
    /// </summary>
    public static bool Same(SecurityParts left, SecurityParts right, bool withOwner, bool withSacl)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        var mask = (ushort)(SE_DACL_PRESENT | SE_DACL_PROTECTED | (withSacl ? SE_SACL_PRESENT | SE_SACL_PROTECTED : 0));
        return (left.Control & mask) == (right.Control & mask)
            && Equal(left.Dacl, right.Dacl)
            && (!withOwner || (Equal(left.Owner, right.Owner) && Equal(left.Group, right.Group)))
            && (!withSacl || Equal(left.Sacl, right.Sacl));
    }

    private static bool Equal(byte[]? left, byte[]? right) =>
        left is null ? right is null : right is not null && left.AsSpan().SequenceEqual(right);

    // SID: Revision, SubAuthorityCount, IdentifierAuthority[6], SubAuthority[count] (4 bytes each).
    private static byte[]? Sid(ReadOnlySpan<byte> descriptor, uint offset, ref bool ok)
    {
        if (offset == 0)
        {
            return null;
        }

        if (offset > descriptor.Length - 8)
        {
            ok = false;
            return null;
        }

        var length = 8 + (4 * descriptor[(int)offset + 1]);
        return Slice(descriptor, offset, length, ref ok);
    }

    // ACL: AclRevision, Sbz1, AclSize (2 bytes), AceCount, Sbz2; AclSize covers its entries.
    private static byte[]? Acl(ReadOnlySpan<byte> descriptor, uint offset, ref bool ok)
    {
        if (offset == 0)
        {
            // A present but null ACL (everyone may do anything): no bytes, told apart from an
            // absent one by SE_DACL_PRESENT / SE_SACL_PRESENT.
            return [];
        }

        if (offset > descriptor.Length - 8)
        {
            ok = false;
            return null;
        }

        return Slice(descriptor, offset, BinaryPrimitives.ReadUInt16LittleEndian(descriptor[((int)offset + 2)..]), ref ok);
    }

    private static byte[]? Slice(ReadOnlySpan<byte> descriptor, uint offset, int length, ref bool ok)
    {
        if (length < 8 || length > descriptor.Length - offset)
        {
            ok = false;
            return null;
        }

        return descriptor.Slice((int)offset, length).ToArray();
    }
}

/// <summary>The parts of a self-relative security descriptor (see <see cref="WindowsAttributes.TryParse"/>).</summary>
/// <param name="Control">SECURITY_DESCRIPTOR_CONTROL.</param>
/// <param name="Owner">The owner SID's bytes.</param>
/// <param name="Group">The primary group SID's bytes.</param>
/// <param name="Sacl">The SACL's bytes (empty: present but null).</param>
/// <param name="Dacl">The DACL's bytes (empty: present but null, which grants everyone everything).</param>
internal sealed record SecurityParts(ushort Control, byte[]? Owner, byte[]? Group, byte[]? Sacl, byte[]? Dacl);
