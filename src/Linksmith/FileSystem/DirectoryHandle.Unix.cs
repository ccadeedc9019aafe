using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Linksmith.Interop;
using Microsoft.Win32.SafeHandles;

namespace Linksmith;

/// <summary>
/// <see cref="DirectoryHandle"/> on Linux: an <c>O_PATH | O_DIRECTORY</c> descriptor, and the
/// <c>*at</c> system calls relative to the descriptor of each entry's parent directory.
/// </summary>
/// <remarks>
/// Parents are opened beneath the root with <c>openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
/// RESOLVE_NO_MAGICLINKS)</c>, as rsync's <c>secure_relative_open</c> does; where the kernel lacks
/// openat2 (before 5.6, or a seccomp filter), one <c>openat(O_NOFOLLOW | O_DIRECTORY)</c> per
/// component. A tree job names its entries in walk order, so the parents it opened last are
/// kept open (a few dozen at most) and most operations cost one system call.
/// </remarks>
internal sealed class UnixDirectoryHandle : DirectoryHandle
{
    internal static readonly bool IsRoot = Libc.geteuid() == 0;

    private const int ParentCacheLimit = 64;
    private const ulong Beneath = Libc.RESOLVE_BENEATH | Libc.RESOLVE_NO_SYMLINKS | Libc.RESOLVE_NO_MAGICLINKS;

    // Once openat2 is known to be missing (ENOSYS), stop asking.
    private static volatile bool openat2Unavailable;

    // Once statx is known to refuse a null path with AT_EMPTY_PATH (kernels before 6.11), pass "".
    private static volatile bool statxWantsEmptyName;

    // Once giving an unnamed file a name is known to be refused here (linkat AT_EMPTY_PATH wants
    // CAP_DAC_READ_SEARCH on many kernels), new copies take a temporary name instead.
    private static volatile bool unnamedLinkUnavailable;

    // Once naming an open file that has names (linkat AT_EMPTY_PATH) is known to be refused here, stop asking.
    private static volatile bool namingOpenFilesRefused;

    // What copies from each volume into this tree were refused for good: FICLONE (EXDEV, EOPNOTSUPP:
    // another file system, or one without reflinks; --reflink auto then copies the bytes without
    // asking again) and copy_file_range (EXDEV: read/write at once). One failing call a file fewer.
    // Keyed by the source's volume; the destination is this tree's. Made by the first copy, as is
    // newFileRules: a folder opened for a few calls (dedupe opens one per replacement) copies nothing.
    private ConcurrentDictionary<ulong, CopyRefusals>? refusedFrom;

    // Once this directory's file system is known to have no unnamed files (O_TMPFILE), stop asking.
    private volatile bool unnamedUnsupported;

    // What a file made in each open parent directory gets from the kernel, learnt once per directory.
    private NewFileRulesByDirectory? newFileRules;

    private readonly FileDescriptor root;
    private readonly Lock parentsGate = new();
    private readonly Dictionary<string, FileDescriptor> parents = new(StringComparer.Ordinal);

    // The same, looked up by a slice of an entry's path: a hit (most operations) makes no string.
    private readonly Dictionary<string, FileDescriptor>.AlternateLookup<ReadOnlySpan<char>> parentsBySlice;

    private UnixDirectoryHandle(string path, FileDescriptor root)
        : base(path)
    {
        this.root = root;
        parentsBySlice = parents.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public override bool IsRaceFree => true;

    /// <summary>The volume (device) the directory itself is on.</summary>
    internal ulong Volume => StatDescriptor(root.Fd, Path).Identity.Volume;

    /// <summary>Opens an explicit root argument, following a link there once.</summary>
    public static unsafe UnixDirectoryHandle OpenRoot(string path)
    {
        var native = NativePath.ToNullTerminatedBytes(path);
        int fd;
        fixed (byte* p = native)
        {
            fd = Libc.open(p, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        }

        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw errno switch
            {
                Libc.ENOENT => new TargetNotFoundException(path),
                Libc.ENOTDIR when PathFacts.Stat(path, followLinks: true) is { } status => new NotADirectoryException(path, status.Kind, hint: string.Empty),
                _ => UnixErrors.ToException(errno, path),
            };
        }

        return new UnixDirectoryHandle(path, new FileDescriptor(fd));
    }

    public override DirectoryHandle OpenDirectory(string relativePath) =>
        new UnixDirectoryHandle(FullPath(relativePath), OpenBeneath(relativePath, Libc.O_PATH | Libc.O_DIRECTORY));

    public override unsafe FileStatus? Stat(string relativePath)
    {
        if (IsSelf(relativePath))
        {
            return StatDescriptor(root.Fd, Path);
        }

        DescriptorLease parent;
        byte[] leaf;
        try
        {
            parent = Parent(relativePath, out leaf);
        }
        catch (TargetNotFoundException)
        {
            return null;
        }

        using (parent)
        {
            Libc.Statx stx;
            fixed (byte* l = leaf)
            {
                if (Libc.statx(parent.Fd, l, Libc.AT_SYMLINK_NOFOLLOW | Libc.AT_STATX_SYNC_AS_STAT, Libc.STATX_BASIC_STATS | Libc.STATX_MNT_ID, &stx) == 0)
                {
                    return FileStatus.FromStatx(stx);
                }
            }

            var errno = Marshal.GetLastPInvokeError();
            return errno == Libc.ENOENT ? null : throw UnixErrors.ToException(errno, FullPath(relativePath));
        }
    }

    public override List<string> ListNames(string relativePath)
    {
        using var directory = OpenBeneath(relativePath, Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_NONBLOCK);
        return UnixDirectoryReader.ReadNames(directory, FullPath(relativePath));
    }

    public override unsafe void CreateDirectory(string relativePath)
    {
        using var parent = Parent(relativePath, out var leaf);
        fixed (byte* l = leaf)
        {
            if (Libc.mkdirat(parent.Fd, l, 0x1C0 /* 0700 until its real mode is set after its contents */) == 0)
            {
                return;
            }
        }

        var errno = Marshal.GetLastPInvokeError();
        if (errno == Libc.EEXIST && Stat(relativePath) is { Kind: LinkKind.Directory })
        {
            return;
        }

        throw UnixErrors.ToException(errno, FullPath(relativePath));
    }

    public override unsafe void Symlink(string relativePath, string targetText, bool targetIsDirectory)
    {
        var target = NativePath.ToNullTerminatedBytes(targetText);
        using var parent = Parent(relativePath, out var leaf);
        fixed (byte* t = target, l = leaf)
        {
            if (Libc.symlinkat(t, parent.Fd, l) != 0)
            {
                throw UnixErrors.ToException(Marshal.GetLastPInvokeError(), FullPath(relativePath));
            }
        }
    }

    public override unsafe void HardLink(string relativePath, DirectoryHandle existingRoot, string existingRelativePath)
    {
        var existingDirectory = (UnixDirectoryHandle)existingRoot;
        using var existingParent = existingDirectory.Parent(existingRelativePath, out var existingLeaf);
        using var parent = Parent(relativePath, out var leaf);
        fixed (byte* e = existingLeaf, l = leaf)
        {
            // Without AT_SYMLINK_FOLLOW a symlink that replaced the file would be linked as a link, not followed.
            if (Libc.linkat(existingParent.Fd, e, parent.Fd, l, 0) == 0)
            {
                return;
            }
        }

        var errno = Marshal.GetLastPInvokeError();
        var existingPath = existingRoot.FullPath(existingRelativePath);
        throw UnixErrors.ToException(errno, FullPath(relativePath), existingPath, errno == Libc.EMLINK ? existingRoot.Stat(existingRelativePath)?.LinkCount ?? 0 : 0);
    }

    /// <summary>
    /// Gives the file <paramref name="file"/> holds open another name, <paramref name="relativePath"/>
    /// below this directory (<c>linkat</c> with <c>AT_EMPTY_PATH</c>): that very file, whatever is at
    /// its names now, so the new name needs no check. False, with nothing changed, where the kernel
    /// will not name an open file for this process (older kernels want <c>CAP_DAC_READ_SEARCH</c>;
    /// newer ones, 6.18 as tried as the user nobody, let the process that opened the file), or the
    /// file has no name left: the caller links by name instead.
    /// </summary>
    /// <exception cref="LinkNameExistsException">An entry has the name.</exception>
    /// <exception cref="HardLinkLimitException">The file has as many names as its file system allows.</exception>
    internal unsafe bool TryHardLink(string relativePath, ReadLease file)
    {
        if (namingOpenFilesRefused)
        {
            return false;
        }

        int errno;
        using (var parent = Parent(relativePath, out var leaf))
        {
            fixed (byte* empty = "\0"u8, l = leaf)
            {
                if (Libc.linkat(file.Fd, empty, parent.Fd, l, Libc.AT_EMPTY_PATH) == 0)
                {
                    return true;
                }
            }

            errno = Marshal.GetLastPInvokeError();
        }

        if (errno is Libc.ENOENT or Libc.EPERM)
        {
            // ENOENT is also the answer for a file whose last name is gone: only a file that still
            // has names tells that the kernel refuses this process.
            if (errno == Libc.EPERM || file.Status().LinkCount > 0)
            {
                namingOpenFilesRefused = true;
            }

            return false;
        }

        throw UnixErrors.ToException(errno, FullPath(relativePath), file.Path, errno == Libc.EMLINK ? file.Status().LinkCount : 0);
    }

    public override unsafe string ReadLink(string relativePath)
    {
        using var parent = Parent(relativePath, out var leaf);
        var size = 256;
        while (true)
        {
            var buffer = new byte[size];
            nint length;
            fixed (byte* l = leaf, b = buffer)
            {
                length = Libc.readlinkat(parent.Fd, l, b, size);
            }

            if (length < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw errno == Libc.EINVAL
                    ? new TreeChangedException(FullPath(relativePath), "is no longer a symbolic link")
                    : UnixErrors.ToException(errno, FullPath(relativePath));
            }

            // readlinkat does not say whether it truncated: a full buffer means try a larger one.
            if (length < size)
            {
                return NativePath.FromBytes(buffer.AsSpan(0, (int)length));
            }

            size *= 4;
        }
    }

    public override unsafe void Rename(string fromRelativePath, string toRelativePath, bool replace)
    {
        using var fromParent = Parent(fromRelativePath, out var fromLeaf);
        using var toParent = Parent(toRelativePath, out var toLeaf);
        fixed (byte* f = fromLeaf, t = toLeaf)
        {
            if (Libc.renameat2(fromParent.Fd, f, toParent.Fd, t, replace ? 0 : Libc.RENAME_NOREPLACE) != 0)
            {
                throw UnixErrors.ToException(Marshal.GetLastPInvokeError(), FullPath(toRelativePath));
            }
        }
    }

    /// <summary>
    /// Swaps the entries at two names below this directory in one step (<c>renameat2</c> with
    /// <c>RENAME_EXCHANGE</c>): each name then holds what the other held, and neither is ever
    /// missing. False, with nothing changed, where the file system cannot (EINVAL: some FUSE ones, NFS).
    /// </summary>
    internal unsafe bool TryExchange(string relativePath, string otherRelativePath)
    {
        using var parent = Parent(relativePath, out var leaf);
        using var otherParent = Parent(otherRelativePath, out var otherLeaf);
        fixed (byte* l = leaf, o = otherLeaf)
        {
            if (Libc.renameat2(parent.Fd, l, otherParent.Fd, o, Libc.RENAME_EXCHANGE) == 0)
            {
                return true;
            }
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno == Libc.EINVAL ? false : throw UnixErrors.ToException(errno, FullPath(relativePath));
    }

    public override unsafe void RenameTo(string fromRelativePath, DirectoryHandle toRoot, string toRelativePath, bool replace)
    {
        var target = (UnixDirectoryHandle)toRoot;
        int errno;
        using (var fromParent = Parent(fromRelativePath, out var fromLeaf))
        using (var toParent = target.Parent(toRelativePath, out var toLeaf))
        {
            fixed (byte* f = fromLeaf, t = toLeaf)
            {
                if (Libc.renameat2(fromParent.Fd, f, toParent.Fd, t, replace ? 0 : Libc.RENAME_NOREPLACE) == 0)
                {
                    Forget(fromRelativePath);
                    return;
                }

                errno = Marshal.GetLastPInvokeError();
                // EINVAL: the file system refuses RENAME_NOREPLACE (some FUSE ones). Check, then
                // rename: the names a job renames this way are its own (hidden, with a random part).
                if (!replace && errno == Libc.EINVAL)
                {
                    if (target.Stat(toRelativePath) is { } existing)
                    {
                        throw new LinkNameExistsException(target.FullPath(toRelativePath), existing.Kind);
                    }

                    if (Libc.renameat2(fromParent.Fd, f, toParent.Fd, t, 0) == 0)
                    {
                        Forget(fromRelativePath);
                        return;
                    }

                    errno = Marshal.GetLastPInvokeError();
                }
            }
        }

        throw UnixErrors.ToException(errno, errno == Libc.ENOENT ? FullPath(fromRelativePath) : target.FullPath(toRelativePath));
    }

    public override unsafe void Remove(string relativePath, LinkKind kind)
    {
        using var parent = Parent(relativePath, out var leaf);
        fixed (byte* l = leaf)
        {
            // unlinkat removes the name itself: a link is removed as a link, never followed.
            if (Libc.unlinkat(parent.Fd, l, kind == LinkKind.Directory ? Libc.AT_REMOVEDIR : 0) == 0)
            {
                return;
            }
        }

        var errno = Marshal.GetLastPInvokeError();
        throw errno switch
        {
            Libc.ENOTEMPTY or Libc.EEXIST when kind == LinkKind.Directory => new ReplaceRefusedException(FullPath(relativePath), "is a non-empty directory"),
            Libc.EISDIR or Libc.ENOTDIR => new TreeChangedException(FullPath(relativePath), $"is no longer a {kind.Describe()}"),
            _ => UnixErrors.ToException(errno, FullPath(relativePath)),
        };
    }

    public override unsafe void SetMetadata(string relativePath, in FileStatus status)
    {
        if (status.Kind == LinkKind.SymbolicLink)
        {
            // A symlink has no mode of its own on Linux; owner and times are set on the link itself.
            using var parent = Parent(relativePath, out var leaf);
            var times = stackalloc Libc.Timespec[2];
            FillTimes(times, status);
            fixed (byte* l = leaf)
            {
                if ((IsRoot && Libc.fchownat(parent.Fd, l, status.Uid, status.Gid, Libc.AT_SYMLINK_NOFOLLOW) != 0)
                    || Libc.utimensat(parent.Fd, l, times, Libc.AT_SYMLINK_NOFOLLOW) != 0)
                {
                    throw UnixErrors.ToException(Marshal.GetLastPInvokeError(), FullPath(relativePath));
                }
            }

            return;
        }

        var flags = status.Kind == LinkKind.Directory ? Libc.O_RDONLY | Libc.O_DIRECTORY : Libc.O_RDONLY | Libc.O_NONBLOCK | Libc.O_NOCTTY;
        using var descriptor = OpenBeneath(relativePath, flags);
        var opened = StatDescriptor(descriptor.Fd, FullPath(relativePath));
        if (opened.Kind != status.Kind)
        {
            throw new TreeChangedException(FullPath(relativePath), $"is no longer a {status.Kind.Describe()}");
        }

        ApplyMetadata(descriptor.Fd, status, FullPath(relativePath));
    }

    public override void CopyAttributes(string relativePath, DirectoryHandle sourceRoot, string sourceRelativePath, LinkKind kind, AttributeCopy attributes)
    {
        if (kind is not (LinkKind.File or LinkKind.Directory))
        {
            return;
        }

        var sourcePath = sourceRoot.FullPath(sourceRelativePath);
        using var input = ((UnixDirectoryHandle)sourceRoot).OpenAttributed(sourceRelativePath, kind);
        using var output = OpenAttributed(relativePath, kind);
        ExtendedAttributes.Copy(input.Fd, sourcePath, output.Fd, FullPath(relativePath), attributes.OnNotStored);
    }

    public override bool SameAttributes(string relativePath, DirectoryHandle otherRoot, string otherRelativePath)
    {
        using var mine = OpenAttributed(relativePath, LinkKind.File);
        using var other = ((UnixDirectoryHandle)otherRoot).OpenAttributed(otherRelativePath, LinkKind.File);
        return ExtendedAttributes.Same(ExtendedAttributes.Read(mine.Fd, FullPath(relativePath)), ExtendedAttributes.Read(other.Fd, otherRoot.FullPath(otherRelativePath)));
    }

    /// <summary>Opens a file or directory beneath this one to read or write its extended attributes (no link followed; a FIFO does not block; it must still be of <paramref name="kind"/>).</summary>
    private FileDescriptor OpenAttributed(string relativePath, LinkKind kind)
    {
        var descriptor = OpenBeneath(relativePath, kind == LinkKind.Directory ? Libc.O_RDONLY | Libc.O_DIRECTORY : Libc.O_RDONLY | Libc.O_NONBLOCK | Libc.O_NOCTTY);
        if (StatDescriptor(descriptor.Fd, FullPath(relativePath)).Kind != kind)
        {
            descriptor.Dispose();
            throw new TreeChangedException(FullPath(relativePath), $"is no longer a {kind.Describe()}");
        }

        return descriptor;
    }

    public override long CopyFile(string relativePath, DirectoryHandle sourceRoot, string sourceRelativePath, in FileStatus listed, bool replace = false, bool keepChanged = false, ReflinkMode reflink = ReflinkMode.Auto, AttributeCopy? attributes = null, IncrementalHash? contentHash = null)
    {
        var sourcePath = new MessagePath(sourceRoot, sourceRelativePath);
        // O_NONBLOCK: a FIFO swapped in since the walk must not hang the job; it is refused below.
        using var input = ((UnixDirectoryHandle)sourceRoot).OpenBeneath(sourceRelativePath, Libc.O_RDONLY | Libc.O_NONBLOCK | Libc.O_NOCTTY);
        // Owner, mode and times come from the file that was opened, never from the earlier listing.
        var source = StatDescriptor(input.Fd, sourcePath);
        CheckSource(source, listed, sourcePath);

        var restart = false;
        for (var attempt = 1; ; attempt++)
        {
            if (restart && Libc.lseek(input.Fd, 0, Libc.SEEK_SET) < 0)
            {
                throw UnixErrors.ToException(Marshal.GetLastPInvokeError(), sourcePath.ToString());
            }

            if (restart)
            {
                contentHash?.GetHashAndReset();
            }

            restart = true;

            var copy = CopyUnderTemporaryName(input.Fd, source, relativePath, sourcePath, keep: attempt > 1 && keepChanged, reflink, attributes, contentHash, unnamed: !replace);
            using (copy.Unnamed)
            {
                if (copy.Changed is not { } after)
                {
                    if (!PlaceCopy(copy, relativePath, replace))
                    {
                        // The unnamed copy could not be given its name: the same attempt again, under a temporary name.
                        attempt--;
                        continue;
                    }

                    return copy.Bytes;
                }

                var detail = DescribeChange(source, after);
                if (attempt == 1)
                {
                    // Once more, from the start, against what the file is now: a writer that just
                    // finished leaves a whole file for the second reading.
                    Discard(copy);
                    source = after;
                    continue;
                }

                if (!keepChanged)
                {
                    Discard(copy);
                    throw new ChangedWhileCopyingException(sourcePath.ToString(), detail, kept: false);
                }

                if (!PlaceCopy(copy, relativePath, replace))
                {
                    attempt--;
                    continue;
                }

                throw new ChangedWhileCopyingException(sourcePath.ToString(), detail, kept: true);
            }
        }
    }

    /// <summary>A copy that is not placed: its temporary name goes (an unnamed one goes with its descriptor).</summary>
    private void Discard(in TemporaryCopy copy)
    {
        if (copy.Temporary is { } temporary)
        {
            TryUnlink(temporary);
        }
    }

    public override unsafe void CheckReflink(DirectoryHandle sourceRoot, string sourceRelativePath)
    {
        var sourcePath = sourceRoot.FullPath(sourceRelativePath);
        using var input = ((UnixDirectoryHandle)sourceRoot).OpenBeneath(sourceRelativePath, Libc.O_RDONLY | Libc.O_NONBLOCK | Libc.O_NOCTTY);
        int output;
        fixed (byte* here = ".\0"u8)
        {
            output = Libc.openat(root.Fd, here, Libc.O_TMPFILE | Libc.O_WRONLY | Libc.O_CLOEXEC, 0x180);
        }

        if (output >= 0)
        {
            using var unnamed = new FileDescriptor(output);
            if (FileContents.TryClone(input.Fd, output) is var errno and not 0)
            {
                throw FileContents.CannotShare(errno, sourcePath, Path);
            }

            return;
        }

        // A file system without unnamed files (O_TMPFILE): a temporary name, removed at once.
        var temporary = TemporaryName(".linksmith-reflink-probe");
        using (var parent = Parent(temporary, out var leaf))
        {
            fixed (byte* l = leaf)
            {
                output = Libc.openat(parent.Fd, l, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0x180);
            }
        }

        if (output < 0)
        {
            throw UnixErrors.ToException(Marshal.GetLastPInvokeError(), Path);
        }

        int result;
        using (new FileDescriptor(output))
        {
            result = FileContents.TryClone(input.Fd, output);
        }

        TryUnlink(temporary);
        if (result != 0)
        {
            throw FileContents.CannotShare(result, sourcePath, Path);
        }
    }

    /// <summary>
    /// Writes the source's contents to a new file beside <paramref name="relativePath"/> that has
    /// no name yet (O_TMPFILE, where <paramref name="unnamed"/> and the file system allow: it gets
    /// its name in one step once complete, and a crash leaves nothing behind), a temporary name, or
    /// in an <see cref="DirectoryHandle.Unpublished"/> folder its own name,
    /// and reads the source's status again: <see cref="TemporaryCopy.Changed"/> is that status when
    /// size, modification or change time moved meanwhile (the copy may be torn), else null and the
    /// copy has the source's owner, mode and times. Nothing is left at the temporary name if this throws.
    /// </summary>
    private unsafe TemporaryCopy CopyUnderTemporaryName(int input, in FileStatus source, string relativePath, MessagePath sourcePath, bool keep, ReflinkMode reflink, AttributeCopy? attributes, IncrementalHash? contentHash, bool unnamed)
    {
        string? temporary = null;
        int output = -1;
        // What the new file already has when it is made (see NewFileRules): no fchown, no fchmod then.
        var ownerAsSource = false;
        var modeAsSource = false;
        if (unnamed && Unpublished)
        {
            // In a folder not yet in its place, the file's own name is as good as a temporary one
            // (see Unpublished): a copy that fails or is stopped is removed from it, one that was
            // killed leaves the whole folder unpublished. No second name to give, and no unnamed
            // file for the kernel to keep on its list of orphans meanwhile.
            temporary = relativePath;
            using var parent = Parent(relativePath, out var leaf);
            var mode = InitialMode(source, parent, attributes, out ownerAsSource, out modeAsSource);
            fixed (byte* l = leaf)
            {
                output = Libc.openat(parent.Fd, l, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, mode);
            }

            if (output < 0)
            {
                throw UnixErrors.ToException(Marshal.GetLastPInvokeError(), FullPath(relativePath));
            }
        }
        else if (unnamed && !unnamedLinkUnavailable && !unnamedUnsupported)
        {
            using var directory = Parent(relativePath);
            // An unnamed file has no name anyone could open it by, so it can be made with the
            // source's permissions at once where the kernel gives exactly those (else 0600 until done).
            var mode = InitialMode(source, directory, attributes, out ownerAsSource, out modeAsSource);
            fixed (byte* here = ".\0"u8)
            {
                output = Libc.openat(directory.Fd, here, Libc.O_TMPFILE | Libc.O_WRONLY | Libc.O_CLOEXEC, mode);
            }

            // EOPNOTSUPP: no unnamed files on this file system (EISDIR: a kernel without O_TMPFILE).
            // Any other failure is met again, and reported, under a temporary name.
            if (output < 0 && Marshal.GetLastPInvokeError() is Libc.EOPNOTSUPP or Libc.EISDIR or Libc.EINVAL)
            {
                unnamedUnsupported = true;
            }

            if (output < 0)
            {
                ownerAsSource = modeAsSource = false;
            }
        }

        if (output < 0)
        {
            temporary = TemporaryName(relativePath);
            using var parent = Parent(temporary, out var leaf);
            fixed (byte* l = leaf)
            {
                output = Libc.openat(parent.Fd, l, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0x180 /* 0600 until the copy is done */);
            }

            if (output < 0)
            {
                throw UnixErrors.ToException(Marshal.GetLastPInvokeError(), FullPath(relativePath));
            }
        }

        var temporaryPath = new MessagePath(this, temporary ?? relativePath);
        var destinationPath = new MessagePath(this, relativePath);
        var outputDescriptor = new FileDescriptor(output);
        var handedOver = false;
        try
        {
            var refusedFrom = LazyInitializer.EnsureInitialized(ref this.refusedFrom, static () => new ConcurrentDictionary<ulong, CopyRefusals>());
            var known = refusedFrom.GetValueOrDefault(source.Identity.Volume);
            var copied = FileContents.Copy(input, output, source, sourcePath, destinationPath, reflink, contentHash, known, out var refused);
            if ((refused & ~known) != 0)
            {
                refusedFrom.AddOrUpdate(source.Identity.Volume, refused, (_, before) => before | refused);
            }

            var after = StatDescriptor(input, sourcePath);
            var changed = HasChanged(source, after);
            // Attributes between owner and mode: chown drops security.capability, and the mode
            // must still let the owner write user.* ones (see ApplyMetadata).
            Action? carry = attributes is null ? null : () => ExtendedAttributes.Copy(input, sourcePath.ToString(), output, destinationPath.ToString(), attributes.OnNotStored);
            if (!changed)
            {
                ApplyMetadata(output, source, temporaryPath, carry, ownerAsSource, modeAsSource);
                handedOver = temporary is null;
                return new TemporaryCopy(temporary, copied, null, handedOver ? outputDescriptor : null);
            }

            if (keep)
            {
                // A backup keeps what it read, with the source's owner and mode but not its
                // modification time: the copy's own (when it was written) tells the next backup's
                // "same size and modification time" check that this is not the file as it is now.
                // The kernel's clock is coarse (a few ms), so the copy's time could equal the
                // source's: then one nanosecond earlier, which no later write to the source gives.
                var kept = after with { ModifiedTime = CopyTime(output, temporaryPath, after.ModifiedTime) };
                ApplyMetadata(output, kept, temporaryPath, carry);
            }

            handedOver = temporary is null;
            return new TemporaryCopy(temporary, copied, after, handedOver ? outputDescriptor : null);
        }
        catch
        {
            if (temporary is not null)
            {
                TryUnlink(temporary);
            }

            throw;
        }
        finally
        {
            if (!handedOver)
            {
                outputDescriptor.Dispose();
            }
        }
    }

    /// <summary>
    /// The mode to make a new file with in <paramref name="directory"/>, where no one else can open
    /// it until it is done: the source's own where the kernel gives exactly that (then
    /// <paramref name="modeAsSource"/>, and no fchmod after), else 0600 until the copy is finished.
    /// <paramref name="ownerAsSource"/>: the file gets the source's owner and group by itself (no fchown).
    /// </summary>
    private uint InitialMode(in FileStatus source, in DescriptorLease directory, AttributeCopy? attributes, out bool ownerAsSource, out bool modeAsSource)
    {
        ownerAsSource = modeAsSource = false;
        if (attributes is not null)
        {
            // Attributes go on between owner and mode (see ApplyMetadata): both are set after.
            return 0x180;
        }

        var rules = LazyInitializer.EnsureInitialized(ref newFileRules, static () => new NewFileRulesByDirectory()).Of(directory.Descriptor);
        ownerAsSource = IsRoot && source.Uid == rules.Uid && source.Gid == rules.Gid;
        modeAsSource = rules.GivesMode(source.Mode);
        return modeAsSource ? source.Mode : 0x180u;
    }

    /// <summary>The modification time of the new file open at <paramref name="output"/>, made different from <paramref name="sourceTime"/>.</summary>
    private static FileTime CopyTime(int output, MessagePath path, FileTime sourceTime)
    {
        var own = StatDescriptor(output, path).ModifiedTime;
        if (own != sourceTime)
        {
            return own;
        }

        return own.Nanoseconds > 0 ? own with { Nanoseconds = own.Nanoseconds - 1 } : new FileTime(own.Seconds - 1, 999_999_999);
    }

    /// <summary>
    /// Renames a finished copy to its real name: with <paramref name="replace"/> over what is there
    /// (atomically), else only if the name is still free (RENAME_NOREPLACE: an entry that appeared
    /// meanwhile is reported as a taken name, never clobbered). The temporary name goes if it fails.
    /// </summary>
    /// <returns>False when an unnamed copy could not be given a name here at all (it is discarded; copy again under a temporary name).</returns>
    private unsafe bool PlaceCopy(in TemporaryCopy copy, string relativePath, bool replace)
    {
        if (copy.Temporary is { } temporary)
        {
            if (temporary != relativePath)
            {
                PlaceCopy(temporary, relativePath, replace);
            }

            return true;
        }

        int errno;
        using (var parent = Parent(relativePath, out var leaf))
        {
            fixed (byte* empty = "\0"u8, l = leaf)
            {
                // Like RENAME_NOREPLACE: an entry that appeared at the name meanwhile is never clobbered (EEXIST).
                if (Libc.linkat(copy.Unnamed!.Fd, empty, parent.Fd, l, Libc.AT_EMPTY_PATH) == 0)
                {
                    return true;
                }
            }

            errno = Marshal.GetLastPInvokeError();
        }

        // ENOENT (or EPERM): the kernel wants CAP_DAC_READ_SEARCH for AT_EMPTY_PATH. (Should the
        // folder be gone instead, the copy under a temporary name meets that, and reports it.)
        if (errno is Libc.ENOENT or Libc.EPERM)
        {
            unnamedLinkUnavailable = true;
            return false;
        }

        throw UnixErrors.ToException(errno, FullPath(relativePath));
    }

    private unsafe void PlaceCopy(string temporary, string relativePath, bool replace)
    {
        int errno;
        using (var fromParent = Parent(temporary, out var fromLeaf))
        using (var toParent = Parent(relativePath, out var toLeaf))
        {
            fixed (byte* f = fromLeaf, t = toLeaf)
            {
                if (Libc.renameat2(fromParent.Fd, f, toParent.Fd, t, replace ? 0 : Libc.RENAME_NOREPLACE) == 0)
                {
                    return;
                }

                errno = Marshal.GetLastPInvokeError();
                // EINVAL: the file system refuses RENAME_NOREPLACE (some FUSE ones). A hard link is
                // just as unwilling to clobber a name (EEXIST); then the temporary name goes.
                if (!replace && errno == Libc.EINVAL)
                {
                    if (Libc.linkat(fromParent.Fd, f, toParent.Fd, t, 0) == 0)
                    {
                        _ = Libc.unlinkat(fromParent.Fd, f, 0);
                        return;
                    }

                    errno = Marshal.GetLastPInvokeError();
                }
            }
        }

        TryUnlink(temporary);
        throw UnixErrors.ToException(errno, FullPath(relativePath));
    }

    private unsafe void TryUnlink(string relativePath)
    {
        using var parent = Parent(relativePath, out var leaf);
        fixed (byte* l = leaf)
        {
            // Best effort: the failure that led here is the one to report.
            _ = Libc.unlinkat(parent.Fd, l, 0);
        }
    }

    /// <summary>The <see cref="NewFileRules"/> of each open parent directory, learnt when a file is first made in it.</summary>
    private sealed class NewFileRulesByDirectory
    {
        private readonly ConditionalWeakTable<FileDescriptor, NewFileRules> rules = new();
        private readonly ConditionalWeakTable<FileDescriptor, NewFileRules>.CreateValueCallback learn;

        public NewFileRulesByDirectory()
        {
            // The process's umask, read when the handle first makes a file (once a job, not once a
            // process: a library caller may change it between jobs); null where it cannot be read.
            var umask = NewFileRules.ReadUmask();
            learn = directory => NewFileRules.Of(directory, umask);
        }

        public NewFileRules Of(FileDescriptor directory) => rules.GetValue(directory, learn);
    }

    /// <summary>
    /// The owner, group and mode the kernel gives a file made in one directory: the caller's
    /// user; the directory's group where it has set-group-ID, else the caller's; and the mode asked
    /// for less the umask, unless the directory has a default ACL (then the ACL decides). Copies use
    /// it to leave out an fchown and an fchmod that would change nothing (two of a small file's dozen
    /// calls), in directories the process's user owns (a job's new directories until it ends).
    /// </summary>
    private sealed class NewFileRules(uint uid, uint gid, uint? umask)
    {
        public uint Uid { get; } = uid;

        public uint Gid { get; } = gid;

        /// <summary>Whether a file made here with <paramref name="mode"/> gets exactly that mode (plain permission bits the umask leaves alone).</summary>
        public bool GivesMode(uint mode) => umask is { } mask && (mode & ~0x1FFu) == 0 && (mode & mask) == 0;

        /// <param name="directory">The open directory.</param>
        /// <param name="umask">The process's umask (null: unknown, and then no mode is taken as given).</param>
        public static NewFileRules Of(FileDescriptor directory, uint? umask)
        {
            FileStatus status;
            try
            {
                status = StatDescriptor(directory.Fd, string.Empty);
            }
            catch (LinksmithException)
            {
                // Nothing learnt: the owner and mode are then always set.
                return new NewFileRules(uint.MaxValue, uint.MaxValue, null);
            }

            // Only a directory of this process's own user can be trusted to keep its set-group-ID
            // bit and default ACL while the job runs (only its owner may change them): in anyone
            // else's, a new file's group or mode could change under the job, so both are always set.
            if (status.Uid != Libc.geteuid())
            {
                return new NewFileRules(uint.MaxValue, uint.MaxValue, null);
            }

            var gid = (status.Mode & 0x400) != 0 ? status.Gid : Libc.getegid();
            return new NewFileRules(status.Uid, gid, HasDefaultAcl(directory.Fd) ? null : umask);
        }

        /// <summary>Whether the directory has a default ACL (or that cannot be told: then true).</summary>
        private static unsafe bool HasDefaultAcl(int fd)
        {
            // The descriptor is O_PATH, which fgetxattr refuses; its /proc name reaches the directory.
            var path = NativePath.ToNullTerminatedBytes("/proc/self/fd/" + fd.ToString(System.Globalization.CultureInfo.InvariantCulture));
            fixed (byte* p = path, name = "system.posix_acl_default\0"u8)
            {
                if (Libc.getxattr(p, name, null, 0) >= 0)
                {
                    return true;
                }
            }

            return Marshal.GetLastPInvokeError() is not (Libc.ENODATA or Libc.EOPNOTSUPP);
        }

        /// <summary>The process's umask, from /proc (Linux 4.7+); null where it cannot be read.</summary>
        public static uint? ReadUmask()
        {
            try
            {
                foreach (var line in File.ReadLines("/proc/self/status"))
                {
                    if (line.StartsWith("Umask:", StringComparison.Ordinal))
                    {
                        return Convert.ToUInt32(line[6..].Trim(), 8);
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                // Unknown: every copy sets its mode.
            }

            return null;
        }
    }

    /// <summary>A finished copy: at its temporary name (in an <see cref="DirectoryHandle.Unpublished"/> folder, its own), or unnamed and open at <see cref="Unnamed"/> (the caller disposes it).</summary>
    private readonly record struct TemporaryCopy(string? Temporary, long Bytes, FileStatus? Changed, FileDescriptor? Unnamed = null);

    public override IDisposable? TryLock(string name) => TryLock(name, LockOpening.OpenOrCreate);

    public override unsafe IDisposable? TryLock(string name, LockOpening opening)
    {
        // O_NOFOLLOW: a link planted at the lock's name is refused (ELOOP), never followed to
        // create or open a file elsewhere; with O_EXCL it is refused as a taken name (EEXIST).
        var flags = Libc.O_RDWR | Libc.O_NOFOLLOW | Libc.O_NONBLOCK | Libc.O_NOCTTY | Libc.O_CLOEXEC | opening switch
        {
            LockOpening.CreateNew => Libc.O_CREAT | Libc.O_EXCL,
            LockOpening.OpenExisting => 0,
            _ => Libc.O_CREAT,
        };
        int fd;
        using (var parent = Parent(name, out var leaf))
        {
            fixed (byte* l = leaf)
            {
                fd = Libc.openat(parent.Fd, l, flags, 0x180);
            }
        }

        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw errno switch
            {
                Libc.ELOOP => NotALockFile(name, LinkKind.SymbolicLink),
                Libc.EEXIST when Stat(name) is { } taken => taken.Kind == LinkKind.File ? new LinkNameExistsException(FullPath(name), LinkKind.File) : NotALockFile(name, taken.Kind),
                Libc.ENOENT when opening == LockOpening.OpenExisting => new TargetNotFoundException(FullPath(name)),
                _ => UnixErrors.ToException(errno, FullPath(name)),
            };
        }

        var descriptor = new FileDescriptor(fd);
        var opened = StatDescriptor(fd, FullPath(name));
        if (opened.Kind != LinkKind.File)
        {
            descriptor.Dispose();
            throw NotALockFile(name, opened.Kind);
        }

        if (Libc.flock(fd, Libc.LOCK_EX | Libc.LOCK_NB) == 0)
        {
            return new HeldLock(descriptor);
        }

        var lockErrno = Marshal.GetLastPInvokeError();
        descriptor.Dispose();
        return lockErrno == Libc.EWOULDBLOCK ? null : throw UnixErrors.ToException(lockErrno, FullPath(name));
    }

    public override unsafe void CreateFile(string relativePath)
    {
        int fd;
        using (var parent = Parent(relativePath, out var leaf))
        {
            fixed (byte* l = leaf)
            {
                fd = Libc.openat(parent.Fd, l, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_NOFOLLOW | Libc.O_NOCTTY | Libc.O_CLOEXEC, 0x180);
            }
        }

        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            // O_EXCL: EEXIST for anything at the name, a dangling link included.
            throw errno == Libc.EEXIST
                ? new LinkNameExistsException(FullPath(relativePath), Stat(relativePath)?.Kind ?? LinkKind.File)
                : UnixErrors.ToException(errno, FullPath(relativePath));
        }

        new FileDescriptor(fd).Dispose();
    }

    public override DeleteTally DeleteTree(string relativePath, DeleteOptions options)
    {
        var deleter = new TreeDeleter(this, options);
        return deleter.Delete(relativePath);
    }

    /// <summary>
    /// Opens <paramref name="relativePath"/> beneath this directory with <paramref name="flags"/>
    /// (<c>O_CLOEXEC</c> and <c>O_NOFOLLOW</c> added), following no link on the way.
    /// </summary>
    internal unsafe FileDescriptor OpenBeneath(string relativePath, int flags)
    {
        flags |= Libc.O_CLOEXEC | Libc.O_NOFOLLOW;
        var relative = Normalize(relativePath);
        if (relative.Length == 0)
        {
            return OpenAt(root.Fd, [(byte)'.', 0], flags, Path);
        }

        // Most paths below a root fit on the stack: no array for each file opened.
        Span<byte> buffer = stackalloc byte[512];
        var length = NativePath.TryEncode(relative, buffer);
        ReadOnlySpan<byte> native = length > 0 ? buffer[..length] : NativePath.ToNullTerminatedBytes(relative);
        if (!openat2Unavailable)
        {
            var how = new Libc.OpenHow { flags = (ulong)flags, resolve = Beneath };
            for (var attempt = 0; ; attempt++)
            {
                int fd;
                fixed (byte* p = native)
                {
                    fd = Libc.openat2(root.Fd, p, &how);
                }

                if (fd >= 0)
                {
                    return new FileDescriptor(fd);
                }

                var errno = Marshal.GetLastPInvokeError();
                // EAGAIN: a rename or mount raced the lookup; the kernel asks for a retry.
                if (errno == Libc.EAGAIN && attempt < 16)
                {
                    continue;
                }

                if (errno == Libc.ENOSYS)
                {
                    openat2Unavailable = true;
                    break;
                }

                // A path longer than PATH_MAX: one name at a time has no such limit.
                if (errno == Libc.ENAMETOOLONG)
                {
                    break;
                }

                throw BeneathError(errno, FullPath(relativePath));
            }
        }

        return OpenComponentWise(relative, flags);
    }

    /// <summary>
    /// Opens the file at <paramref name="relativePath"/> beneath this directory for reading,
    /// following no link at its name or on the way (<see cref="TreeChangedException"/> where one
    /// stands now; <see cref="TargetNotFoundException"/> when it is gone). <c>O_NONBLOCK</c>: a FIFO
    /// swapped in since the walk must not hang the job. The caller checks with fstat/statx on the
    /// descriptor that it is the file it expects.
    /// </summary>
    internal FileDescriptor OpenFileForRead(string relativePath) =>
        OpenBeneath(relativePath, Libc.O_RDONLY | Libc.O_NONBLOCK | Libc.O_NOCTTY);

    public override SafeFileHandle OpenForReading(string relativePath) =>
        ToSafeFileHandle(OpenBeneath(relativePath, Libc.O_RDONLY | Libc.O_NONBLOCK | Libc.O_NOCTTY));

    public override SafeFileHandle OpenForWriting(string relativePath) =>
        ToSafeFileHandle(OpenBeneath(relativePath, Libc.O_WRONLY | Libc.O_NONBLOCK | Libc.O_NOCTTY));

    /// <summary>The descriptor handed over to a <see cref="SafeFileHandle"/> (RandomAccess, FileStream), which closes it from then on.</summary>
    private static SafeFileHandle ToSafeFileHandle(FileDescriptor descriptor)
    {
        var handle = new SafeFileHandle(descriptor.DangerousGetHandle(), ownsHandle: true);
        descriptor.SetHandleAsInvalid();
        return handle;
    }

    /// <summary>Makes what was written to the file system that holds this directory durable (syncfs).</summary>
    internal void SyncFileSystem()
    {
        using var directory = OpenBeneath(string.Empty, Libc.O_RDONLY | Libc.O_DIRECTORY);
        if (Libc.syncfs(directory.Fd) != 0)
        {
            throw UnixErrors.ToException(Marshal.GetLastPInvokeError(), Path);
        }
    }

    internal static unsafe FileStatus StatDescriptor(int fd, MessagePath path)
    {
        Libc.Statx stx;
        const int flags = Libc.AT_EMPTY_PATH | Libc.AT_STATX_SYNC_AS_STAT;
        const uint mask = Libc.STATX_BASIC_STATS | Libc.STATX_MNT_ID;
        // No path at all (Linux 6.11+): the kernel then copies no empty name from user space, a
        // measurable share of a call made two or three times per copied file. Older kernels say EFAULT.
        if (!statxWantsEmptyName)
        {
            if (Libc.statx(fd, null, flags, mask, &stx) == 0)
            {
                return FileStatus.FromStatx(stx);
            }

            if (Marshal.GetLastPInvokeError() != Libc.EFAULT)
            {
                throw UnixErrors.ToException(Marshal.GetLastPInvokeError(), path.ToString());
            }

            statxWantsEmptyName = true;
        }

        fixed (byte* empty = ""u8)
        {
            if (Libc.statx(fd, empty, flags, mask, &stx) != 0)
            {
                throw UnixErrors.ToException(Marshal.GetLastPInvokeError(), path.ToString());
            }
        }

        return FileStatus.FromStatx(stx);
    }

    /// <summary>Owner before mode (chown clears set-user-ID and set-group-ID bits), then times.</summary>
    /// <param name="fd">The open file or directory.</param>
    /// <param name="status">Owner, mode and times to give it.</param>
    /// <param name="path">Its path, for messages.</param>
    /// <param name="afterOwner">
    /// Run between owner and mode: extended attributes, which must come after chown (it removes
    /// security.capability) and before a mode without the owner's write bit (setting user.*
    /// attributes needs write permission on the file). Setting them changes no modification time.
    /// </param>
    /// <param name="ownerSet">The file already has <paramref name="status"/>'s owner and group (it was made so): no fchown.</param>
    /// <param name="modeSet">The file already has <paramref name="status"/>'s mode (it was made so): no fchmod.</param>
    internal static unsafe void ApplyMetadata(int fd, in FileStatus status, MessagePath path, Action? afterOwner = null, bool ownerSet = false, bool modeSet = false)
    {
        if (IsRoot && !ownerSet && Libc.fchown(fd, status.Uid, status.Gid) != 0)
        {
            throw UnixErrors.ToException(Marshal.GetLastPInvokeError(), path.ToString());
        }

        afterOwner?.Invoke();

        if (!modeSet && Libc.fchmod(fd, status.Mode) != 0)
        {
            throw UnixErrors.ToException(Marshal.GetLastPInvokeError(), path.ToString());
        }

        var times = stackalloc Libc.Timespec[2];
        FillTimes(times, status);
        if (Libc.futimens(fd, times) != 0)
        {
            throw UnixErrors.ToException(Marshal.GetLastPInvokeError(), path.ToString());
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (parentsGate)
            {
                foreach (var parent in parents.Values)
                {
                    parent.Dispose();
                }

                parents.Clear();
            }

            root.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>The open parent directory of <paramref name="relativePath"/> and the entry's own name (NUL-terminated).</summary>
    private DescriptorLease Parent(string relativePath, out byte[] leaf)
    {
        var parent = Parent(relativePath, out string relative, out int cut);
        leaf = NativePath.ToNullTerminatedBytes(relative.AsSpan(cut + 1));
        return parent;
    }

    /// <summary>The open directory that holds <paramref name="relativePath"/> (which must name an entry below this one).</summary>
    private DescriptorLease Parent(string relativePath) => Parent(relativePath, out _, out _);

    private DescriptorLease Parent(string relativePath, out string relative, out int cut)
    {
        relative = Normalize(relativePath);
        cut = relative.LastIndexOf('/');
        if (relative.Length == 0)
        {
            throw new ArgumentException("an entry below the directory is needed, not the directory itself", nameof(relativePath));
        }

        if (cut < 0)
        {
            return new DescriptorLease(root);
        }

        lock (parentsGate)
        {
            if (parentsBySlice.TryGetValue(relative.AsSpan(0, cut), out var cached))
            {
                return new DescriptorLease(cached);
            }
        }

        var directory = relative[..cut];
        var opened = OpenFromOpenParent(directory) ?? OpenBeneath(directory, Libc.O_PATH | Libc.O_DIRECTORY);
        lock (parentsGate)
        {
            if (parents.Count >= ParentCacheLimit)
            {
                // A descriptor still lent out stays open until its lease ends.
                foreach (var old in parents.Values)
                {
                    old.Dispose();
                }

                parents.Clear();
            }

            if (parents.TryAdd(directory, opened))
            {
                return new DescriptorLease(opened);
            }

            opened.Dispose();
            return new DescriptorLease(parents[directory]);
        }
    }

    /// <summary>
    /// <paramref name="directory"/> opened by its last name from its own folder's descriptor, when
    /// that is open already (a job goes depth first, so it almost always is): one name looked up,
    /// not the whole path from the root (a fifth of the walk's thread in an incremental backup of
    /// the large preset, as the trees get deeper). Null when the folder is not open.
    /// </summary>
    /// <remarks>
    /// The folder's descriptor was itself opened beneath the root, and <c>O_NOFOLLOW</c> with
    /// <c>O_DIRECTORY</c> on a single name that is neither <c>.</c> nor <c>..</c> refuses a link or
    /// a file swapped in where the directory was. Like every open parent, the folder's descriptor
    /// follows the folder should it be renamed out of the tree meanwhile: what is opened from it is
    /// then inside that same folder, never where a link put in its place points. Files are still
    /// opened by their whole path (<see cref="OpenBeneath"/>), so that a job reading them notices
    /// such a move (dedupe's RacingTreeTests).
    /// </remarks>
    private FileDescriptor? OpenFromOpenParent(string directory)
    {
        var cut = directory.LastIndexOf('/');
        var name = directory.AsSpan(cut + 1);
        if (cut < 0 || name is "." or "..")
        {
            return null;
        }

        DescriptorLease folder;
        lock (parentsGate)
        {
            if (!parentsBySlice.TryGetValue(directory.AsSpan(0, cut), out var cached))
            {
                return null;
            }

            folder = new DescriptorLease(cached);
        }

        using (folder)
        {
            return OpenAt(folder.Fd, NativePath.ToNullTerminatedBytes(name), Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, FullPath(directory), beneath: true);
        }
    }

    /// <summary>Forgets the open parents at and below <paramref name="relativePath"/> (it was deleted or renamed).</summary>
    internal void Forget(string relativePath)
    {
        var relative = Normalize(relativePath);
        lock (parentsGate)
        {
            foreach (var key in parents.Keys.Where(k => k == relative || k.StartsWith(relative + "/", StringComparison.Ordinal)).ToList())
            {
                parents.Remove(key, out var descriptor);
                descriptor!.Dispose();
            }
        }
    }

    private unsafe FileDescriptor OpenComponentWise(string relative, int flags)
    {
        var components = relative.Split('/');
        var current = new DescriptorLease(root);
        FileDescriptor? owned = null;
        try
        {
            for (var i = 0; i < components.Length; i++)
            {
                var last = i == components.Length - 1;
                var next = OpenAt(current.Fd, NativePath.ToNullTerminatedBytes(components[i]), last ? flags : Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, FullPath(relative), beneath: true);
                current.Dispose();
                owned?.Dispose();
                owned = next;
                current = new DescriptorLease(next);
            }

            current.Dispose();
            var result = owned!;
            owned = null;
            return result;
        }
        catch
        {
            current.Dispose();
            owned?.Dispose();
            throw;
        }
    }

    private static unsafe FileDescriptor OpenAt(int directory, byte[] name, int flags, string path, bool beneath = false)
    {
        int fd;
        fixed (byte* n = name)
        {
            fd = Libc.openat(directory, n, flags, 0);
        }

        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw beneath ? BeneathError(errno, path) : UnixErrors.ToException(errno, path);
        }

        return new FileDescriptor(fd);
    }

    private ReplaceRefusedException NotALockFile(string name, LinkKind kind) =>
        new(FullPath(name), $"is a {kind.Describe()} where a lock file belongs; remove it");

    private static LinksmithException BeneathError(int errno, string path) => errno switch
    {
        // ELOOP: a link where the walk saw a directory or file (RESOLVE_NO_SYMLINKS, O_NOFOLLOW);
        // EXDEV: the lookup would have left the tree (RESOLVE_BENEATH); ENOTDIR: a file where a directory was.
        Libc.ELOOP or Libc.EXDEV or Libc.ENOTDIR => new TreeChangedException(path, "a link or file now stands where the walk saw this entry or one of its folders"),
        _ => UnixErrors.ToException(errno, path),
    };

    private static string Normalize(string relativePath)
    {
        var relative = relativePath.Trim('/');
        // One search settles almost every path (it is made for each entry a job touches): no "..", no step up.
        if (relative == "." || (relative.Contains("..", StringComparison.Ordinal)
            && (relative.StartsWith("../", StringComparison.Ordinal) || relative.Contains("/../", StringComparison.Ordinal) || relative == ".." || relative.EndsWith("/..", StringComparison.Ordinal))))
        {
            throw new ArgumentException($"'{relativePath}' is not a path below the directory", nameof(relativePath));
        }

        return relative;
    }

    private static bool IsSelf(string relativePath) => relativePath.Trim('/').Length == 0;

    private static unsafe void FillTimes(Libc.Timespec* times, in FileStatus status)
    {
        times[0] = new Libc.Timespec { tv_sec = status.AccessTime.Seconds, tv_nsec = status.AccessTime.Nanoseconds };
        times[1] = new Libc.Timespec { tv_sec = status.ModifiedTime.Seconds, tv_nsec = status.ModifiedTime.Nanoseconds };
    }
}

/// <summary>
/// A lock taken with flock, released when disposed. Closing the descriptor alone is not enough: a
/// child process forked meanwhile (by this process's other threads, before its exec closes the
/// O_CLOEXEC copy) shares the open file and would keep the lock held for a moment longer, and the
/// next lock taken in this process would find it busy.
/// </summary>
internal sealed class HeldLock(FileDescriptor descriptor) : IDisposable
{
    public void Dispose()
    {
        if (!descriptor.IsClosed)
        {
            _ = Libc.flock(descriptor.Fd, Libc.LOCK_UN);
            descriptor.Dispose();
        }
    }
}
