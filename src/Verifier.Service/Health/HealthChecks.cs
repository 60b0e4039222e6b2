namespace Verifier.Service.Health;

using Hangfire;
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

/// <summary>
/// Readiness of this node's Hangfire server: registered in the job storage with a heartbeat younger than the server
/// timeout (after which other nodes would drop it). A node with the scheduler disabled only enqueues: always ready.
/// </summary>
public sealed class SchedulerHealth(JobStorage storage, VerifierSettings settings, TimeProvider time) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!settings.SchedulerEnabled) return Task.FromResult(HealthCheckResult.Healthy("job server disabled on this node (enqueue only)"));
        try
        {
            var prefix = JobServer.ServerIdPrefix(settings);
            var alive = storage.GetMonitoringApi().Servers().Any(s =>
                s.Name.StartsWith(prefix, StringComparison.Ordinal) && s.Heartbeat > time.GetUtcNow().UtcDateTime - JobServer.ServerTimeout);
            return Task.FromResult(alive ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("job server not running"));
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"job storage unreachable ({e.GetType().Name})"));
        }
    }
}
