namespace Verifier.Storage;

using Npgsql;

/// <summary>
/// Applies migrations/*.sql with Evolve (its cluster lock makes concurrent runs from several nodes safe), then installs
/// or upgrades Hangfire's schema (<see cref="HangfireSchema"/>). Creates the database itself when it does not exist.
/// </summary>
public static class Migrator
{
    public static string MigrationsFolder =>
        new[] { Path.Combine(AppContext.BaseDirectory, "migrations") }
            .Concat(Ancestors().Select(d => Path.Combine(d, "migrations")))
            .FirstOrDefault(d => File.Exists(Path.Combine(d, "V1__init.sql")))
        ?? throw new DirectoryNotFoundException("migrations/ folder not found next to the binary or above it.");

    public static async Task MigrateAsync(string connectionString, Action<string> log, CancellationToken ct = default)
    {
        await EnsureDatabaseAsync(connectionString, log, ct);
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            var evolve = new EvolveDb.Evolve(connection, log)
            {
                Locations = [MigrationsFolder],
                IsEraseDisabled = true,
                EnableClusterMode = true,
                MetadataTableName = "schema_changelog",
            };
            evolve.Migrate();
        }
        await HangfireSchema.InstallAsync(connectionString, ct);
        log("schema up to date");
    }

    private static async Task EnsureDatabaseAsync(string connectionString, Action<string> log, CancellationToken ct)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var database = builder.Database ?? throw new ArgumentException("The connection string names no Database.");
        builder.Database = "postgres";
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(ct);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @d", connection);
        exists.Parameters.AddWithValue("d", database);
        if (await exists.ExecuteScalarAsync(ct) is not null) return;
        try
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database.Replace("\"", "\"\"")}\"", connection);
            await create.ExecuteNonQueryAsync(ct);
            log($"created database {database}");
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation) { } // another node won the race
    }

    private static IEnumerable<string> Ancestors()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent) yield return d.FullName;
    }
}
