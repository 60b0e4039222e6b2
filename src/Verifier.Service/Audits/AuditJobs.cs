namespace Verifier.Service.Audits;

using Hangfire;
using Hangfire.Server;

/// <summary>
/// The Hangfire job bodies: thin calls into <see cref="AuditRunner"/>. Their type and method names are stored with
/// every queued and recurring job, so renaming them strands those jobs. Retries: the runner never throws once it has
/// claimed an audit, and its claim refuses a completed, failed or running audit, so a Hangfire retry can neither run
/// an audit twice nor spend its budget again; re-running an abandoned audit is the reaper's call (MaxAttempts).
/// </summary>
public sealed class AuditJobs(AuditRunner runner, ILogger<AuditJobs> log)
{
    /// <summary>
    /// A spot check. No Hangfire retries: nothing here throws, and a lost run is re-enqueued by the reaper.
    /// </summary>
    [AutomaticRetry(Attempts = 0)]
    public Task RunAsync(Guid auditId, CancellationToken cancellationToken) => runner.RunAsync(auditId, cancellationToken);

    /// <summary>
    /// A fire of a target's schedule: creates the audit of this fire (once, whatever the deliveries) and runs it. Only
    /// creating it can throw (database gone past its retries); a few retries keep the fire from being lost.
    /// </summary>
    [AutomaticRetry(Attempts = 3, DelaysInSeconds = [15, 60, 300])]
    public async Task RunScheduledAsync(Guid targetId, PerformContext? context, CancellationToken cancellationToken)
    {
        using var scope = log.BeginScope("TargetId:{TargetId}", targetId); // the runner adds AuditId
        var auditId = await runner.CreateScheduledAsync(targetId, FireTime(context!), cancellationToken);
        if (auditId is { } id) await runner.RunAsync(id, cancellationToken);
    }

    /// <summary>
    /// The fire this job belongs to: the "Time" parameter Hangfire's recurring-job scheduler writes into the job it
    /// triggers (the slot, to the second, or when a missed slot was caught up), stored with the job, so every retry
    /// and every re-delivery after a node died sees the same value and finds the same audit. Deriving the slot from
    /// the cron instead would change meaning when the schedule is edited between the fire and a retry.
    /// </summary>
    public static DateTimeOffset FireTime(PerformContext context) =>
        context.GetJobParameter<long?>("Time") is { } seconds ? DateTimeOffset.FromUnixTimeSeconds(seconds)
        : new DateTimeOffset(DateTime.SpecifyKind(context.BackgroundJob.CreatedAt, DateTimeKind.Utc));
}
