namespace Verifier.Core.AuditLog;

/// <summary>The actions the audit log records (its `action` column); part of each entry's hash, so never renamed.</summary>
public static class AuditActions
{
    public const string AuditRequested = "audit.requested", AuditStarted = "audit.started", AuditCompleted = "audit.completed",
        AuditFailed = "audit.failed", AuditRequeued = "audit.requeued", VerdictStored = "verdict.stored",
        TargetCreated = "target.created", TargetUpdated = "target.updated", TargetDeleted = "target.deleted",
        ScheduleSet = "schedule.set", ScheduleRemoved = "schedule.removed", KeyCreated = "key.created", KeyRevoked = "key.revoked",
        ExchangesPruned = "exchanges.pruned",
        WebhookCreated = "webhook.created", WebhookUpdated = "webhook.updated", WebhookDeleted = "webhook.deleted", WebhookTested = "webhook.tested",
        LightScheduleSet = "light_schedule.set", LightScheduleRemoved = "light_schedule.removed",
        SlaThresholdsSet = "sla_thresholds.set", SlaThresholdsRemoved = "sla_thresholds.removed";

    public const string AuditCancelRequested = "audit.cancel-requested", AuditCancelled = "audit.cancelled";
}
