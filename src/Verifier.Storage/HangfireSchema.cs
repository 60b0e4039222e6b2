namespace Verifier.Storage;

using Hangfire.PostgreSql;
using Npgsql;

/// <summary>
/// Hangfire's tables live in their own schema of the verifier's database. Only `verifier migrate` creates or upgrades
/// them (under an advisory lock, so several nodes migrating at once do not race); servers start with
/// PrepareSchemaIfNecessary off, because two servers installing at once collide (23505).
/// </summary>
public static class HangfireSchema
{
    public const string Name = "hangfire";
    private const long InstallLock = 0x52315F484E47; // "R1_HNG"

    public static async Task InstallAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using (var cmd = new NpgsqlCommand($"SELECT pg_advisory_lock({InstallLock})", connection)) await cmd.ExecuteNonQueryAsync(ct);
        try
        {
            PostgreSqlObjectsInstaller.Install(connection, Name); // skips the versions already applied
        }
        finally
        {
            await using var unlock = new NpgsqlCommand($"SELECT pg_advisory_unlock({InstallLock})", connection);
            await unlock.ExecuteNonQueryAsync(ct);
        }
    }
}
