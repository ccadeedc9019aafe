using System.Runtime.InteropServices;
using Linksmith.Interop;

namespace Linksmith;

/// <summary>
/// Extended attributes (and the POSIX ACLs Linux keeps as <c>system.posix_acl_*</c> attributes) of
/// open files, read and written through their descriptors (<c>flistxattr</c>, <c>fgetxattr</c>,
/// <c>fsetxattr</c>, <c>fremovexattr</c>), never by path: the descriptors are the ones a copy
/// already holds, so the attributes come from the file that was copied and land on the copy.
/// </summary>
/// <remarks>
/// Carried over, as rsync <c>-X</c> (and <c>-A</c>) does: <c>user.*</c>; as root also
/// <c>trusted.*</c>, <c>security.*</c>, <c>system.posix_acl_access</c> and
/// <c>system.posix_acl_default</c>. A non-root process can neither read <c>trusted.*</c> nor set
/// <c>security.*</c> (other than its own labels), so it leaves them alone rather than fail on
/// every file. Other <c>system.*</c> names (NFSv4 ACLs, rich ACLs) belong to their file systems
/// and do not translate to another one.
/// </remarks>
internal static class ExtendedAttributes
{
    /// <summary>Whether linksmith carries the attribute <paramref name="name"/> over (see the remarks).</summary>
    public static bool IsCarried(string name) =>
        name.StartsWith("user.", StringComparison.Ordinal)
        || (UnixDirectoryHandle.IsRoot && (name.StartsWith("trusted.", StringComparison.Ordinal)
            || name.StartsWith("security.", StringComparison.Ordinal)
            || name is "system.posix_acl_access" or "system.posix_acl_default"));

    /// <summary>
    /// The carried attributes of the file open at <paramref name="fd"/>, by name (ordinal order).
    /// A file system without extended attributes has none.
    /// </summary>
    public static unsafe SortedDictionary<string, byte[]> Read(int fd, string path)
    {
        var attributes = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in ListNames(fd, path))
        {
            if (IsCarried(name) && Get(fd, name, path) is { } value)
            {
                attributes[name] = value;
            }
        }

        return attributes;
    }

    /// <summary>Whether two sets read by <see cref="Read"/> hold the same names with the same values.</summary>
    public static bool Same(SortedDictionary<string, byte[]> left, SortedDictionary<string, byte[]> right) =>
        left.Count == right.Count
        && left.All(pair => right.TryGetValue(pair.Key, out var other) && pair.Value.AsSpan().SequenceEqual(other));

    /// <summary>
    /// Makes the carried attributes of the file open at <paramref name="to"/> those of the file open
    /// at <paramref name="from"/>: each is written, and one the destination has that the source
    /// has not (inherited from a default ACL, left by an earlier run) is removed. An attribute the
    /// destination's file system cannot store is reported to <paramref name="onNotStored"/> and the
    /// rest goes on; any other failure throws, naming <paramref name="toPath"/>.
    /// </summary>
    public static void Copy(int from, string fromPath, int to, string toPath, Action<AttributeWarning>? onNotStored)
    {
        var wanted = Read(from, fromPath);
        foreach (var name in ListNames(to, toPath))
        {
            if (IsCarried(name) && !wanted.ContainsKey(name))
            {
                Remove(to, name, toPath);
            }
        }

        foreach (var (name, value) in wanted)
        {
            if (Set(to, name, value) is var errno and not 0)
            {
                if (CannotStore(errno) is { } reason)
                {
                    onNotStored?.Invoke(new AttributeWarning(toPath, name, reason));
                    continue;
                }

                throw new LinkSystemException(toPath, $"cannot set the extended attribute {name}: {Libc.StrError(errno)}", errno);
            }
        }
    }

    /// <summary>Why the file system cannot take an attribute, for the errors that mean it cannot; null for other errors.</summary>
    private static string? CannotStore(int errno) => errno switch
    {
        // ENOTSUP (= EOPNOTSUPP on Linux): no extended attributes, or not this namespace, here
        // (tmpfs before 6.6 has no user.*; vfat and exFAT have none).
        Libc.EOPNOTSUPP => "the file system does not support it",
        // E2BIG / ERANGE: a value larger than this file system takes; ENOSPC: ext4 answers so when
        // the inode and its one attribute block are full.
        Libc.E2BIG or Libc.ERANGE => "the value is larger than the file system takes",
        Libc.ENOSPC => "no room for it on the file system (its attribute space is full)",
        _ => null,
    };

    private static unsafe List<string> ListNames(int fd, string path)
    {
        var names = new List<string>();
        var size = (nint)1024;
        while (true)
        {
            var buffer = new byte[size];
            nint length;
            fixed (byte* b = buffer)
            {
                length = Libc.flistxattr(fd, b, size);
            }

            if (length >= 0)
            {
                var rest = buffer.AsSpan(0, (int)length);
                while (rest.Length > 0)
                {
                    var end = rest.IndexOf((byte)0);
                    end = end < 0 ? rest.Length : end;
                    if (end > 0)
                    {
                        names.Add(NativePath.FromBytes(rest[..end]));
                    }

                    rest = rest[Math.Min(end + 1, rest.Length)..];
                }

                return names;
            }

            var errno = Marshal.GetLastPInvokeError();
            switch (errno)
            {
                case Libc.EOPNOTSUPP:
                    // A file system without extended attributes: nothing to carry.
                    return names;
                case Libc.ERANGE:
                    // The list grew since it was measured (or 1 KiB was too small): ask for its size.
                    var needed = Libc.flistxattr(fd, null, 0);
                    size = needed > size ? needed : size * 2;
                    continue;
                default:
                    throw new LinkSystemException(path, $"cannot list its extended attributes: {Libc.StrError(errno)}", errno);
            }
        }
    }

    private static unsafe byte[]? Get(int fd, string name, string path)
    {
        var nativeName = NativePath.ToNullTerminatedBytes(name);
        var size = (nint)256;
        while (true)
        {
            var buffer = new byte[size];
            nint length;
            fixed (byte* n = nativeName, b = buffer)
            {
                length = Libc.fgetxattr(fd, n, b, size);
            }

            if (length >= 0)
            {
                return buffer.AsSpan(0, (int)length).ToArray();
            }

            var errno = Marshal.GetLastPInvokeError();
            switch (errno)
            {
                case Libc.ENODATA:
                    // Removed since it was listed: it is not there to carry.
                    return null;
                case Libc.ERANGE:
                    fixed (byte* n = nativeName)
                    {
                        var needed = Libc.fgetxattr(fd, n, null, 0);
                        size = needed > size ? needed : size * 2;
                    }

                    continue;
                default:
                    throw new LinkSystemException(path, $"cannot read the extended attribute {name}: {Libc.StrError(errno)}", errno);
            }
        }
    }

    /// <returns>0, or the errno.</returns>
    private static unsafe int Set(int fd, string name, byte[] value)
    {
        var nativeName = NativePath.ToNullTerminatedBytes(name);
        fixed (byte* n = nativeName, v = value)
        {
            // A value of length 0 is legal (setfattr -n user.flag); the pointer may then be null.
            return Libc.fsetxattr(fd, n, v, value.Length, 0) == 0 ? 0 : Marshal.GetLastPInvokeError();
        }
    }

    private static unsafe void Remove(int fd, string name, string path)
    {
        var nativeName = NativePath.ToNullTerminatedBytes(name);
        fixed (byte* n = nativeName)
        {
            if (Libc.fremovexattr(fd, n) != 0 && Marshal.GetLastPInvokeError() is var errno and not Libc.ENODATA)
            {
                throw new LinkSystemException(path, $"cannot remove the extended attribute {name}: {Libc.StrError(errno)}", errno);
            }
        }
    }
}
