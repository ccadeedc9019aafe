namespace Linksmith.Tests;

/// <summary>What a tree looks like on disk, compared before and after a dry run.</summary>
public static class TreeSnapshot
{
    public static List<string> Take(string root)
    {
        var lines = new List<string>();
        Walk(root, root, lines);
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    private static void Walk(string root, string directory, List<string> lines)
    {
        foreach (var entry in new DirectoryInfo(directory).EnumerateFileSystemInfos())
        {
            // Wine keeps links' reparse data in this folder beside them; Windows has no such entry.
            if (entry.Name == ".REPARSE_POINT" && Windows.WindowsHost.IsWine)
            {
                continue;
            }

            var info = Link.Inspect(entry.FullName);
            var relative = Path.GetRelativePath(root, entry.FullName);
            var content = info.Kind == LinkKind.File ? Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(entry.FullName))) : string.Empty;
            lines.Add($"{relative}|{info.Kind}|{info.Target}|{info.LinkCount}|{info.Identity}|{entry.LastWriteTimeUtc.Ticks}|{content}");
            if (info.Kind == LinkKind.Directory)
            {
                Walk(root, entry.FullName, lines);
            }
        }
    }
}
