using Microsoft.Data.Sqlite;

namespace Linksmith;

/// <summary>One remembered link source.</summary>
/// <param name="Path">The full path that was picked.</param>
/// <param name="PickedAt">When it was picked (UTC).</param>
public sealed record Pick(string Path, DateTimeOffset PickedAt);

/// <summary>
/// The link sources picked for a later drop ("Pick Link Source" in a file manager), kept in the
/// per-user <see cref="StateDatabase"/>.
/// </summary>
/// <remarks>
/// A file manager starts one process per selected item (Explorer does, with
/// <c>MultiSelectModel=Player</c>), so twenty processes may pick at the same moment. Each pick is
/// one SQLite transaction and the path is the table's unique key: concurrent picks queue on the
/// database's write lock instead of overwriting each other, and none is lost or added twice.
/// </remarks>
public sealed class PickList : IDisposable
{
    private const string Feature = "picks";
    private const int Version = 1;

    // The path is stored as bytes: on Linux a file name need not be UTF-8 (NativePath carries
    // such bytes as lone surrogates, which SQLite's UTF-8 TEXT would turn into U+FFFD).
    private const string CreateSql = """
        CREATE TABLE IF NOT EXISTS picks (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            path BLOB NOT NULL UNIQUE,
            picked_at_ms INTEGER NOT NULL
        )
        """;

    private readonly StateDatabase database;

    private PickList(StateDatabase database) => this.database = database;

    /// <summary>Opens the pick list in the state database at <paramref name="databasePath"/> (default: the user's).</summary>
    /// <exception cref="StateDatabaseException">The database cannot be used.</exception>
    public static PickList Open(string? databasePath = null)
    {
        var database = StateDatabase.Open(databasePath);
        try
        {
            database.EnsureSchema(Feature, Version, CreateSql);
            return new PickList(database);
        }
        catch
        {
            database.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Adds <paramref name="path"/> (made absolute, without a trailing separator) unless it is
    /// already picked. The path must exist.
    /// </summary>
    /// <returns>True when it was added, false when it was already in the list.</returns>
    /// <exception cref="TargetNotFoundException">Nothing is at <paramref name="path"/>.</exception>
    public bool Add(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fullPath = Normalize(path);
        if (Link.Inspect(fullPath).Kind == LinkKind.Missing)
        {
            throw new TargetNotFoundException(path);
        }

        return Write(command =>
        {
            command.CommandText = "INSERT OR IGNORE INTO picks (path, picked_at_ms) VALUES ($path, $now)";
            command.Parameters.AddWithValue("$path", Encode(fullPath));
            command.Parameters.AddWithValue("$now", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            return command.ExecuteNonQuery() == 1;
        });
    }

    /// <summary>The picked paths, oldest first.</summary>
    public IReadOnlyList<Pick> List()
    {
        var picks = new List<Pick>();
        try
        {
            using var command = database.Connection.CreateCommand();
            command.CommandText = "SELECT path, picked_at_ms FROM picks ORDER BY seq";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                picks.Add(new Pick(Decode((byte[])reader.GetValue(0)), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1))));
            }
        }
        catch (SqliteException error)
        {
            throw new StateDatabaseException(database.Path, error.Message, error);
        }

        return picks;
    }

    /// <summary>The sequence number of the newest pick, 0 when none: lets the last of several concurrent pickers know it is the last.</summary>
    public long NewestSequence()
    {
        try
        {
            using var command = database.Connection.CreateCommand();
            command.CommandText = "SELECT COALESCE(MAX(seq), 0) FROM picks";
            return (long)command.ExecuteScalar()!;
        }
        catch (SqliteException error)
        {
            throw new StateDatabaseException(database.Path, error.Message, error);
        }
    }

    /// <summary>The sequence number of <paramref name="path"/>'s pick, or null when it is not picked.</summary>
    public long? SequenceOf(string path)
    {
        try
        {
            using var command = database.Connection.CreateCommand();
            command.CommandText = "SELECT seq FROM picks WHERE path = $path";
            command.Parameters.AddWithValue("$path", Encode(Normalize(path)));
            return command.ExecuteScalar() as long?;
        }
        catch (SqliteException error)
        {
            throw new StateDatabaseException(database.Path, error.Message, error);
        }
    }

    /// <summary>Forgets the given paths (exactly as <see cref="List"/> returned them); paths not picked are ignored.</summary>
    /// <returns>How many were removed.</returns>
    public int Remove(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        return Write(command =>
        {
            command.CommandText = "DELETE FROM picks WHERE path = $path";
            var parameter = command.Parameters.Add("$path", SqliteType.Blob);
            var removed = 0;
            foreach (var path in paths)
            {
                parameter.Value = Encode(path);
                removed += command.ExecuteNonQuery();
            }

            return removed;
        });
    }

    /// <summary>Forgets every pick.</summary>
    /// <returns>How many were removed.</returns>
    public int Clear() => Write(command =>
    {
        command.CommandText = "DELETE FROM picks";
        return command.ExecuteNonQuery();
    });

    /// <inheritdoc/>
    public void Dispose() => database.Dispose();

    private static string Normalize(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path)) is { Length: > 0 } trimmed ? trimmed : Path.GetFullPath(path);

    private static byte[] Encode(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            // Windows names are UTF-16 and may hold unpaired surrogates; keep the code units.
            return System.Runtime.InteropServices.MemoryMarshal.AsBytes(path.AsSpan()).ToArray();
        }

        var bytes = NativePath.ToNullTerminatedBytes(path);
        return bytes[..^1];
    }

    private static string Decode(byte[] bytes) =>
        OperatingSystem.IsWindows() ? new string(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, char>(bytes)) : NativePath.FromBytes(bytes);

    private T Write<T>(Func<SqliteCommand, T> body)
    {
        try
        {
            // BEGIN IMMEDIATE: take the write lock at once, so concurrent pickers queue on the busy
            // timeout rather than failing with SQLITE_BUSY when upgrading a read lock.
            database.Execute("BEGIN IMMEDIATE");
            try
            {
                using var command = database.Connection.CreateCommand();
                var result = body(command);
                database.Execute("COMMIT");
                return result;
            }
            catch
            {
                database.Execute("ROLLBACK");
                throw;
            }
        }
        catch (SqliteException error)
        {
            throw new StateDatabaseException(database.Path, error.Message, error);
        }
    }
}
