using System.Runtime.Versioning;

namespace Linksmith;

/// <summary>Links on Windows: junctions, symbolic links and hard links through kernel32.</summary>
[SupportedOSPlatform("windows")]
internal sealed class WindowsLinkPlatform : LinkPlatform
{
    public override bool SupportsJunctions => true;

    public override bool CanEnumerateNames => true;

    public override RawEntry Stat(string path) => throw new PlatformNotSupportedException();

    public override RawEntry StatFollowingLinks(string path) => throw new PlatformNotSupportedException();

    public override string ReadLinkTarget(string path) => throw new PlatformNotSupportedException();

    public override bool IsAbsoluteTargetText(string targetText) => throw new PlatformNotSupportedException();

    public override string NormalizeTargetText(string targetText) => throw new PlatformNotSupportedException();

    public override bool SameVolume(FileIdentity directory, FileIdentity file, string directoryPath, string filePath) => throw new PlatformNotSupportedException();

    public override bool SameVolumeByPath(string directory, string targetPath) => throw new PlatformNotSupportedException();

    public override string CanonicalizeDirectory(string directory) => throw new PlatformNotSupportedException();

    public override bool IsEmptyDirectory(string path) => throw new PlatformNotSupportedException();

    public override void CreateSymbolicLink(string linkPath, string targetText, bool targetIsDirectory) => throw new PlatformNotSupportedException();

    public override void CreateHardLink(string linkPath, string existingPath) => throw new PlatformNotSupportedException();

    public override void CreateJunction(string linkPath, string targetDirectory) => throw new PlatformNotSupportedException();

    public override void ReplaceWith(string temporaryPath, string linkPath, LinkKind replaces) => throw new PlatformNotSupportedException();

    public override void RemoveLink(string path, RawEntry entry) => throw new PlatformNotSupportedException();

    public override IEnumerable<string> EnumerateNames(string path) => throw new PlatformNotSupportedException();

    public override string GetVolumeRoot(string path) => throw new PlatformNotSupportedException();
}
