using System.Globalization;

namespace Linksmith;

/// <summary>
/// What makes a file the same file: its volume and its id on that volume. Two names with equal
/// identities are hard links of one file. (Linux: device number and inode from statx; Windows:
/// volume serial number and the 128-bit file id.)
/// </summary>
/// <param name="Volume">The device (Linux) or volume serial number (Windows).</param>
/// <param name="FileId">The inode (Linux) or file id (Windows).</param>
public readonly record struct FileIdentity(ulong Volume, UInt128 FileId)
{
    /// <summary>Linux's major/minor device pair, encoded as glibc's makedev does.</summary>
    public static ulong MakeDevice(uint major, uint minor) =>
        ((ulong)(major & 0xfffff000) << 32) | ((ulong)(major & 0x00000fff) << 8) |
        ((ulong)(minor & 0xffffff00) << 12) | (minor & 0x000000ff);

    /// <summary>The volume as text: <c>major:minor</c> on Linux, the serial as hex on Windows.</summary>
    public string VolumeText => OperatingSystem.IsWindows()
        ? Volume.ToString("X8", CultureInfo.InvariantCulture)
        : string.Create(CultureInfo.InvariantCulture, $"{Major}:{Minor}");

    /// <summary>The file id as text: the inode number on Linux, 32 hex digits on Windows.</summary>
    public string FileIdText => OperatingSystem.IsWindows()
        ? FileId.ToString("X32", CultureInfo.InvariantCulture)
        : FileId.ToString(CultureInfo.InvariantCulture);

    private uint Major => (uint)(((Volume >> 32) & 0xfffff000) | ((Volume >> 8) & 0x00000fff));

    private uint Minor => (uint)(((Volume >> 12) & 0xffffff00) | (Volume & 0x000000ff));
}
