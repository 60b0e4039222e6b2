namespace Verifier.Storage;

using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Quartz;

/// <summary>
/// Applies migrations/*.sql with Evolve (its cluster lock makes concurrent runs from several nodes safe), then lets
/// Quartz provision its own tables under an advisory lock. Creates the database itself when it does not exist.
/// </summary>
public static class Migrator
{
    private const long QuartzLock = 0x52315F515254; // "R1_QRT"

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
        await ProvisionQuartzAsync(connectionString, ct);
        log("schema up to date");
    }

    private static async Task ProvisionQuartzAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using (var cmd = new NpgsqlCommand($"SELECT pg_advisory_lock({QuartzLock})", connection)) await cmd.ExecuteNonQueryAsync(ct);
        try
        {
            var services = new ServiceCollection();
            services.AddVerifierQuartz(connectionString, "migrate-" + Guid.NewGuid().ToString("N"), TimeSpan.FromSeconds(5), provision: true);
            await using var provider = services.BuildServiceProvider();
            var scheduler = await provider.GetRequiredService<ISchedulerFactory>().GetScheduler(ct);
            await scheduler.Shutdown(false, ct);
        }
        finally
        {
            await using var unlock = new NpgsqlCommand($"SELECT pg_advisory_unlock({QuartzLock})", connection);
            await unlock.ExecuteNonQueryAsync(ct);
        }
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
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase) { } // another node won the race
    }

    private static IEnumerable<string> Ancestors()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent) yield return d.FullName;
    }
}
