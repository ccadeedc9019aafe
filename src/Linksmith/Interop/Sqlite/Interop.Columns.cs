using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Linksmith.Interop;

/// <summary>
/// The few calls of SQLite's statement API a row-by-row read makes, bound straight to the
/// e_sqlite3 library that Microsoft.Data.Sqlite's SQLitePCLRaw bundle ships and loads: through
/// SQLitePCLRaw each call also takes and releases the statement's SafeHandle and goes through its
/// provider, which was about a third of the hash cache's read of a warm dedupe rerun (nine calls a
/// row, 190,000 rows on the large benchmark tree). The statement stays SQLitePCLRaw's: prepared,
/// bound and finalized there, its handle held (DangerousAddRef) while these are used.
/// </summary>
internal static unsafe partial class SqliteStatement
{
    private const string Library = "e_sqlite3";

    internal const int SQLITE_ROW = 100;

    internal const int SQLITE_DONE = 101;

    [LibraryImport(Library, EntryPoint = "sqlite3_step")]
    internal static partial int Step(nint statement);

    // The column calls read what the step left in the statement: short, never blocking (the
    // connection's own mutex, taken by this thread alone), so made without a GC transition.
    [LibraryImport(Library, EntryPoint = "sqlite3_column_int64")]
    [SuppressGCTransition]
    internal static partial long Int64(nint statement, int column);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_blob")]
    [SuppressGCTransition]
    private static partial byte* BlobPointer(nint statement, int column);

    [LibraryImport(Library, EntryPoint = "sqlite3_column_bytes")]
    [SuppressGCTransition]
    private static partial int Bytes(nint statement, int column);

    /// <summary>A blob column of the current row (empty for NULL), valid until the next step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ReadOnlySpan<byte> Blob(nint statement, int column)
    {
        // SQLite's order: the pointer first, then its length.
        var pointer = BlobPointer(statement, column);
        return pointer is null ? default : new ReadOnlySpan<byte>(pointer, Bytes(statement, column));
    }
}
