namespace Verifier.Core.AuditLog;

/// <summary>One audit-log entry. Data is a JSON object; its canonical form (sorted keys, no spaces) is what gets hashed.</summary>
public sealed record AuditLogEntry(long Seq, DateTimeOffset At, Guid? KeyId, string Action, string EntityType, string EntityId, string DataJson);
