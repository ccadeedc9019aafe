using System.Buffers;
using System.Runtime.InteropServices;
using Linksmith.Interop;

namespace Linksmith;

/// <summary>
/// <see cref="IDirectoryReader"/> on Linux: each directory is opened beneath the walk's root
/// without following a link, its records are read with getdents64 into a buffer the reader keeps,
/// and each entry is stat'ed with statx relative to the directory's descriptor (never by a path
/// from the root). Apart from the statx per entry, a directory costs four system calls: open,
/// two getdents64 (the second says it is over) and close.
/// </summary>
internal sealed class UnixDirectoryReader(UnixDirectoryHandle root) : IDirectoryReader
{
    // What glibc's readdir reads at a time: most directories fit in one call.
    private const int BufferSize = 32 * 1024;

    private readonly byte[] buffer = GC.AllocateUninitializedArray<byte>(BufferSize);

    public unsafe void Read(string relativePath, DirectoryListing listing, WalkOptions options)
    {
        // Opened beneath the walk's root without following links: the root may be reached through
        // a link (like find -H); below it a folder swapped for a link is reported, not followed.
        using var directory = root.OpenBeneath(relativePath, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NONBLOCK);
        var fd = directory.Fd;
        var entries = new DirectoryEntries(fd, buffer, listing.Path);
        while (entries.MoveNext())
        {
            var name = entries.Name;
            var type = entries.Type;
            if (!options.StatEverything && type != Libc.DT_UNKNOWN && type != Libc.DT_DIR && (type != Libc.DT_LNK || !options.StatLinks))
            {
                // The listing's type and inode are all a caller that did not ask for more gets.
                var kind = type switch
                {
                    Libc.DT_REG => LinkKind.File,
                    Libc.DT_LNK => LinkKind.SymbolicLink,
                    _ => LinkKind.Special,
                };
                listing.Add(name, new FileStatus { Kind = kind, Identity = new FileIdentity(0, entries.Inode) });
                continue;
            }

            Libc.Statx stx;
            int rc;
            fixed (byte* n = name)
            {
                // The name is NUL-terminated in the record itself.
                rc = Libc.statx(fd, n, Libc.AT_SYMLINK_NOFOLLOW, Libc.STATX_BASIC_STATS, &stx);
            }

            if (rc != 0)
            {
                options.OnError?.Invoke(UnixErrors.ToException(Marshal.GetLastPInvokeError(), Path.Join(listing.Path, NativePath.FromBytes(name))));
                continue;
            }

            listing.Add(name, FileStatus.FromStatx(stx));
        }
    }

    /// <summary>The names in an open directory, read from where its descriptor stands (the descriptor stays open).</summary>
    public static List<string> ReadNames(FileDescriptor directory, string path)
    {
        var names = new List<string>();
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            var entries = new DirectoryEntries(directory.Fd, buffer, path);
            while (entries.MoveNext())
            {
                names.Add(NativePath.FromBytes(entries.Name));
            }

            return names;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Whether the directory at <paramref name="path"/> (an explicit path, a link there followed) has no entries.</summary>
    public static unsafe bool IsEmpty(string path)
    {
        var native = NativePath.ToNullTerminatedBytes(path);
        int fd;
        fixed (byte* p = native)
        {
            fd = Libc.open(p, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        }

        if (fd < 0)
        {
            throw UnixErrors.ToException(Marshal.GetLastPInvokeError(), path);
        }

        using var directory = new FileDescriptor(fd);
        // Two records at most before the first real entry: . and ..
        Span<byte> buffer = stackalloc byte[1024];
        var entries = new DirectoryEntries(fd, buffer, path);
        return !entries.MoveNext();
    }

    /// <summary>The records of an open directory, read with getdents64 into a caller's buffer; . and .. left out.</summary>
    private ref struct DirectoryEntries
    {
        private readonly int fd;
        private readonly Span<byte> buffer;
        private readonly string path;
        private int filled;
        private int next;
        private int current;

        public DirectoryEntries(int fd, Span<byte> buffer, string path)
        {
            this.fd = fd;
            this.buffer = buffer;
            this.path = path;
        }

        /// <summary>The entry's name, without its NUL (which follows it in the buffer).</summary>
        public readonly ReadOnlySpan<byte> Name
        {
            get
            {
                var name = buffer[(current + Libc.DirentNameOffset)..];
                return name[..name.IndexOf((byte)0)];
            }
        }

        /// <summary>The d_type (<c>DT_UNKNOWN</c> where the file system does not say).</summary>
        public readonly byte Type => buffer[current + Libc.DirentTypeOffset];

        public readonly ulong Inode => MemoryMarshal.Read<ulong>(buffer[(current + Libc.DirentInodeOffset)..]);

        public unsafe bool MoveNext()
        {
            while (true)
            {
                if (next >= filled)
                {
                    nint read;
                    fixed (byte* b = buffer)
                    {
                        read = Libc.getdents64(fd, b, (nuint)buffer.Length);
                    }

                    if (read < 0)
                    {
                        throw UnixErrors.ToException(Marshal.GetLastPInvokeError(), path);
                    }

                    if (read == 0)
                    {
                        return false;
                    }

                    filled = (int)read;
                    next = 0;
                }

                current = next;
                next += MemoryMarshal.Read<ushort>(buffer[(current + Libc.DirentRecordLengthOffset)..]);
                var name = Name;
                if (!name.SequenceEqual("."u8) && !name.SequenceEqual(".."u8))
                {
                    return true;
                }
            }
        }
    }
}
