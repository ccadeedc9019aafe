using System.Runtime.InteropServices;
using Linksmith.Interop;

namespace Linksmith;

/// <summary>Links on Linux (and other Unixes where the calls are POSIX), through libc with byte paths.</summary>
internal sealed class UnixLinkPlatform : LinkPlatform
{
    public override bool SupportsJunctions => false;

    public override bool CanEnumerateNames => false;

    public override FileStatus Stat(string path) => StatCore(path, Libc.AT_SYMLINK_NOFOLLOW);

    public override FileStatus StatFollowingLinks(string path) => StatCore(path, 0);

    public override string ReadLinkTarget(string path) => UnixFile.ReadLink(path);

    public override bool IsAbsoluteTargetText(string targetText) => targetText.StartsWith('/');

    public override string NormalizeTargetText(string targetText) => targetText;

    public override bool SameVolume(FileIdentity directory, FileIdentity file, string directoryPath, string filePath) =>
        directory.Volume == file.Volume;

    public override bool SameVolumeByPath(string directory, string targetPath)
    {
        var directoryEntry = StatFollowingLinks(directory);
        var target = NearestExisting(targetPath);
        return directoryEntry.Kind == LinkKind.Missing || target.Kind == LinkKind.Missing || directoryEntry.Identity.Volume == target.Identity.Volume;
    }

    public override unsafe string CanonicalizeDirectory(string directory)
    {
        var native = NativePath.ToNullTerminatedBytes(directory);
        fixed (byte* p = native)
        {
            var resolved = Libc.realpath(p, null);
            if (resolved is null)
            {
                return directory;
            }

            try
            {
                return NativePath.FromBytes(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(resolved));
            }
            finally
            {
                Libc.free(resolved);
            }
        }
    }

    public override bool IsEmptyDirectory(string path) => UnixDirectoryReader.IsEmpty(path);

    public override unsafe void CreateSymbolicLink(string linkPath, string targetText, bool targetIsDirectory)
    {
        var target = NativePath.ToNullTerminatedBytes(targetText);
        var link = NativePath.ToNullTerminatedBytes(linkPath);
        fixed (byte* t = target, l = link)
        {
            if (Libc.symlink(t, l) != 0)
            {
                throw UnixErrors.ToException(Marshal.GetLastPInvokeError(), linkPath);
            }
        }
    }

    public override unsafe void CreateHardLink(string linkPath, string existingPath)
    {
        var existing = NativePath.ToNullTerminatedBytes(existingPath);
        var link = NativePath.ToNullTerminatedBytes(linkPath);
        fixed (byte* e = existing, l = link)
        {
            if (Libc.link(e, l) != 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                throw UnixErrors.ToException(errno, linkPath, existingPath, errno == Libc.EMLINK ? Stat(existingPath).LinkCount : 0);
            }
        }
    }

    public override void CreateJunction(string linkPath, string targetDirectory) =>
        throw new JunctionNotSupportedException(linkPath);

    public override void RemoveLink(string path, FileStatus entry)
    {
        // unlink(2) removes the name itself: for a symlink to a directory it removes the link,
        // never the directory or anything in it.
        UnixFile.Unlink(path);
    }

    public override IEnumerable<string> EnumerateNames(string path) => throw new PlatformNotSupportedException();

    public override string GetVolumeRoot(string path)
    {
        var current = CanonicalizeDirectory(Directory.Exists(path) ? path : Path.GetDirectoryName(path) ?? "/");
        var mount = MountId(current);
        while (Path.GetDirectoryName(current) is { } parent && MountId(parent) == mount)
        {
            current = parent;
        }

        return current;
    }

    private static (ulong, ulong) MountId(string path)
    {
        if (!UnixFile.TryStatx(path, 0, out var stx))
        {
            return (0, 0);
        }

        // stx_mnt_id tells bind mounts apart too; fall back to the device on old kernels.
        var device = FileIdentity.MakeDevice(stx.stx_dev_major, stx.stx_dev_minor);
        return ((stx.stx_mask & Libc.STATX_MNT_ID) != 0 ? stx.stx_mnt_id : 0, device);
    }

    private FileStatus NearestExisting(string path)
    {
        for (var current = path; current is not null; current = Path.GetDirectoryName(current))
        {
            var entry = StatFollowingLinks(current);
            if (entry.Kind != LinkKind.Missing)
            {
                return entry;
            }
        }

        return FileStatus.Missing;
    }

    private static FileStatus StatCore(string path, int flags)
    {
        if (UnixFile.TryStatx(path, flags, out var stx))
        {
            return FileStatus.FromStatx(stx);
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno switch
        {
            Libc.ENOENT or Libc.ENOTDIR => FileStatus.Missing,
            Libc.ELOOP => FileStatus.Loop,
            _ => throw UnixErrors.ToException(errno, path),
        };
    }
}
