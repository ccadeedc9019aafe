using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Linksmith;

/// <summary>
/// The one per-user state database (<c>state.db</c>) that picks, the move journal and the dedupe
/// hash cache share. Each feature keeps its own tables and declares them with
/// <see cref="EnsureSchema"/>; the versions are recorded in a <c>schema</c> table.
/// </summary>
/// <remarks>
/// Several <c>linksmith</c> processes may use the database at once (a file manager picking while a
/// dedupe runs), so it is opened in WAL mode, where readers never wait for the writer, with a busy
/// timeout so that writers queue instead of failing. Nothing in it is user data: a lost or corrupt
/// database costs remembered state only.
/// </remarks>
public sealed class StateDatabase : IDisposable
{
    /// <summary>The file name of the database inside <see cref="ResolveDirectory"/>.</summary>
    public const string FileName = "state.db";

    /// <summary>How long a writer waits for another process's write transaction before giving up.</summary>
    public static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(10);

    private static readonly Lock InitLock = new();
    private static bool initialized;

    private StateDatabase(string path, SqliteConnection connection)
    {
        Path = path;
        Connection = connection;
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>The open connection (one per instance; not for use from several threads at once).</summary>
    public SqliteConnection Connection { get; }

    /// <summary>
    /// Where the state lives: <c>$LINKSMITH_STATE_DIR</c> if set; else <c>$XDG_STATE_HOME/linksmith</c>
    /// or <c>~/.local/state/linksmith</c> on Linux and macOS; <c>%LOCALAPPDATA%\Linksmith</c> on Windows.
    /// </summary>
    public static string ResolveDirectory()
    {
        if (Environment.GetEnvironmentVariable("LINKSMITH_STATE_DIR") is { Length: > 0 } explicitDirectory)
        {
            return System.IO.Path.GetFullPath(explicitDirectory);
        }

        if (OperatingSystem.IsWindows())
        {
            return System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "Linksmith");
        }

        // XDG Base Directory spec: a relative XDG_STATE_HOME is invalid and must be ignored.
        if (Environment.GetEnvironmentVariable("XDG_STATE_HOME") is { Length: > 0 } stateHome && System.IO.Path.IsPathRooted(stateHome))
        {
            return System.IO.Path.Combine(stateHome, "linksmith");
        }

        return System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state", "linksmith");
    }

    /// <summary>
    /// Opens (creating if needed) the database at <paramref name="path"/>, by default
    /// <c>state.db</c> in <see cref="ResolveDirectory"/>.
    /// </summary>
    /// <exception cref="StateDatabaseException">The database cannot be created, opened or read.</exception>
    public static StateDatabase Open(string? path = null)
    {
        path ??= System.IO.Path.Combine(ResolveDirectory(), FileName);
        EnsureNativeLibrary();
        SqliteConnection? connection = null;
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
            var builder = new SqliteConnectionStringBuilder
            {
                DataSource = path,
                Mode = SqliteOpenMode.ReadWriteCreate,
                // Each process holds one connection for its whole run; pooling would only keep the
                // file open after Dispose.
                Pooling = false,
                DefaultTimeout = (int)BusyTimeout.TotalSeconds,
            };
            connection = new SqliteConnection(builder.ConnectionString);
            connection.Open();
            var database = new StateDatabase(path, connection);
            database.Execute(string.Create(
                CultureInfo.InvariantCulture,
                $"PRAGMA busy_timeout = {(int)BusyTimeout.TotalMilliseconds}; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"));
            database.Execute("CREATE TABLE IF NOT EXISTS schema (feature TEXT PRIMARY KEY, version INTEGER NOT NULL)");
            return database;
        }
        catch (Exception error) when (error is SqliteException or IOException or UnauthorizedAccessException)
        {
            connection?.Dispose();
            throw new StateDatabaseException(path, Describe(error, path), error);
        }
    }

    /// <summary>SQLite's own words, or what System.IO's failure means (never its message, which may be a resource key).</summary>
    private static string Describe(Exception error, string path)
    {
        if (error is SqliteException sqlite)
        {
            return sqlite.Message;
        }

        var folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        return File.Exists(folder) ? $"its folder '{folder}' is a file" : SystemErrors.Translate(error, path).Reason;
    }

    /// <summary>
    /// Makes sure the tables of <paramref name="feature"/> exist at <paramref name="version"/>:
    /// runs <paramref name="createSql"/> (which should use <c>IF NOT EXISTS</c>) when the feature is
    /// new. When another version is recorded, runs <paramref name="dropSql"/> first if given (fit for
    /// caches, whose contents may simply be forgotten), else refuses.
    /// Safe to call from several processes at once.
    /// </summary>
    /// <exception cref="StateDatabaseException">Another version is recorded and no <paramref name="dropSql"/> was given, or SQLite failed.</exception>
    public void EnsureSchema(string feature, int version, string createSql, string? dropSql = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(feature);
        ArgumentException.ThrowIfNullOrEmpty(createSql);
        try
        {
            // BEGIN IMMEDIATE takes the write lock up front, so two processes creating the same
            // feature's tables do not both read "missing" and then race.
            Execute("BEGIN IMMEDIATE");
            try
            {
                using var query = Connection.CreateCommand();
                query.CommandText = "SELECT version FROM schema WHERE feature = $feature";
                query.Parameters.AddWithValue("$feature", feature);
                var recorded = query.ExecuteScalar() is long value ? (int?)value : null;
                if (recorded != version)
                {
                    if (recorded is not null)
                    {
                        if (dropSql is null)
                        {
                            throw new StateDatabaseException(Path, $"the '{feature}' tables were written by another version of Linksmith (schema {recorded}, this one uses {version})");
                        }

                        Execute(dropSql);
                    }

                    Execute(createSql);
                    using var record = Connection.CreateCommand();
                    record.CommandText = "INSERT OR REPLACE INTO schema (feature, version) VALUES ($feature, $version)";
                    record.Parameters.AddWithValue("$feature", feature);
                    record.Parameters.AddWithValue("$version", version);
                    record.ExecuteNonQuery();
                }

                Execute("COMMIT");
            }
            catch
            {
                Execute("ROLLBACK");
                throw;
            }
        }
        catch (SqliteException error)
        {
            throw new StateDatabaseException(Path, error.Message, error);
        }
    }

    /// <summary>Runs SQL that returns nothing.</summary>
    public void Execute(string sql)
    {
        using var command = Connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <inheritdoc/>
    public void Dispose() => Connection.Dispose();

    private static void EnsureNativeLibrary()
    {
        lock (InitLock)
        {
            if (!initialized)
            {
                // Microsoft.Data.Sqlite finds the bundle by reflection, which trimming and NativeAOT
                // can remove; naming it here keeps it and loads libe_sqlite3 from beside the binary.
                SQLitePCL.Batteries_V2.Init();
                initialized = true;
            }
        }
    }
}

/// <summary>The state database could not be created, opened, read or written. No user data is at risk.</summary>
public sealed class StateDatabaseException(string path, string detail, Exception? innerException = null)
    : LinksmithException(
        path,
        $"the state database cannot be used ({detail})",
        "Linksmith keeps only remembered state there; move the file away to start afresh, or set LINKSMITH_STATE_DIR to another folder",
        innerException)
{
}
