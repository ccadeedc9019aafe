using Microsoft.Data.Sqlite;

namespace Linksmith;

/// <summary>One remembered hash: the key it is valid for and what was computed.</summary>
internal readonly record struct CachedHash(long Size, long ModifiedTicks, long ChangedTicks, UInt128? Sample, ContentHash? Full);

/// <summary>
/// Dedupe's hashes remembered in the state database, keyed by file identity (volume + file id) and
/// valid only while size, mtime and ctime are unchanged. ctime matters: it changes with any write
/// even when a tool puts mtime back, so a file rewritten in place is read again.
/// </summary>
internal sealed class HashCache : IDisposable
{
    private const string Feature = "dedupe-hash-cache";
    private const int Version = 1;

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
            PRIMARY KEY (volume, file_id, file_id_high)
        ) WITHOUT ROWID
        """;

    private readonly StateDatabase database;

    private HashCache(StateDatabase database) => this.database = database;

    /// <summary>Opens the cache; throws <see cref="StateDatabaseException"/> when the database cannot be used.</summary>
    public static HashCache Open(string? path)
    {
        var database = StateDatabase.Open(path);
        try
        {
            // A cache may be forgotten on a schema change: drop and recreate.
            database.EnsureSchema(Feature, Version, CreateSql, "DROP TABLE IF EXISTS dedupe_hash");
            return new HashCache(database);
        }
        catch
        {
            database.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Calls <paramref name="found"/> for each remembered entry of <paramref name="volume"/>, in
    /// file-id order (the table's key order, so SQLite needs no sort) for a merge with sorted candidates.
    /// </summary>
    public void ReadVolume(ulong volume, Action<ulong, ulong, CachedHash> found)
    {
        try
        {
            using var command = database.Connection.CreateCommand();
            command.CommandText = "SELECT file_id, file_id_high, size, mtime_ns, ctime_ns, sample, sha256 FROM dedupe_hash WHERE volume = $volume ORDER BY file_id, file_id_high";
            command.Parameters.AddWithValue("$volume", unchecked((long)volume));
            using var reader = command.ExecuteReader();
            var blob = new byte[32];
            while (reader.Read())
            {
                UInt128? sample = null;
                ContentHash? full = null;
                if (!reader.IsDBNull(5) && reader.GetBytes(5, 0, blob, 0, 16) == 16)
                {
                    sample = new UInt128(BitConverter.ToUInt64(blob, 8), BitConverter.ToUInt64(blob, 0));
                }

                if (!reader.IsDBNull(6) && reader.GetBytes(6, 0, blob, 0, 32) == 32)
                {
                    full = ContentHash.FromBytes(blob);
                }

                found(
                    unchecked((ulong)reader.GetInt64(0)),
                    unchecked((ulong)reader.GetInt64(1)),
                    new CachedHash(reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), sample, full));
            }
        }
        catch (SqliteException error)
        {
            throw new StateDatabaseException(database.Path, error.Message, error);
        }
    }

    /// <summary>Remembers entries, all in one transaction (one fsync for the lot).</summary>
    public void Store(IEnumerable<(ScannedFile File, UInt128? Sample, ContentHash? Full)> entries)
    {
        try
        {
            using var transaction = database.Connection.BeginTransaction();
            using var command = database.Connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                INSERT OR REPLACE INTO dedupe_hash (volume, file_id, file_id_high, size, mtime_ns, ctime_ns, sample, sha256)
                VALUES ($volume, $id, $idHigh, $size, $mtime, $ctime, $sample, $sha256)
                """;
            var volume = command.Parameters.Add("$volume", SqliteType.Integer);
            var id = command.Parameters.Add("$id", SqliteType.Integer);
            var idHigh = command.Parameters.Add("$idHigh", SqliteType.Integer);
            var size = command.Parameters.Add("$size", SqliteType.Integer);
            var mtime = command.Parameters.Add("$mtime", SqliteType.Integer);
            var ctime = command.Parameters.Add("$ctime", SqliteType.Integer);
            var sample = command.Parameters.Add("$sample", SqliteType.Blob);
            var sha256 = command.Parameters.Add("$sha256", SqliteType.Blob);
            command.Prepare();
            foreach (var (file, sampleValue, fullValue) in entries)
            {
                volume.Value = unchecked((long)file.Volume);
                id.Value = unchecked((long)file.IdLow);
                idHigh.Value = unchecked((long)file.IdHigh);
                size.Value = file.Size;
                mtime.Value = file.ModifiedTicks;
                ctime.Value = file.ChangedTicks;
                sample.Value = sampleValue is { } s ? SampleBytes(s) : DBNull.Value;
                if (fullValue is { } f)
                {
                    var bytes = new byte[32];
                    f.WriteTo(bytes);
                    sha256.Value = bytes;
                }
                else
                {
                    sha256.Value = DBNull.Value;
                }

                command.ExecuteNonQuery();
            }

            transaction.Commit();
        }
        catch (SqliteException error)
        {
            throw new StateDatabaseException(database.Path, error.Message, error);
        }
    }

    public void Dispose() => database.Dispose();

    private static byte[] SampleBytes(UInt128 sample)
    {
        var bytes = new byte[16];
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), (ulong)sample);
        BitConverter.TryWriteBytes(bytes.AsSpan(8, 8), (ulong)(sample >> 64));
        return bytes;
    }
}
