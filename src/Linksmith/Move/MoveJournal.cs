using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace Linksmith;

/// <summary>Where one step of a journaled move stands.</summary>
internal enum StepState
{
    Pending,
    Started,
    Done,
    Undone,
}

/// <summary>One step of a move as the journal holds it.</summary>
internal sealed class JournalStep(int sequence, MoveStepKind kind, string path, string? source, string? detail)
{
    public int Sequence { get; } = sequence;

    public MoveStepKind Kind { get; } = kind;

    public string Path { get; } = path;

    public string? Source { get; } = source;

    public string? Detail { get; } = detail;

    public StepState State { get; set; }

    public MoveStep ToPublic() => new(Kind, Path, Source, Detail);
}

/// <summary>A whole move as the journal holds it: what it is and every step, planned up front.</summary>
internal sealed class JournalMove
{
    public required string Id { get; init; }

    public required MoveDirection Direction { get; init; }

    public required MoveMode Mode { get; init; }

    public required string SourcePath { get; init; }

    public required string DestinationPath { get; init; }

    public required LeaveBehind Leave { get; init; }

    public MoveState State { get; set; }

    public DateTime StartedAt { get; init; }

    public DateTime? FinishedAt { get; set; }

    public required List<JournalStep> Steps { get; init; }

    /// <summary>The public result of this move so far: its record, steps and copy summary.</summary>
    public MoveResult ToResult(TreeSummary summary, bool resumed) => new()
    {
        Id = Id,
        Direction = Direction,
        Mode = Mode,
        SourcePath = SourcePath,
        DestinationPath = DestinationPath,
        Leave = Leave,
        State = State,
        StartedAt = StartedAt,
        FinishedAt = FinishedAt,
        Steps = Steps.Select(static s => s.ToPublic()).ToList(),
        Summary = summary,
        Resumed = resumed,
    };

    public MoveRecord ToRecord() => new()
    {
        Id = Id,
        Direction = Direction,
        Mode = Mode,
        SourcePath = SourcePath,
        DestinationPath = DestinationPath,
        Leave = Leave,
        State = State,
        StartedAt = StartedAt,
        FinishedAt = FinishedAt,
    };
}

/// <summary>
/// The move journal: every move and each of its steps in the state database, each step recorded
/// before it is taken, so an interrupted move can be finished or rolled back.
/// </summary>
/// <remarks>
/// Next to <c>state.db</c>, each unfinished move has a lock file <c>move-ID.lock</c>, held (flock,
/// or a share lock on Windows) by the process that runs it. The file outlives a crash, so other
/// commands learn that a move is pending from one directory listing, without opening SQLite, and
/// a lock that can be taken tells an interrupted move from one that is running.
/// Every file in the state folder is reached through one open handle of it
/// (<see cref="StateDirectory"/>): a new move's lock file is created with <c>O_CREAT | O_EXCL |
/// O_NOFOLLOW</c>, an interrupted move's is reopened with <c>O_NOFOLLOW</c>, and a link planted at
/// any of those names or the database's is refused, never followed.
/// Paths are stored as UTF-16 blobs: names that are not valid UTF-8 (kept as lone surrogates) would
/// not survive SQLite's TEXT.
/// </remarks>
internal sealed class MoveJournal : IDisposable
{
    private const string Feature = "move-journal";
    private const int Version = 1;
    private const string LockPrefix = "move-";
    private const string LockSuffix = ".lock";

    private const string CreateSql = """
        CREATE TABLE IF NOT EXISTS move (
            id TEXT PRIMARY KEY,
            direction TEXT NOT NULL,
            mode TEXT NOT NULL,
            source BLOB NOT NULL,
            destination BLOB NOT NULL,
            leave TEXT NOT NULL,
            state TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT
        );
        CREATE TABLE IF NOT EXISTS move_step (
            move_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            kind TEXT NOT NULL,
            path BLOB NOT NULL,
            source BLOB,
            detail TEXT,
            state TEXT NOT NULL,
            PRIMARY KEY (move_id, seq)
        ) WITHOUT ROWID;
        """;

    private readonly StateDatabase database;
    private readonly StateDirectory directory;

    private MoveJournal(StateDatabase database, StateDirectory directory)
    {
        this.database = database;
        this.directory = directory;
    }

    public static MoveJournal Open(string? stateDirectory)
    {
        var directory = StateDirectory.Open(Path.GetFullPath(stateDirectory ?? StateDatabase.ResolveDirectory()));
        StateDatabase? database = null;
        try
        {
            directory.PrepareDatabase(StateDatabase.FileName);
            database = StateDatabase.Open(directory.FullPath(StateDatabase.FileName));
            database.EnsureSchema(Feature, Version, CreateSql);
            // The journal must survive a power cut once a step is recorded, or the step it announces
            // could happen without a trace: every commit reaches the disk (per connection only).
            database.Execute("PRAGMA synchronous = FULL");
            return new MoveJournal(database, directory);
        }
        catch
        {
            database?.Dispose();
            directory.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Whether a move was interrupted: a lock file that nobody holds. Cheap: one directory listing,
    /// and an open only for each lock file found (there are none unless a move is pending).
    /// </summary>
    public static bool HasInterrupted(string? stateDirectory)
    {
        // A warning check must never stop a command: whatever cannot be opened is passed over.
        try
        {
            using var directory = StateDirectory.OpenExisting(stateDirectory ?? StateDatabase.ResolveDirectory());
            foreach (var name in directory?.ListNames().Where(IsLockName) ?? [])
            {
                try
                {
                    using var held = directory!.TryLock(name, LockOpening.OpenExisting);
                    if (held is not null)
                    {
                        return true;
                    }
                }
                catch (StateDatabaseException)
                {
                    // Gone since the listing (its move just finished), or not a lock file (refused).
                }
            }
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
        }

        return false;
    }

    public static string NewId() => Convert.ToHexStringLower(Guid.NewGuid().ToByteArray().AsSpan(0, 8));

    /// <summary>Creates (a new file, never through a link) and holds the lock file of a new move.</summary>
    public IDisposable LockNew(string id) =>
        directory.TryLock(LockName(id), LockOpening.CreateNew)
        ?? throw new StateDatabaseException(directory.FullPath(LockName(id)), "the lock file of a new move is held by another process");

    /// <summary>The lock of an interrupted move (created anew if it went missing), or null while another process runs it.</summary>
    public IDisposable? TryLock(string id)
    {
        try
        {
            return directory.TryLock(LockName(id), LockOpening.OpenExisting);
        }
        catch (StateDatabaseException error) when (error.InnerException is TargetNotFoundException)
        {
            // Gone (a crash before the file was written, or a tidy-up): made anew below.
        }

        try
        {
            return directory.TryLock(LockName(id), LockOpening.CreateNew);
        }
        catch (StateDatabaseException error) when (error.InnerException is LinkNameExistsException { ExistingKind: LinkKind.File })
        {
            // Another process made it in between (a resume of its own): take it as it is.
            return directory.TryLock(LockName(id), LockOpening.OpenExisting);
        }
    }

    /// <summary>Ends a move's lock: the file goes, so other commands stop warning.</summary>
    public void Release(string id, IDisposable held)
    {
        // Deleted while still held, so that no other process can take the lock of a finished move in between.
        try
        {
            directory.Remove(LockName(id));
        }
        catch (StateDatabaseException)
        {
            // Windows keeps a held file; it is deleted after closing below.
        }

        held.Dispose();
        try
        {
            directory.Remove(LockName(id));
        }
        catch (StateDatabaseException)
        {
        }
    }

    /// <summary>The moves that are running or were interrupted: those with a lock file, and those the database calls unfinished.</summary>
    public IReadOnlyList<string> PendingIds()
    {
        var ids = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var name in directory.ListNames().Where(IsLockName))
        {
            ids.Add(name[LockPrefix.Length..^LockSuffix.Length]);
        }

        foreach (var move in Query("WHERE state IN ('Running', 'RollingBack')", null, withSteps: false))
        {
            ids.Add(move.Id);
        }

        return [.. ids];
    }

    public void Insert(JournalMove move)
    {
        Transaction(() =>
        {
            using var command = database.Connection.CreateCommand();
            command.CommandText = """
                INSERT INTO move (id, direction, mode, source, destination, leave, state, started_at)
                VALUES ($id, $direction, $mode, $source, $destination, $leave, $state, $started)
                """;
            command.Parameters.AddWithValue("$id", move.Id);
            command.Parameters.AddWithValue("$direction", move.Direction.ToString());
            command.Parameters.AddWithValue("$mode", move.Mode.ToString());
            command.Parameters.AddWithValue("$source", ToBlob(move.SourcePath));
            command.Parameters.AddWithValue("$destination", ToBlob(move.DestinationPath));
            command.Parameters.AddWithValue("$leave", move.Leave.ToString());
            command.Parameters.AddWithValue("$state", move.State.ToString());
            command.Parameters.AddWithValue("$started", move.StartedAt.ToString("O", CultureInfo.InvariantCulture));
            command.ExecuteNonQuery();
            foreach (var step in move.Steps)
            {
                using var insert = database.Connection.CreateCommand();
                insert.CommandText = """
                    INSERT INTO move_step (move_id, seq, kind, path, source, detail, state)
                    VALUES ($id, $seq, $kind, $path, $source, $detail, $state)
                    """;
                insert.Parameters.AddWithValue("$id", move.Id);
                insert.Parameters.AddWithValue("$seq", step.Sequence);
                insert.Parameters.AddWithValue("$kind", step.Kind.ToString());
                insert.Parameters.AddWithValue("$path", ToBlob(step.Path));
                insert.Parameters.AddWithValue("$source", step.Source is null ? DBNull.Value : ToBlob(step.Source));
                insert.Parameters.AddWithValue("$detail", (object?)step.Detail ?? DBNull.Value);
                insert.Parameters.AddWithValue("$state", step.State.ToString());
                insert.ExecuteNonQuery();
            }
        });
    }

    /// <summary>Records step states (several in one commit: one disk flush).</summary>
    public void SetSteps(JournalMove move, params ReadOnlySpan<(JournalStep Step, StepState State)> changes)
    {
        var list = changes.ToArray();
        Transaction(() =>
        {
            foreach (var (step, state) in list)
            {
                using var command = database.Connection.CreateCommand();
                command.CommandText = "UPDATE move_step SET state = $state WHERE move_id = $id AND seq = $seq";
                command.Parameters.AddWithValue("$state", state.ToString());
                command.Parameters.AddWithValue("$id", move.Id);
                command.Parameters.AddWithValue("$seq", step.Sequence);
                command.ExecuteNonQuery();
            }
        });
        foreach (var (step, state) in list)
        {
            step.State = state;
        }
    }

    public void SetState(JournalMove move, MoveState state)
    {
        DateTime? finished = state is MoveState.Done or MoveState.RolledBack ? DateTime.UtcNow : null;
        Transaction(() =>
        {
            using var command = database.Connection.CreateCommand();
            command.CommandText = "UPDATE move SET state = $state, finished_at = $finished WHERE id = $id";
            command.Parameters.AddWithValue("$state", state.ToString());
            command.Parameters.AddWithValue("$finished", finished is { } f ? f.ToString("O", CultureInfo.InvariantCulture) : DBNull.Value);
            command.Parameters.AddWithValue("$id", move.Id);
            command.ExecuteNonQuery();
        });
        move.State = state;
        move.FinishedAt = finished;
    }

    public JournalMove? Load(string id) => Query("WHERE id = $id", id).FirstOrDefault();

    /// <summary>Every move, oldest first, without steps.</summary>
    public IReadOnlyList<MoveRecord> List() => Query(string.Empty, null, withSteps: false).Select(static m => m.ToRecord()).ToList();

    /// <summary>The latest finished move away from <paramref name="sourcePath"/>: what a move back undoes.</summary>
    public JournalMove? FindMoveAway(string sourcePath) =>
        Query("WHERE direction = 'Away' AND state = 'Done'", null, withSteps: false)
            .LastOrDefault(m => string.Equals(m.SourcePath, sourcePath, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal));

    public void Dispose()
    {
        database.Dispose();
        directory.Dispose();
    }

    private List<JournalMove> Query(string where, string? id, bool withSteps = true)
    {
        var moves = new List<JournalMove>();
        using (var command = database.Connection.CreateCommand())
        {
            command.CommandText = $"SELECT id, direction, mode, source, destination, leave, state, started_at, finished_at FROM move {where} ORDER BY started_at, id";
            if (id is not null)
            {
                command.Parameters.AddWithValue("$id", id);
            }

            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                moves.Add(new JournalMove
                {
                    Id = reader.GetString(0),
                    Direction = Enum.Parse<MoveDirection>(reader.GetString(1)),
                    Mode = Enum.Parse<MoveMode>(reader.GetString(2)),
                    SourcePath = FromBlob((byte[])reader.GetValue(3)),
                    DestinationPath = FromBlob((byte[])reader.GetValue(4)),
                    Leave = Enum.Parse<LeaveBehind>(reader.GetString(5)),
                    State = Enum.Parse<MoveState>(reader.GetString(6)),
                    StartedAt = DateTime.Parse(reader.GetString(7), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
                    FinishedAt = reader.IsDBNull(8) ? null : DateTime.Parse(reader.GetString(8), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
                    Steps = [],
                });
            }
        }

        if (withSteps)
        {
            foreach (var move in moves)
            {
                LoadSteps(move);
            }
        }

        return moves;
    }

    private void LoadSteps(JournalMove move)
    {
        using var command = database.Connection.CreateCommand();
        command.CommandText = "SELECT seq, kind, path, source, detail, state FROM move_step WHERE move_id = $id ORDER BY seq";
        command.Parameters.AddWithValue("$id", move.Id);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            move.Steps.Add(new JournalStep(
                reader.GetInt32(0),
                Enum.Parse<MoveStepKind>(reader.GetString(1)),
                FromBlob((byte[])reader.GetValue(2)),
                reader.IsDBNull(3) ? null : FromBlob((byte[])reader.GetValue(3)),
                reader.IsDBNull(4) ? null : reader.GetString(4))
            {
                State = Enum.Parse<StepState>(reader.GetString(5)),
            });
        }
    }

    private void Transaction(Action body)
    {
        try
        {
            database.Execute("BEGIN IMMEDIATE");
            try
            {
                body();
                database.Execute("COMMIT");
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

    private static string LockName(string id) => LockPrefix + id + LockSuffix;

    private static bool IsLockName(string name) =>
        name.Length > LockPrefix.Length + LockSuffix.Length
        && name.StartsWith(LockPrefix, StringComparison.Ordinal)
        && name.EndsWith(LockSuffix, StringComparison.Ordinal);

    private static byte[] ToBlob(string path) => MemoryMarshal.AsBytes(path.AsSpan()).ToArray();

    private static string FromBlob(byte[] blob) => new(MemoryMarshal.Cast<byte, char>(blob));
}
