namespace Verifier.Service.Audits;

using Quartz;

/// <summary>A spot check: runs one queued audit. Safe to fire twice (AuditRunner claims the audit first).</summary>
public sealed class AuditJob(AuditRunner runner) : IJob
{
    public const string AuditIdKey = "auditId";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        await
        runner.RunAsync(Guid.Parse(context.MergedJobDataMap.GetString(AuditIdKey)!), cancellationToken);
}

/// <summary>A cron fire for a target: creates the audit for this fire time (once, whatever the retries) and runs it.</summary>
public sealed class ScheduledAuditJob(AuditRunner runner) : IJob
{
    public const string TargetIdKey = "targetId";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var targetId = Guid.Parse(context.MergedJobDataMap.GetString(TargetIdKey)!);
        var fire = context.ScheduledFireTimeUtc ?? context.FireTimeUtc;
        var auditId = await runner.CreateScheduledAsync(targetId, fire, cancellationToken);
        if (auditId is { } id) await runner.RunAsync(id, cancellationToken);
    }
}
