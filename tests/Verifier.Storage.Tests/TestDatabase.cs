namespace Verifier.Storage.Tests;

using Npgsql;
using Verifier.Storage;

/// <summary>
/// A fresh, migrated PostgreSQL database for one test class, on the server named by VERIFIER_TEST_DB
/// (default: the local instance scripts/pg.sh starts). Dropped afterwards.
/// </summary>
public sealed class TestDatabase : IAsyncLifetime
{
    public static string Server =>
        Environment.GetEnvironmentVariable("VERIFIER_TEST_DB") ?? "Host=127.0.0.1;Port=55432;Username=postgres;Database=postgres";

    public string Name { get; } = "t_" + Guid.NewGuid().ToString("N")[..16];

    public string ConnectionString => new NpgsqlConnectionStringBuilder(Server) { Database = Name, Pooling = true, MaxPoolSize = 40 }.ConnectionString;

    public async Task InitializeAsync() => await Migrator.MigrateAsync(ConnectionString, _ => { });

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var c = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Server) { Database = "postgres" }.ConnectionString);
        await c.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", c);
        await drop.ExecuteNonQueryAsync();
    }

    public async Task<T?> ScalarAsync<T>(string sql)
    {
        await using var c = new NpgsqlConnection(ConnectionString);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, c);
        var value = await cmd.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)value;
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var c = new NpgsqlConnection(ConnectionString);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, c);
        await cmd.ExecuteNonQueryAsync();
    }
}
