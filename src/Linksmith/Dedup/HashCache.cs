using System.Runtime.ExceptionServices;
using Linksmith.Interop;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Linksmith;

/// <summary>Rows of one volume with a size from <paramref name="MinSize"/> to <paramref name="MaxSize"/>.</summary>
internal readonly record struct SizeRange(ulong Volume, long MinSize, long MaxSize);

/// <summary>One remembered hash: the key it is valid for and what was computed.</summary>
internal readonly record struct CachedHash(long Size, long ModifiedTicks, long ChangedTicks, UInt128? Sample, ContentHash? Full, SharedWith? Shared = null);

/// <summary>
/// The survivor a file's every block was found shared with (dedupe --reflink): its file id and its
/// ctime then. Kept in the file's row, so it holds only while the file's own times do too.
/// </summary>
internal readonly record struct SharedWith(ulong IdLow, ulong IdHigh, long ChangedTicks)
{
    public const int Length = 24;

    public static SharedWith FromBytes(ReadOnlySpan<byte> bytes) => new(
        BitConverter.ToUInt64(bytes), BitConverter.ToUInt64(bytes[8..]), BitConverter.ToInt64(bytes[16..]));

    public void WriteTo(Span<byte> bytes)
    {
        BitConverter.TryWriteBytes(bytes, IdLow);
        BitConverter.TryWriteBytes(bytes[8..], IdHigh);
        BitConverter.TryWriteBytes(bytes[16..], ChangedTicks);
    }
}

/// <summary>
/// Dedupe's hashes remembered in the state database, keyed by volume, size and file id, and valid
/// only while mtime and ctime are unchanged. ctime matters: it changes with any write even when a
/// tool puts mtime back, so a file rewritten in place is read again. A row may also say which
/// survivor the file shares every block with (<see cref="RecordShared"/>), so that a reflink rerun
/// need not ask the file system again about a pair neither of whose files changed.
/// </summary>
/// <remarks>
/// Size comes before the file id in the key so that the rows of a range of sizes lie together:
/// dedupe reads its candidates a batch of sizes at a time and fetches each batch's rows with one
/// range scan. A row the run finds stale (the file's times changed) or whose file it finds gone
/// or changed while reading is deleted during the run (<see cref="Forget"/>). A file whose size
/// changed, or that was deleted outside the trees a run walks, leaves its old row behind: such
/// rows never match and stay until the cache is cleared.
/// </remarks>
internal sealed class HashCache : IDisposable
{
    private const string Feature = "dedupe-hash-cache";
    private const int Version = 3;

    private const string CreateSql = """
        CREATE TABLE IF NOT EXISTS dedupe_hash (
            volume INTEGER NOT NULL,
            file_id INTEGER NOT NULL,
            file_id_high INTEGER NOT NULL,
            size INTEGER NOT NULL,
            mtime_ns INTEGER NOT NULL,
            ctime_ns INTEGER NOT NULL,
            sample BLOB,
            sha256 BLOB,
            shared_with BLOB,
            PRIMARY KEY (volume, size, file_id, file_id_high)
        ) WITHOUT ROWID
        """;

    /// <summary>Rows are written and read in key order (a batch of sizes at a time), so a small page cache does: see <see cref="Open"/>.</summary>
    private const string SmallPageCache = "PRAGMA cache_size = -512";

    private readonly StateDatabase database;

    private StateDatabase? second;

    private bool secondOpened;

    private HashCache(StateDatabase database) => this.database = database;

    /// <summary>Opens the cache; throws <see cref="StateDatabaseException"/> when the database cannot be used.</summary>
    public static HashCache Open(string? path)
    {
        var database = StateDatabase.Open(path);
        try
        {
            // A cache may be forgotten on a schema change: drop and recreate.
            database.EnsureSchema(Feature, Version, CreateSql, "DROP TABLE IF EXISTS dedupe_hash");
            // Rows are written and read in key order (a batch of sizes at a time), so a small page
            // cache does: 512 KiB instead of SQLite's 2 MiB took 1.3 MB off the peak of a first run
            // over the large benchmark tree, at no measurable cost in time.
            database.Execute(SmallPageCache);
            return new HashCache(database);
        }
        catch
        {
            database.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Calls <paramref name="found"/> for each remembered entry of each of <paramref name="ranges"/>
    /// (a volume and a range of sizes), with the range's index, in (size, file id) order within a
    /// range: the table's key order, so SQLite reads one contiguous run of rows per range and sorts
    /// nothing. A row's sample is read only when its size is above <paramref name="sampledAbove"/>
    /// (only such files are stored with one); below, it is given as none. A row's survivor it shares
    /// blocks with is read only when <paramref name="readShared"/> (dedupe --reflink).
    /// </summary>
    /// <remarks>
    /// <para>Reads through SQLite's own statement API: Microsoft.Data.Sqlite's GetBytes opens a blob
    /// stream and looks up the column's table metadata (a PRAGMA parsed and run) on every row,
    /// which made a warm rerun spend more time here than in the walk. Each column read is a call
    /// into SQLite (two for a blob), so a column that cannot matter is not read.</para>
    /// <para>Two ranges are read side by side where there are two cores, the second on a connection
    /// of its own (opened at the first such call and kept; readers of a WAL database do not wait for
    /// each other), so <paramref name="found"/> is called from two threads, never for one range
    /// from both. On one core a warm rerun over the large benchmark tree spent about 100 ms of its
    /// 0.55 s here, the other core idle.</para>
    /// </remarks>
    public void ReadSizes(IReadOnlyList<SizeRange> ranges, long sampledAbove, bool readShared, Action<int, ulong, ulong, CachedHash> found)
    {
        var second = ranges.Count > 1 && Environment.ProcessorCount > 1 ? SecondReader() : null;
        var next = -1;
        ExceptionDispatchInfo? failure = null;

        void Reader(int number)
        {
            try
            {
                int index;
                while (Volatile.Read(ref failure) is null && (index = Interlocked.Increment(ref next)) < ranges.Count)
                {
                    ReadRange(number == 0 ? database : second!, ranges[index], sampledAbove, readShared, (idLow, idHigh, cached) => found(index, idLow, idHigh, cached));
                }
            }
            catch (Exception error)
            {
                Interlocked.CompareExchange(ref failure, ExceptionDispatchInfo.Capture(error), null);
            }
        }

        WorkerThreads.Run(second is null ? 1 : 2, "dedupe cache reader", Reader);
        failure?.Throw();
    }

    /// <summary>The second connection <see cref="ReadSizes"/> reads on; null (all is read on the first) when it cannot be opened.</summary>
    private StateDatabase? SecondReader()
    {
        if (!secondOpened)
        {
            secondOpened = true;
            try
            {
                second = StateDatabase.Open(database.Path);
                second.Execute(SmallPageCache);
            }
            catch (StateDatabaseException)
            {
                // One connection reads every range: slower, never wrong.
            }
        }

        return second;
    }

    private void ReadRange(StateDatabase on, SizeRange range, long sampledAbove, bool readShared, Action<ulong, ulong, CachedHash> found)
    {
        var db = on.Connection.Handle!;
        var rc = raw.sqlite3_prepare_v2(
            db,
            "SELECT size, file_id, file_id_high, mtime_ns, ctime_ns, sample, sha256, shared_with FROM dedupe_hash WHERE volume = ?1 AND size BETWEEN ?2 AND ?3 ORDER BY size, file_id, file_id_high",
            out var statement);
        using (statement)
        {
            Check(rc, db);
            Check(raw.sqlite3_bind_int64(statement, 1, unchecked((long)range.Volume)), db);
            Check(raw.sqlite3_bind_int64(statement, 2, range.MinSize), db);
            Check(raw.sqlite3_bind_int64(statement, 3, range.MaxSize), db);
            var held = false;
            statement.DangerousAddRef(ref held);
            try
            {
                var row = statement.DangerousGetHandle();
                while ((rc = SqliteStatement.Step(row)) == SqliteStatement.SQLITE_ROW)
                {
                    var size = SqliteStatement.Int64(row, 0);
                    var sampleBytes = size > sampledAbove ? SqliteStatement.Blob(row, 5) : default;
                    var fullBytes = SqliteStatement.Blob(row, 6);
                    UInt128? sample = sampleBytes.Length == 16
                        ? new UInt128(BitConverter.ToUInt64(sampleBytes[8..]), BitConverter.ToUInt64(sampleBytes))
                        : null;
                    ContentHash? full = fullBytes.Length == 32 ? ContentHash.FromBytes(fullBytes) : null;
                    var sharedBytes = readShared ? SqliteStatement.Blob(row, 7) : default;
                    SharedWith? shared = sharedBytes.Length == SharedWith.Length ? SharedWith.FromBytes(sharedBytes) : null;
                    found(
                        unchecked((ulong)SqliteStatement.Int64(row, 1)),
                        unchecked((ulong)SqliteStatement.Int64(row, 2)),
                        new CachedHash(size, SqliteStatement.Int64(row, 3), SqliteStatement.Int64(row, 4), sample, full, shared));
                }
            }
            finally
            {
                if (held)
                {
                    statement.DangerousRelease();
                }
            }

            if (rc != raw.SQLITE_DONE)
            {
                Check(rc, db);
            }
        }
    }

    /// <summary>
    /// Moves remembered entries to a new ctime: a survivor that gained names has a new ctime (its
    /// link count changed) and the same content. Only the row the run read (the file's size and
    /// mtime, and the ctime it was read with) moves.
    /// </summary>
    public void UpdateChangeTimes(IEnumerable<(ScannedFile File, FileClass Class, long ReadChangedTicks)> files) => WriteAll(
        "UPDATE dedupe_hash SET ctime_ns = ?6 WHERE volume = ?1 AND file_id = ?2 AND file_id_high = ?3 AND size = ?4 AND mtime_ns = ?5 AND ctime_ns = ?7",
        files,
        (statement, db, row) =>
        {
            BindKey(statement, db, row.File, row.Class);
            Check(raw.sqlite3_bind_int64(statement, 7, row.ReadChangedTicks), db);
        });

    /// <summary>
    /// Records, in each file's row (the one for its size, mtime and ctime now), the survivor it was
    /// found to share every block with. A row that is not there (its file was not hashed, or has
    /// changed since) is left so.
    /// </summary>
    public void RecordShared(IEnumerable<(ScannedFile File, FileClass Class, SharedWith With)> files)
    {
        var bytes = new byte[SharedWith.Length];
        WriteAll(
            "UPDATE dedupe_hash SET shared_with = ?7 WHERE volume = ?1 AND file_id = ?2 AND file_id_high = ?3 AND size = ?4 AND mtime_ns = ?5 AND ctime_ns = ?6",
            files,
            (statement, db, row) =>
            {
                BindKey(statement, db, row.File, row.Class);
                row.With.WriteTo(bytes);
                Check(raw.sqlite3_bind_blob(statement, 7, bytes), db);
            });
    }

    /// <summary>Remembers entries, all in one transaction (one fsync for the lot).</summary>
    /// <remarks>
    /// Written through SQLite's statement API, as <see cref="ReadSizes"/> reads, with no object
    /// per row: a first run over a big tree stores a row per candidate file (190k on the large
    /// benchmark tree). Filling the cache there added 1.3–1.4 s to a run, against 1.4–1.7 s
    /// through ADO.NET parameters: within the machine's noise, so no speed claim rests on it.
    /// </remarks>
    public void Store(IEnumerable<(ScannedFile File, FileClass Class, UInt128? Sample, ContentHash? Full)> entries)
    {
        var bytes = new byte[32];
        WriteAll(
            "INSERT OR REPLACE INTO dedupe_hash (volume, file_id, file_id_high, size, mtime_ns, ctime_ns, sample, sha256) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            entries,
            (statement, db, row) =>
            {
                BindKey(statement, db, row.File, row.Class);
                if (row.Sample is { } sample)
                {
                    BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), (ulong)sample);
                    BitConverter.TryWriteBytes(bytes.AsSpan(8, 8), (ulong)(sample >> 64));
                    Check(raw.sqlite3_bind_blob(statement, 7, bytes.AsSpan(0, 16)), db);
                }
                else
                {
                    Check(raw.sqlite3_bind_null(statement, 7), db);
                }

                if (row.Full is { } full)
                {
                    full.WriteTo(bytes);
                    Check(raw.sqlite3_bind_blob(statement, 8, bytes), db);
                }
                else
                {
                    Check(raw.sqlite3_bind_null(statement, 8), db);
                }
            });
    }

    /// <summary>Deletes the rows of files a run found changed or gone (at the size it saw them with), all in one transaction.</summary>
    public void Forget(IEnumerable<(ScannedFile File, FileClass Class)> files) => WriteAll(
        "DELETE FROM dedupe_hash WHERE volume = ?1 AND file_id = ?2 AND file_id_high = ?3 AND size = ?4",
        files,
        (statement, db, row) =>
        {
            Check(raw.sqlite3_bind_int64(statement, 1, unchecked((long)row.Class.Volume)), db);
            Check(raw.sqlite3_bind_int64(statement, 2, unchecked((long)row.File.IdLow)), db);
            Check(raw.sqlite3_bind_int64(statement, 3, unchecked((long)row.Class.IdHigh)), db);
            Check(raw.sqlite3_bind_int64(statement, 4, row.File.Size), db);
        });

    public void Dispose()
    {
        second?.Dispose();
        database.Dispose();
    }

    /// <summary>Runs <paramref name="sql"/> once per row, with its parameters bound by <paramref name="bind"/>, in one transaction.</summary>
    private void WriteAll<T>(string sql, IEnumerable<T> rows, Action<sqlite3_stmt, sqlite3, T> bind)
    {
        var db = database.Connection.Handle!;
        try
        {
            using var transaction = database.Connection.BeginTransaction();
            var rc = raw.sqlite3_prepare_v2(db, sql, out var statement);
            using (statement)
            {
                Check(rc, db);
                foreach (var row in rows)
                {
                    bind(statement, db, row);
                    Check(raw.sqlite3_step(statement), db);
                    Check(raw.sqlite3_reset(statement), db);
                }
            }

            transaction.Commit();
        }
        catch (SqliteException error)
        {
            throw new StateDatabaseException(database.Path, error.Message, error);
        }
    }

    /// <summary>Binds a row's key and times: ?1 volume, ?2 and ?3 file id, ?4 size, ?5 mtime, ?6 ctime.</summary>
    private void BindKey(sqlite3_stmt statement, sqlite3 db, in ScannedFile file, in FileClass fileClass)
    {
        Check(raw.sqlite3_bind_int64(statement, 1, unchecked((long)fileClass.Volume)), db);
        Check(raw.sqlite3_bind_int64(statement, 2, unchecked((long)file.IdLow)), db);
        Check(raw.sqlite3_bind_int64(statement, 3, unchecked((long)fileClass.IdHigh)), db);
        Check(raw.sqlite3_bind_int64(statement, 4, file.Size), db);
        Check(raw.sqlite3_bind_int64(statement, 5, file.ModifiedTicks), db);
        Check(raw.sqlite3_bind_int64(statement, 6, file.ChangedTicks), db);
    }

    private void Check(int rc, sqlite3 db)
    {
        if (rc is not (raw.SQLITE_OK or raw.SQLITE_ROW or raw.SQLITE_DONE))
        {
            throw new StateDatabaseException(database.Path, raw.sqlite3_errstr(rc).utf8_to_string() + ": " + raw.sqlite3_errmsg(db).utf8_to_string());
        }
    }
}
