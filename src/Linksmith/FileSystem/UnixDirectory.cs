using System.Runtime.InteropServices;
using Linksmith.Interop;

namespace Linksmith;

/// <summary>One entry of a directory as readdir reports it, without a stat.</summary>
/// <param name="Name">The entry's name (bytes that are not UTF-8 are escaped, see <see cref="NativePath"/>).</param>
/// <param name="Type">The d_type (<c>DT_REG</c>, <c>DT_DIR</c>, <c>DT_LNK</c>, or <c>DT_UNKNOWN</c> when the file system does not say).</param>
/// <param name="Inode">The d_ino.</param>
internal readonly record struct DirectoryEntry(string Name, byte Type, ulong Inode);

/// <summary>Reads directories with opendir/readdir, so names keep their bytes and d_type spares a stat.</summary>
internal static class UnixDirectory
{
    public static unsafe IEnumerable<DirectoryEntry> Enumerate(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return EnumerateWithSystemIO(directory);
        }

        var native = NativePath.ToNullTerminatedBytes(directory);
        nint handle;
        fixed (byte* p = native)
        {
            handle = Libc.opendir(p);
        }

        if (handle == 0)
        {
            throw UnixErrors.ToException(Marshal.GetLastPInvokeError(), directory);
        }

        return ReadAll(handle, directory);
    }

    private static IEnumerable<DirectoryEntry> ReadAll(nint handle, string directory)
    {
        try
        {
            while (true)
            {
                var entry = ReadOne(handle, directory);
                if (entry is null)
                {
                    yield break;
                }

                if (entry.Value.Name is "." or "..")
                {
                    continue;
                }

                yield return entry.Value;
            }
        }
        finally
        {
            _ = Libc.closedir(handle);
        }
    }

    private static unsafe DirectoryEntry? ReadOne(nint handle, string directory)
    {
        Marshal.SetLastPInvokeError(0);
        var dirent = (byte*)Libc.readdir(handle);
        if (dirent is null)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno == 0 ? null : throw UnixErrors.ToException(errno, directory);
        }

        var name = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(dirent + Libc.DirentNameOffset);
        return new DirectoryEntry(NativePath.FromBytes(name), dirent[Libc.DirentTypeOffset], *(ulong*)dirent);
    }

    private static IEnumerable<DirectoryEntry> EnumerateWithSystemIO(string directory)
    {
        foreach (var info in new DirectoryInfo(directory).EnumerateFileSystemInfos())
        {
            var type = info.LinkTarget is not null ? Libc.DT_LNK
                : (info.Attributes & FileAttributes.Directory) != 0 ? Libc.DT_DIR
                : Libc.DT_REG;
            yield return new DirectoryEntry(info.Name, type, 0);
        }
    }
}
