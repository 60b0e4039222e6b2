namespace Verifier.Service.Audits;

using Hangfire;
using Hangfire.Storage;

/// <summary>
/// Hangfire jobs of the verifier: one recurring job per scheduled target (id `schedule-{targetId}`, stable so a PUT
/// replaces it), one fire-and-forget job per spot check. Hangfire delivers at least once; the runner's claim makes
/// every extra delivery a no-op.
/// </summary>
public sealed class Scheduling(IBackgroundJobClient jobs, IRecurringJobManager recurring, JobStorage storage)
{
    public static string ScheduleJobId(Guid targetId) => $"schedule-{targetId}";

    /// <summary>Enqueues a run of the audit; returns Hangfire's job id.</summary>
    public string EnqueueAudit(Guid auditId) =>
        jobs.Enqueue<AuditJobs>(j => j.RunAsync(auditId, CancellationToken.None));

    /// <summary>Creates or replaces the target's recurring job. Missed fires (every node down) run once when a node is back.</summary>
    public void ScheduleTarget(Guid targetId, string cron, TimeZoneInfo zone) =>
        recurring.AddOrUpdate<AuditJobs>(ScheduleJobId(targetId), j => j.RunScheduledAsync(targetId, null, CancellationToken.None), cron,
            new RecurringJobOptions { TimeZone = zone, MisfireHandling = MisfireHandlingMode.Relaxed });

    public void Unschedule(Guid targetId) => recurring.RemoveIfExists(ScheduleJobId(targetId));

    public static string LightJobId(Guid targetId) => $"light-{targetId}";

    /// <summary>Creates or replaces the target's light-check recurring job (its own cron, next to the full schedule's).</summary>
    public void ScheduleLight(Guid targetId, string cron, TimeZoneInfo zone) =>
        recurring.AddOrUpdate<AuditJobs>(LightJobId(targetId), j => j.RunLightAsync(targetId, null, CancellationToken.None), cron,
            new RecurringJobOptions { TimeZone = zone, MisfireHandling = MisfireHandlingMode.Relaxed });

    public void UnscheduleLight(Guid targetId) => recurring.RemoveIfExists(LightJobId(targetId));

    /// <summary>Next fire (UTC) of each target's recurring job, as Hangfire stored it; absent when it has none.</summary>
    public Dictionary<Guid, DateTimeOffset?> NextFires(IReadOnlyCollection<Guid> targetIds, bool light = false)
    {
        if (targetIds.Count == 0) return [];
        using var connection = storage.GetConnection();
        var ids = targetIds.ToDictionary(light ? LightJobId : (Func<Guid, string>)ScheduleJobId);
        return connection.GetRecurringJobs(ids.Keys)
            .Where(j => j.NextExecution is not null && !j.Removed)
            .ToDictionary(j => ids[j.Id], j => (DateTimeOffset?)new DateTimeOffset(DateTime.SpecifyKind(j.NextExecution!.Value, DateTimeKind.Utc)));
    }
}
