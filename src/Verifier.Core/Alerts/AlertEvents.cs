namespace Verifier.Core.Alerts;

/// <summary>The event types a webhook can subscribe to (its `events` list); part of every delivery's body and X-Verifier-Event.</summary>
public static class AlertEventTypes
{
    public const string VerdictChanged = "verdict.changed", MismatchFound = "mismatch.found",
        AuditFailedRepeatedly = "audit.failed_repeatedly", SlaBreached = "sla.breached", Test = "test";

    public static IReadOnlyList<string> All { get; } = [VerdictChanged, MismatchFound, AuditFailedRepeatedly, SlaBreached, Test];
}

/// <summary>
/// One thing worth telling a receiver. Id is deterministic (type + the audit that caused it), so deciding twice for the
/// same audit (a retried save, a re-delivered job) yields the same id and the outbox's unique key keeps one delivery.
/// </summary>
public sealed record AlertEvent(string Id, string Type, Guid TargetId, Guid? AuditId, DateTimeOffset At, IReadOnlyDictionary<string, object?> Data)
{
    public static AlertEvent ForAudit(string type, Guid targetId, Guid auditId, DateTimeOffset at, IReadOnlyDictionary<string, object?> data) =>
        new($"{type}:{auditId}", type, targetId, auditId, at, data);
}
