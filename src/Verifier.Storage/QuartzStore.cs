namespace Verifier.Storage;

using Microsoft.Extensions.DependencyInjection;
using Quartz;

/// <summary>Quartz's clustered persistent store on the verifier's own PostgreSQL; one place so migrate and serve agree.</summary>
public static class QuartzStore
{
    public const string SchedulerName = "r1-verifier";

    public static IServiceCollection AddVerifierQuartz(this IServiceCollection services, string connectionString, string instanceId, TimeSpan checkinInterval, bool provision, Action<IQuartzBuilder>? configure = null)
    {
        services.AddQuartz(q =>
        {
            q.ConfigureScheduler(o =>
            {
                o.InstanceName = SchedulerName;
                o.InstanceId = instanceId;
                o.IdleWaitTime = TimeSpan.FromSeconds(1);
            });
            q.UseDefaultThreadPool(4);
            q.UsePersistentStore(s =>
            {
                s.UsePostgres(connectionString);
                s.UseSystemTextJsonSerializer();
                s.UseClustering(c => { c.CheckinInterval = checkinInterval; c.CheckinMisfireThreshold = checkinInterval * 2; });
                s.ConfigureStore(o => o.DbRetryInterval = checkinInterval); // back on its feet within a check-in after an outage (default 15 s)
                if (provision) s.ProvisionSchema();
            });
            configure?.Invoke(q);
        });
        return services;
    }
}
