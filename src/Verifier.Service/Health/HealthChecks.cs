namespace Verifier.Service.Health;

using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Verifier.Service.Audits;

/// <summary>
/// Readiness of the database: one `SELECT 1` with a short timeout and no retries, so an outage turns /health/ready
/// into a 503 within seconds instead of hiding behind the retrying execution strategy.
/// </summary>
public sealed class DatabaseHealth(VerifierSettings settings) : IHealthCheck
{
    private readonly string connectionString = new NpgsqlConnectionStringBuilder(settings.ConnectionString) { Timeout = 3, CommandTimeout = 3 }.ConnectionString;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException or OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy($"database unreachable ({e.GetType().Name})");
        }
    }
}

public sealed class SchedulerHealth(Scheduling scheduling) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await scheduling.IsRunningAsync(cancellationToken) ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("scheduler not running");
}
