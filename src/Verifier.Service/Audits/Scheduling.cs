namespace Verifier.Service.Audits;

using Quartz;

/// <summary>Quartz jobs of the verifier: one durable cron job per scheduled target, one recoverable one-off job per spot check.</summary>
public sealed class Scheduling(ISchedulerFactory factory)
{
    public static JobKey AuditJobKey(Guid auditId) => new($"audit-{auditId}", "audits");
    public static JobKey ScheduleJobKey(Guid targetId) => new($"schedule-{targetId}", "schedules");
    private static TriggerKey ScheduleTriggerKey(Guid targetId) => new($"schedule-{targetId}", "schedules");

    public async Task EnqueueAuditAsync(Guid auditId, CancellationToken ct)
    {
        var scheduler = await factory.GetScheduler(ct);
        if (await scheduler.Exists(AuditJobKey(auditId), ct)) return; // enqueued already: idempotent
        var job = JobBuilder.Create<AuditJob>().WithIdentity(AuditJobKey(auditId))
            .UsingJobData(AuditJob.AuditIdKey, auditId.ToString())
            .RequestRecovery() // a node that dies mid-audit leaves the job to another node
            .Build();
        var trigger = TriggerBuilder.Create(scheduler.TimeProvider).WithIdentity($"audit-{auditId}", "audits").StartNow()
            .WithSimpleSchedule(s => s.WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow)).Build();
        await scheduler.ScheduleJob(job, trigger, default, ct);
    }

    public async Task ScheduleTargetAsync(Guid targetId, string cron, CancellationToken ct)
    {
        var scheduler = await factory.GetScheduler(ct);
        var job = JobBuilder.Create<ScheduledAuditJob>().WithIdentity(ScheduleJobKey(targetId))
            .UsingJobData(ScheduledAuditJob.TargetIdKey, targetId.ToString()).StoreDurably().RequestRecovery().Build();
        var trigger = TriggerBuilder.Create(scheduler.TimeProvider).WithIdentity(ScheduleTriggerKey(targetId)).ForJob(job)
            .WithCronSchedule(cron, c => c.WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed).InTimeZone(TimeZoneInfo.Utc)).Build();
        await scheduler.DeleteJob(job.Key, ct);
        await scheduler.ScheduleJob(job, [trigger], default, ct);
    }

    public async Task UnscheduleAsync(Guid targetId, CancellationToken ct)
    {
        var scheduler = await factory.GetScheduler(ct);
        await scheduler.DeleteJob(ScheduleJobKey(targetId), ct);
    }

    public async Task<DateTimeOffset?> NextFireAsync(Guid targetId, CancellationToken ct)
    {
        var scheduler = await factory.GetScheduler(ct);
        var trigger = await scheduler.GetTrigger(ScheduleTriggerKey(targetId), ct);
        return trigger?.NextFireTimeUtc;
    }

    public async Task<bool> IsRunningAsync(CancellationToken ct) =>
        (await factory.GetScheduler(ct)).Status == SchedulerStatus.Running;
}
