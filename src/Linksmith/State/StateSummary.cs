using System.Globalization;

namespace Linksmith;

/// <summary>How many rows one feature keeps in the state database, and the times of the oldest and newest where rows have one.</summary>
/// <param name="Count">Rows.</param>
/// <param name="Oldest">The earliest row's time (UTC), or null (no rows, or rows without times).</param>
/// <param name="Newest">The latest row's time (UTC), or null.</param>
public sealed record StateTableSummary(long Count, DateTimeOffset? Oldest, DateTimeOffset? Newest);

/// <summary>Where the state database is and what it holds: <c>linksmith state</c>.</summary>
/// <param name="Path">The database file.</param>
/// <param name="Exists">Whether it exists (it is made when first needed; looking does not make it).</param>
/// <param name="SizeBytes">The database file's size plus its write-ahead log's.</param>
/// <param name="Picks">Picked link sources (when each was picked).</param>
/// <param name="Moves">Journalled moves (when each started).</param>
/// <param name="CachedHashes">Dedupe's remembered hashes (rows carry file times, not when they were stored: no oldest or newest).</param>
public sealed record StateSummary(string Path, bool Exists, long SizeBytes, StateTableSummary Picks, StateTableSummary Moves, StateTableSummary CachedHashes)
{
    private static readonly StateTableSummary Empty = new(0, null, null);

    /// <summary>Reads what the database at <paramref name="path"/> (default: the user's) holds, without creating it.</summary>
    /// <exception cref="StateDatabaseException">It exists but cannot be read.</exception>
    public static StateSummary Read(string? path = null)
    {
        path = System.IO.Path.GetFullPath(path ?? System.IO.Path.Combine(StateDatabase.ResolveDirectory(), StateDatabase.FileName));
        if (!File.Exists(path))
        {
            var folder = System.IO.Path.GetDirectoryName(path)!;
            if (File.Exists(folder))
            {
                throw new StateDatabaseException(path, $"its folder {folder} is a file");
            }

            return new StateSummary(path, false, 0, Empty, Empty, Empty);
        }

        using var database = StateDatabase.Open(path);
        try
        {
            var picks = Table(database, "picks", "SELECT count(*), min(picked_at_ms), max(picked_at_ms) FROM picks", milliseconds: true);
            var moves = Table(database, "move", "SELECT count(*), min(started_at), max(started_at) FROM move", milliseconds: false);
            var hashes = Table(database, "dedupe_hash", "SELECT count(*), NULL, NULL FROM dedupe_hash", milliseconds: false);
            return new StateSummary(path, true, FileSize(path) + FileSize(path + "-wal"), picks, moves, hashes);
        }
        catch (Microsoft.Data.Sqlite.SqliteException error)
        {
            throw new StateDatabaseException(path, error.Message, error);
        }
    }

    /// <summary>
    /// Deletes every cached dedupe hash in the database at <paramref name="path"/> (default: the
    /// user's) and returns how many there were; picks and the move journal are kept (a move's
    /// journal is what takes it back). Nothing is created where there is no database.
    /// </summary>
    /// <exception cref="StateDatabaseException">It exists but cannot be changed.</exception>
    public static long ClearHashCache(string? path = null)
    {
        var summary = Read(path);
        if (!summary.Exists || summary.CachedHashes.Count == 0)
        {
            return 0;
        }

        using var database = StateDatabase.Open(summary.Path);
        try
        {
            database.Execute("DELETE FROM dedupe_hash");
            // Give the space back: the cache is most of the file.
            database.Execute("VACUUM");
            return summary.CachedHashes.Count;
        }
        catch (Microsoft.Data.Sqlite.SqliteException error)
        {
            throw new StateDatabaseException(summary.Path, error.Message, error);
        }
    }

    private static StateTableSummary Table(StateDatabase database, string table, string sql, bool milliseconds)
    {
        using var command = database.Connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $name";
        command.Parameters.AddWithValue("$name", table);
        if ((long)command.ExecuteScalar()! == 0)
        {
            return Empty;
        }

        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        reader.Read();
        return new StateTableSummary(reader.GetInt64(0), Time(reader.GetValue(1)), Time(reader.GetValue(2)));

        DateTimeOffset? Time(object value) => value switch
        {
            long ms when milliseconds => DateTimeOffset.FromUnixTimeMilliseconds(ms),
            string text when DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) => time.ToUniversalTime(),
            _ => null,
        };
    }

    private static long FileSize(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? info.Length : 0;
    }
}
