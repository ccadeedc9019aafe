using System.Security.Cryptography;
using Linksmith.Interop;

namespace Linksmith.Tests.Dedup;

/// <summary>
/// What decides that two files are identical is the SHA-256 of their contents, the same whichever
/// library computes it (on Linux libcrypto's own functions, elsewhere System.Security.Cryptography)
/// and whether the file is read in one piece or in several.
/// </summary>
public sealed class ContentHashTests : DedupeTestBase
{
    [Fact]
    public void A_file_is_hashed_as_the_SHA256_of_its_contents_whatever_its_size_and_whatever_was_hashed_before()
    {
        using var root = DirectoryHandle.Open(Tree);
        using var reader = new ContentReader();
        // Around the reader's 256 KiB buffer: one read and a one-shot hash below it, several reads from it on.
        foreach (var (size, seed) in new[] { (1, 1), (4096, 2), (262_143, 3), (262_144, 4), (262_145, 5), (1_048_583, 6), (10, 7) })
        {
            var content = RandomBytes(size, seed);
            var path = Write($"f{seed}", content);
            var status = PathFacts.Stat(path, followLinks: false)!.Value;

            Assert.Equal(ReadOutcome.Done, reader.Hash(root, $"f{seed}", ScannedFile.From(status, 0, 0, 0, 0), FileClass.Of(status), null, sampledThisRun: false, out var hash));

            Assert.Equal(ContentHash.FromBytes(SHA256.HashData(content)), hash);
        }
    }

    [Fact]
    public void A_file_opened_ahead_is_hashed_as_its_contents_and_one_rewritten_after_is_left_as_changed()
    {
        // The reader opens files a window ahead of hashing them (ContentReader.OpenAhead): what
        // it hashes through that descriptor is the file's content, and a file rewritten since it
        // was listed is still found changed, whoever opened it.
        Platform.RequireLinux("files are opened ahead on Linux only (posix_fadvise)");
        using var root = DirectoryHandle.Open(Tree);
        using var reader = new ContentReader();
        var content = RandomBytes(300_000, 9);
        var path = Write("ahead", content);
        var status = PathFacts.Stat(path, followLinks: false)!.Value;
        var listed = ScannedFile.From(status, 0, 0, 0, 0);

        using (var ahead = ContentReader.OpenAhead(root, "ahead", content.Length, sampled: false))
        {
            Assert.NotNull(ahead);
            Assert.Equal(ReadOutcome.Done, reader.Hash(root, "ahead", listed, FileClass.Of(status), ahead, sampledThisRun: false, out var hash));
            Assert.Equal(ContentHash.FromBytes(SHA256.HashData(content)), hash);
        }

        using (var ahead = ContentReader.OpenAhead(root, "ahead", content.Length, sampled: false))
        {
            File.AppendAllText(path, "more");
            Assert.Equal(ReadOutcome.Changed, reader.Hash(root, "ahead", listed, FileClass.Of(status), ahead, sampledThisRun: false, out _));
        }

        Assert.Null(ContentReader.OpenAhead(root, "gone", 1, sampled: false));
    }

    [Fact]
    public void The_hash_taken_in_pieces_equals_the_hash_taken_at_once()
    {
        var content = RandomBytes(100_000, 8);
        using var sha256 = new Sha256();
        var pieces = new byte[32];
        var whole = new byte[32];

        var offset = 0;
        foreach (var length in new[] { 0, 1, 63, 64, 65, 1000, 98_807 })
        {
            sha256.AppendData(content.AsSpan(offset, length));
            offset += length;
        }

        Assert.Equal(content.Length, offset);
        sha256.GetHashAndReset(pieces);
        Sha256.HashData(content, whole);

        Assert.Equal(SHA256.HashData(content), pieces);
        Assert.Equal(SHA256.HashData(content), whole);
        // Started over: the next digest is of what comes after the reset only.
        sha256.AppendData("abc"u8);
        sha256.GetHashAndReset(pieces);
        Assert.Equal(SHA256.HashData("abc"u8), pieces);
    }

    [Fact]
    public void On_Linux_contents_are_hashed_with_libcrypto_alone()
    {
        // Not through .NET's OpenSSL layer, which loads libssl and initializes OpenSSL in full:
        // megabytes more of a dedupe's peak memory (see Sha256).
        Platform.RequireLinux("libcrypto is OpenSSL's, which only the Linux build binds directly");

        Assert.True(Libcrypto.HasSha256);
    }
}
