using System.Security.AccessControl;

namespace Linksmith.Tests.Windows;

/// <summary>Whether this system keeps named streams and DACLs (what <c>--xattrs</c> carries on Windows), probed through System.IO only.</summary>
internal static partial class WindowsCapabilities
{
    private static readonly Lazy<string?> Streams = new(() => InScratchFolder(ProbeStreams));
    private static readonly Lazy<string?> Acls = new(() => InScratchFolder(ProbeAcls));

    /// <summary>Null if <c>file:name</c> is a named stream of the file; else why not.</summary>
    public static string? StreamsMissing => Streams.Value;

    /// <summary>Null if a protected DACL set with SetSecurityInfo reads back as set; else why not.</summary>
    public static string? AclsMissing => Acls.Value;

    private static string? ProbeStreams(string folder)
    {
        var file = Path.Join(folder, "probe.txt");
        File.WriteAllText(file, "probe");
        try
        {
            File.WriteAllText(file + ":stream", "named");
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return $"named streams: writing {file}:stream failed ({error.Message})";
        }

        // Wine makes a second file whose name holds the colon (and answers NtQueryInformationFile's
        // FileStreamInformation with STATUS_NOT_IMPLEMENTED); NTFS lists one file.
        var entries = Directory.GetFileSystemEntries(folder);
        return entries.Length == 1
            ? null
            : "named streams: this system has none (NtCreateFile of \"probe.txt:stream\" made a file of that name; Wine lacks FileStreamInformation and streams)";
    }

    private static string? ProbeAcls(string folder)
    {
        var file = Path.Join(folder, "probe.txt");
        File.WriteAllText(file, "probe");
        const string Wanted = "D:P(A;;FA;;;WD)";
        try
        {
            var security = new FileInfo(file).GetAccessControl();
            security.SetSecurityDescriptorSddlForm(Wanted, AccessControlSections.Access);
            new FileInfo(file).SetAccessControl(security);
            var read = new FileInfo(file).GetAccessControl().GetSecurityDescriptorSddlForm(AccessControlSections.Access);
            return read == Wanted ? null : $"DACLs: SetSecurityInfo of {Wanted} read back as {read}";
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or PlatformNotSupportedException or InvalidOperationException)
        {
            return $"DACLs: SetSecurityInfo/GetSecurityInfo failed ({error.GetType().Name}: {error.Message})";
        }
    }
}
