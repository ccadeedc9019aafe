using System.Security.Cryptography;

namespace Linksmith.Tests.Dedup;

/// <summary>A temp tree under <c>tree/</c> and a private state database under <c>state/</c>.</summary>
public abstract class DedupeTestBase : IDisposable
{
    protected TempDirectory Temp { get; } = new();

    protected string Tree => Temp.Dir("tree");

    protected string StatePath => Path.Combine(Temp.Path, "state", "state.db");

    public void Dispose()
    {
        Temp.Dispose();
        GC.SuppressFinalize(this);
    }

    protected string Write(string relative, byte[] content)
    {
        var path = Temp[Path.Combine("tree", relative)];
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return path;
    }

    protected string Write(string relative, string content) => Write(relative, System.Text.Encoding.UTF8.GetBytes(content));

    protected DedupeResult Dedupe(bool apply, Func<DedupeOptions, DedupeOptions>? adjust = null, params string[] roots)
    {
        var options = new DedupeOptions
        {
            Roots = roots.Length == 0 ? [Tree] : roots,
            Apply = apply,
            StateDatabasePath = StatePath,
        };
        return Deduplicator.Run(adjust is null ? options : adjust(options));
    }

    protected static FileIdentity Id(string path) => Link.Inspect(path).Identity!.Value;

    protected static long Links(string path) => Link.Inspect(path).LinkCount;

    /// <summary>Every regular file under the tree with the SHA-256 of its content.</summary>
    protected Dictionary<string, string> ContentHashes() =>
        Directory.EnumerateFiles(Tree, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Where(p => Link.Inspect(p).Kind == LinkKind.File)
            .ToDictionary(p => p, p => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(p))));

    /// <summary>A copy of <paramref name="content"/> with the byte at <paramref name="index"/> changed.</summary>
    protected static byte[] Flip(byte[] content, int index)
    {
        var copy = (byte[])content.Clone();
        copy[index] ^= 0x5a;
        return copy;
    }

    protected static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
