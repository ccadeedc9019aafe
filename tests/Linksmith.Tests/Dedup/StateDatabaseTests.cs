namespace Linksmith.Tests.Dedup;

public sealed class StateDatabaseTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Each_feature_creates_its_tables_once_and_the_version_is_recorded()
    {
        var path = temp["state.db"];
        using (var database = StateDatabase.Open(path))
        {
            database.EnsureSchema("picks", 1, "CREATE TABLE IF NOT EXISTS picks (path TEXT PRIMARY KEY)");
            database.Execute("INSERT INTO picks VALUES ('/a')");
        }

        using var reopened = StateDatabase.Open(path);
        reopened.EnsureSchema("picks", 1, "CREATE TABLE IF NOT EXISTS picks (path TEXT PRIMARY KEY)");
        using var command = reopened.Connection.CreateCommand();
        command.CommandText = "SELECT (SELECT count(*) FROM picks), (SELECT version FROM schema WHERE feature = 'picks'), (SELECT journal_mode FROM pragma_journal_mode)";
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        Assert.Equal(1, reader.GetInt64(0));
        Assert.Equal(1, reader.GetInt64(1));
        Assert.Equal("wal", reader.GetString(2));
    }

    [Fact]
    public void A_new_version_drops_a_cache_but_refuses_to_drop_tables_without_a_drop_statement()
    {
        var path = temp["state.db"];
        using var database = StateDatabase.Open(path);
        database.EnsureSchema("cache", 1, "CREATE TABLE IF NOT EXISTS cache_v (x INTEGER)");
        database.Execute("INSERT INTO cache_v VALUES (1)");

        database.EnsureSchema("cache", 2, "CREATE TABLE IF NOT EXISTS cache_v (x INTEGER, y INTEGER)", "DROP TABLE IF EXISTS cache_v");
        Assert.Throws<StateDatabaseException>(() => database.EnsureSchema("cache", 3, "CREATE TABLE IF NOT EXISTS cache_v (z INTEGER)"));

        using var command = database.Connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM cache_v";
        Assert.Equal(0L, command.ExecuteScalar());
    }
}
