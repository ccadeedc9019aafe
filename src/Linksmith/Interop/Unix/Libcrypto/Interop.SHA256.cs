using System.Runtime.InteropServices;

namespace Linksmith.Interop;

/// <summary>
/// libcrypto's own SHA-256 functions (SHA256_Init, SHA256_Update, SHA256_Final), bound when the
/// process first hashes: see <see cref="Sha256"/> for why. Found by name at run time, not through
/// LibraryImport: the library is optional (the callers fall back to System.Security.Cryptography
/// without it) and its file name differs by OpenSSL version. OpenSSL 3 marks the three deprecated
/// but exports them; they take a caller-owned SHA256_CTX and return 1 on success.
/// </summary>
internal static unsafe class Libcrypto
{
    /// <summary>Bytes set aside for a SHA256_CTX: 112 in OpenSSL 1.1 and 3 (eight state words, two length words, a 64-byte block, two counters), with room to spare.</summary>
    internal const int SHA256_CTX_SIZE = 256;

    internal const int SHA256_DIGEST_LENGTH = 32;

    // OpenSSL 3, then 1.1: the versions whose SHA256_CTX has the layout above.
    private static readonly string[] LibraryNames = ["libcrypto.so.3", "libcrypto.so.1.1"];

    internal static readonly delegate* unmanaged<void*, int> SHA256_Init;
    internal static readonly delegate* unmanaged<void*, void*, nuint, int> SHA256_Update;
    internal static readonly delegate* unmanaged<byte*, void*, int> SHA256_Final;

    /// <summary>Whether the three functions were found and gave the known digest of "abc" (FIPS 180-2, appendix B.1).</summary>
    internal static readonly bool HasSha256;

    static Libcrypto()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        foreach (var name in LibraryNames)
        {
            if (!NativeLibrary.TryLoad(name, out var library))
            {
                continue;
            }

            if (NativeLibrary.TryGetExport(library, "SHA256_Init", out var init)
                && NativeLibrary.TryGetExport(library, "SHA256_Update", out var update)
                && NativeLibrary.TryGetExport(library, "SHA256_Final", out var final))
            {
                SHA256_Init = (delegate* unmanaged<void*, int>)init;
                SHA256_Update = (delegate* unmanaged<void*, void*, nuint, int>)update;
                SHA256_Final = (delegate* unmanaged<byte*, void*, int>)final;
                HasSha256 = KnownAnswerHolds();
                if (HasSha256)
                {
                    return;
                }
            }

            NativeLibrary.Free(library);
        }

        SHA256_Init = null;
        SHA256_Update = null;
        SHA256_Final = null;
    }

    private static bool KnownAnswerHolds()
    {
        var context = stackalloc byte[SHA256_CTX_SIZE];
        var digest = stackalloc byte[SHA256_DIGEST_LENGTH];
        var message = "abc"u8;
        fixed (byte* data = message)
        {
            if (SHA256_Init(context) != 1 || SHA256_Update(context, data, (nuint)message.Length) != 1 || SHA256_Final(digest, context) != 1)
            {
                return false;
            }
        }

        return new ReadOnlySpan<byte>(digest, SHA256_DIGEST_LENGTH).SequenceEqual(
            Convert.FromHexString("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"));
    }
}
