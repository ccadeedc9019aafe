using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Linksmith.Interop;

namespace Linksmith;

/// <summary>
/// SHA-256 for dedupe's contents: on Linux from libcrypto's own SHA256_Init/Update/Final where
/// the process can load them (<see cref="Libcrypto"/>), else from System.Security.Cryptography.
/// </summary>
/// <remarks>
/// Both reach the same OpenSSL code (with the CPU's SHA instructions), but .NET's way in loads
/// libssl as well, looks up some hundreds of functions in both and initializes OpenSSL with its
/// configuration, providers and error strings. In a dedupe of 204,189 files the two libraries
/// then held 3.7 MB at the peak (/proc/PID/smaps), libcrypto alone bound here 1.6 MB, of which
/// 0.4 MB is its relocated data: the kernel maps up to 64 KiB of a library around each page
/// touched. SHA-256 in managed code would load neither, but hash at best as fast as OpenSSL
/// without the SHA instructions: 0.53 GB/s against 1.79 GB/s on the benchmark machine, where
/// dedupe of the large preset hashes 1.07 GB.
/// </remarks>
internal sealed unsafe class Sha256 : IDisposable
{
    // The SHA256_CTX, pinned (libcrypto keeps no pointer to it between calls, but it is handed
    // over by address); or, without libcrypto, .NET's incremental hash.
    private readonly byte[]? context;
    private readonly IncrementalHash? fallback;

    public Sha256()
    {
        if (Libcrypto.HasSha256)
        {
            context = GC.AllocateArray<byte>(Libcrypto.SHA256_CTX_SIZE, pinned: true);
            Check(Libcrypto.SHA256_Init(Context));
        }
        else
        {
            fallback = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        }
    }

    private void* Context => Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(context!));

    /// <summary>The SHA-256 of <paramref name="data"/>, in one call (no state kept).</summary>
    public static void HashData(ReadOnlySpan<byte> data, Span<byte> digest)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(digest.Length, Libcrypto.SHA256_DIGEST_LENGTH, nameof(digest));
        if (!Libcrypto.HasSha256)
        {
            SHA256.HashData(data, digest);
            return;
        }

        var context = stackalloc byte[Libcrypto.SHA256_CTX_SIZE];
        fixed (byte* bytes = data)
        fixed (byte* result = digest)
        {
            Check(Libcrypto.SHA256_Init(context));
            Check(Libcrypto.SHA256_Update(context, bytes, (nuint)data.Length));
            Check(Libcrypto.SHA256_Final(result, context));
        }
    }

    public void AppendData(ReadOnlySpan<byte> data)
    {
        if (fallback is not null)
        {
            fallback.AppendData(data);
            return;
        }

        fixed (byte* bytes = data)
        {
            Check(Libcrypto.SHA256_Update(Context, bytes, (nuint)data.Length));
        }
    }

    /// <summary>The digest of what was appended since the last call (or since this was made); starts over.</summary>
    public void GetHashAndReset(Span<byte> digest)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(digest.Length, Libcrypto.SHA256_DIGEST_LENGTH, nameof(digest));
        if (fallback is not null)
        {
            fallback.GetHashAndReset(digest);
            return;
        }

        fixed (byte* result = digest)
        {
            Check(Libcrypto.SHA256_Final(result, Context));
        }

        Check(Libcrypto.SHA256_Init(Context));
    }

    public void Dispose() => fallback?.Dispose();

    // The low-level functions fail only on a null argument; a failure here is a defect, not a condition of the file system.
    private static void Check(int result)
    {
        if (result != 1)
        {
            throw new CryptographicException("libcrypto's SHA-256 failed.");
        }
    }
}
