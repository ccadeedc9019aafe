using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Linksmith.Tests.Windows;

/// <summary>
/// What this system's kernel32 really does with symbolic links, junctions and a file's list of
/// names, found once per run by doing it in a scratch folder and looking at the result. Each
/// answer is null when the capability works, else what went wrong, naming the function and the
/// error, for a skip reason.
/// </summary>
/// <remarks>
/// The probes go through System.IO and their own P/Invoke, not through Linksmith, so a defect in
/// Linksmith's Windows code fails its tests instead of turning them into skips.
/// </remarks>
internal static partial class WindowsCapabilities
{
    private const int ERROR_NOT_SUPPORTED = 50;
    private const int ERROR_CALL_NOT_IMPLEMENTED = 120;
    private const int ERROR_PRIVILEGE_NOT_HELD = 1314;
    private const uint GENERIC_WRITE = 0x40000000;
    private const uint OPEN_EXISTING = 3;
    private const uint FILE_FLAG_BACKUP_SEMANTICS = 0x02000000;
    private const uint FILE_FLAG_OPEN_REPARSE_POINT = 0x00200000;
    private const uint FSCTL_SET_REPARSE_POINT = 0x000900A4;
    private const uint IO_REPARSE_TAG_MOUNT_POINT = 0xA0000003;

    private static readonly Lazy<string?> SymbolicLinks = new(() => InScratchFolder(ProbeSymbolicLinks));
    private static readonly Lazy<string?> Junctions = new(() => InScratchFolder(ProbeJunctions));
    private static readonly Lazy<string?> FindFirstFileName = new(() => InScratchFolder(ProbeFindFirstFileName));
    // Probed with a symbolic link; where there are none (stock Wine, Windows without the
    // privilege), there is no broken rename to see, and Windows renames links as links.
    private static readonly Lazy<string?> LinkRenames = new(() => SymbolicLinksMissing is null ? InScratchFolder(ProbeLinkRenames) : null);

    /// <summary>Null if File.CreateSymbolicLink makes a link that reads back; else why not.</summary>
    public static string? SymbolicLinksMissing => SymbolicLinks.Value;

    /// <summary>Null if FSCTL_SET_REPARSE_POINT makes a junction that reads back; else why not.</summary>
    public static string? JunctionsMissing => Junctions.Value;

    /// <summary>
    /// Null if MoveFileExW renames a symbolic link as a link, leaving its target alone; else why
    /// not. Linksmith replaces a link by renaming a new one over it, junctions included.
    /// </summary>
    public static string? LinkRenamesMissing => LinkRenames.Value;

    /// <summary>Null if FindFirstFileNameW answers; else why not.</summary>
    public static string? FindFirstFileNameMissing => FindFirstFileName.Value;

    private static string? ProbeSymbolicLinks(string folder)
    {
        File.WriteAllText(Path.Join(folder, "target.txt"), "probe");
        var link = Path.Join(folder, "link.txt");
        try
        {
            File.CreateSymbolicLink(link, "target.txt");
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return Failed("CreateSymbolicLinkW", error.HResult & 0xFFFF);
        }

        var created = new FileInfo(link);
        if (!created.Exists)
        {
            return "CreateSymbolicLinkW reports success and creates nothing (a stub, as in Debian's Wine 8 and 10)";
        }

        return created.LinkTarget == "target.txt" && File.ReadAllText(link) == "probe"
            ? null
            : $"CreateSymbolicLinkW made a link that reads back as '{created.LinkTarget}', not 'target.txt'";
    }

    private static string? ProbeLinkRenames(string folder)
    {
        var target = Path.Join(folder, "target.txt");
        File.WriteAllText(target, "probe");
        File.CreateSymbolicLink(Path.Join(folder, "link.txt"), "target.txt");
        File.Move(Path.Join(folder, "link.txt"), Path.Join(folder, "renamed.txt"));

        // Seen under wine-staging v10.0's reparse points: the server takes the realpath of the
        // new name, which is the target's, and the link is rebuilt over the target file.
        if ((File.GetAttributes(target) & FileAttributes.ReparsePoint) != 0)
        {
            return "MoveFileExW on a symbolic link rebuilds the link over its target (the target becomes a link to itself)";
        }

        return File.ReadAllText(Path.Join(folder, "renamed.txt")) == "probe" ? null : "MoveFileExW on a symbolic link breaks the link";
    }

    private static unsafe string? ProbeJunctions(string folder)
    {
        var target = Directory.CreateDirectory(Path.Join(folder, "target")).FullName;
        var junction = Directory.CreateDirectory(Path.Join(folder, "junction")).FullName;
        var data = MountPointData(target);
        using (var handle = CreateFile(junction, GENERIC_WRITE, 0, 0, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT, 0))
        {
            if (handle.IsInvalid)
            {
                return Failed("CreateFileW (opening a folder for FSCTL_SET_REPARSE_POINT)", Marshal.GetLastPInvokeError());
            }

            fixed (byte* input = data)
            {
                if (!DeviceIoControl(handle, FSCTL_SET_REPARSE_POINT, input, (uint)data.Length, null, 0, out _, 0))
                {
                    return Failed("DeviceIoControl(FSCTL_SET_REPARSE_POINT) for a junction", Marshal.GetLastPInvokeError());
                }
            }
        }

        var linkTarget = new DirectoryInfo(junction).LinkTarget;
        return linkTarget == target
            ? null
            : $"FSCTL_SET_REPARSE_POINT made a junction that reads back as '{linkTarget}', not '{target}'";
    }

    private static unsafe string? ProbeFindFirstFileName(string folder)
    {
        var file = Path.Join(folder, "file.txt");
        File.WriteAllText(file, "probe");
        var buffer = new char[1024];
        var length = (uint)buffer.Length;
        nint handle;
        try
        {
            fixed (char* name = buffer)
            {
                handle = FindFirstFileNameW(file, 0, ref length, name);
            }
        }
        catch (EntryPointNotFoundException)
        {
            return "FindFirstFileNameW is not exported (Wine 8)";
        }

        if (handle == -1)
        {
            return Failed("FindFirstFileNameW", Marshal.GetLastPInvokeError());
        }

        FindClose(handle);
        return null;
    }

    private static string Failed(string function, int error) => error switch
    {
        ERROR_NOT_SUPPORTED => $"{function} fails with error 50 (ERROR_NOT_SUPPORTED: no reparse points, as in Debian's Wine 8 and 10)",
        ERROR_CALL_NOT_IMPLEMENTED => $"{function} fails with error 120 (ERROR_CALL_NOT_IMPLEMENTED: a stub, as in Wine 10)",
        ERROR_PRIVILEGE_NOT_HELD => $"{function} fails with error 1314 (ERROR_PRIVILEGE_NOT_HELD: symbolic links need Developer Mode or an elevated process)",
        _ => $"{function} fails with error {error}",
    };

    /// <summary>A REPARSE_DATA_BUFFER for a mount point (junction) to <paramref name="target"/>, as mklink /J writes it.</summary>
    private static byte[] MountPointData(string target)
    {
        var substitute = Encoding.Unicode.GetBytes(@"\??\" + target);
        var print = Encoding.Unicode.GetBytes(target);

        // Tag, ReparseDataLength, Reserved; then the two names' offsets and lengths, and the
        // names, each followed by a NUL that the lengths leave out.
        var pathBytes = substitute.Length + 2 + print.Length + 2;
        var data = new byte[8 + 8 + pathBytes];
        var span = data.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, IO_REPARSE_TAG_MOUNT_POINT);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], (ushort)(8 + pathBytes));
        BinaryPrimitives.WriteUInt16LittleEndian(span[8..], 0);
        BinaryPrimitives.WriteUInt16LittleEndian(span[10..], (ushort)substitute.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(span[12..], (ushort)(substitute.Length + 2));
        BinaryPrimitives.WriteUInt16LittleEndian(span[14..], (ushort)print.Length);
        substitute.CopyTo(span[16..]);
        print.CopyTo(span[(16 + substitute.Length + 2)..]);
        return data;
    }

    private static string? InScratchFolder(Func<string, string?> probe)
    {
        var folder = Path.Join(Path.GetTempPath(), "linksmith-tests", "probe-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        try
        {
            return probe(folder);
        }
        finally
        {
            // A recursive delete removes links as links, never their targets' contents.
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    [LibraryImport("kernel32.dll", EntryPoint = "CreateFileW", SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    private static partial SafeFileHandle CreateFile(string lpFileName, uint dwDesiredAccess, uint dwShareMode, nint lpSecurityAttributes, uint dwCreationDisposition, uint dwFlagsAndAttributes, nint hTemplateFile);

    [LibraryImport("kernel32.dll", SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static unsafe partial bool DeviceIoControl(SafeFileHandle hDevice, uint dwIoControlCode, byte* lpInBuffer, uint nInBufferSize, byte* lpOutBuffer, uint nOutBufferSize, out uint lpBytesReturned, nint lpOverlapped);

    [LibraryImport("kernel32.dll", SetLastError = true, StringMarshalling = StringMarshalling.Utf16)]
    private static unsafe partial nint FindFirstFileNameW(string lpFileName, uint dwFlags, ref uint StringLength, char* LinkName);

    [LibraryImport("kernel32.dll")]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static partial bool FindClose(nint hFindFile);
}
