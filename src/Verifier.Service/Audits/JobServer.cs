namespace Verifier.Service.Audits;

using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Verifier.Service.Auth;
using Verifier.Storage;

/// <summary>
/// Hangfire on the verifier's PostgreSQL: the storage (schema installed by `verifier migrate` only), the client every
/// node has, the job server on nodes with the scheduler enabled, and the dashboard for admins.
/// </summary>
public static class JobServer
{
    /// <summary>How long a silent server stays listed; readiness wants this node's server heard from within it.</summary>
    public static readonly TimeSpan ServerTimeout = TimeSpan.FromMinutes(1);

    /// <summary>Hangfire's id of this process's server: "{server name}:{process id}:{guid}", lower-cased.</summary>
    public static string ServerIdPrefix(VerifierSettings settings) => $"{settings.NodeId}:{Environment.ProcessId}:".ToLowerInvariant();

    public static IServiceCollection AddJobServer(this IServiceCollection services, VerifierSettings settings)
    {
        var options = new PostgreSqlStorageOptions
        {
            SchemaName = HangfireSchema.Name,
            PrepareSchemaIfNecessary = false, // servers installing at once collide; `verifier migrate` installs it
            QueuePollInterval = settings.Jobs.PollInterval,
            InvisibilityTimeout = settings.Jobs.InvisibilityTimeout,
            UseSlidingInvisibilityTimeout = true, // kept alive while running: a long audit is never handed out twice
        };
        // Registered before AddHangfire, whose fallbacks are process-wide statics (JobStorage.Current,
        // JobActivator.Current): several hosts in one process, as in the tests, each keep their own database.
        services.AddSingleton<JobStorage>(new PostgreSqlStorage(new NpgsqlConnectionFactory(settings.ConnectionString, options), options));
        services.AddSingleton<JobActivator>(sp => new AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        services.AddHangfire((sp, c) => c.SetDataCompatibilityLevel(CompatibilityLevel.Version_180).UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings().UseLogProvider(new HangfireLogProvider(sp.GetRequiredService<ILoggerFactory>())));
        services.AddSingleton<Scheduling>();
        services.AddHostedService<ScheduleSync>();
        if (!settings.SchedulerEnabled) return services; // enqueues and schedules, runs nothing
        return services.AddHangfireServer(o =>
        {
            o.ServerName = settings.NodeId;
            o.WorkerCount = settings.Jobs.Workers;
            o.SchedulePollingInterval = settings.Jobs.PollInterval; // recurring fires and retries are seen this soon
            o.HeartbeatInterval = settings.CheckinInterval;
            o.ServerCheckInterval = settings.CheckinInterval * 2;
            o.ServerTimeout = ServerTimeout;
        });
    }

    /// <summary>
    /// /hangfire for admin keys only, through the same authentication and policy as the API (401 without a key, 403
    /// for other roles). The antiforgery check is off: keys travel in a header, never in a cookie, so a cross-site
    /// request carries no credentials.
    /// </summary>
    public static void MapJobDashboard(this WebApplication app) =>
        app.MapHangfireDashboardWithAuthorizationPolicy(Policies.Admin, "/hangfire",
            new DashboardOptions { DashboardTitle = "R1 Verifier jobs", IgnoreAntiforgeryToken = true, AppPath = null },
            app.Services.GetRequiredService<JobStorage>());
}
