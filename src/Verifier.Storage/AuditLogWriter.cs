namespace Verifier.Storage;

using System.Data;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Verifier.Core.AuditLog;

/// <summary>
/// Appends hash-chained entries inside the caller's transaction. The head row (audit_log_head) is locked FOR UPDATE,
/// gives seq + 1 and the previous hash, and moves forward with a signed checkpoint in the same transaction: appenders
/// across nodes are serialised, seq is gap-free and a deleted tail's numbers are never reused.
/// </summary>
public static class AuditLogWriter
{
    public static async Task AppendAsync(VerifierDb db, Guid? keyId, string action, string entityType, string entityId, object data, CancellationToken ct = default)
    {
        if (db.Database.CurrentTransaction is null) throw new InvalidOperationException("Audit-log entries are appended inside the state change's transaction.");
        var key = db.LogKey ?? throw new InvalidOperationException("No audit-log key: set VERIFIER_ENCRYPTION_KEY (or VERIFIER_AUDIT_LOG_KEY); the log's checkpoint is signed with it.");
        var head = await db.AuditLogHead.FromSql($"SELECT * FROM audit_log_head WHERE id = 1 FOR UPDATE").SingleAsync(ct);
        var entry = new AuditLogEntry(
            head.Seq + 1,
            AuditChain.Normalize(DateTimeOffset.UtcNow),
            keyId, action, entityType, entityId,
            AuditChain.CanonicalJson(JsonSerializer.Serialize(data)));
        var hash = AuditChain.Hash(head.Hash, entry);
        db.AuditLog.Add(new AuditLogRow
        {
            Seq = entry.Seq, At = entry.At, KeyId = keyId, Action = action, EntityType = entityType, EntityId = entityId,
            Data = entry.DataJson, PrevHash = head.Hash, Hash = hash,
        });
        var checkpoint = AuditCheckpoint.Signed(entry.Seq, hash, head.Entries + 1, key);
        (head.Seq, head.Hash, head.Entries, head.Signature, head.At) = (checkpoint.Seq, checkpoint.Hash, checkpoint.Entries, checkpoint.Signature, entry.At);
        await db.SaveChangesAsync(ct);
    }

    public static async Task<AuditLogHeadRow> CheckpointAsync(VerifierDb db, CancellationToken ct = default) =>
        await db.AuditLogHead.AsNoTracking().SingleAsync(ct);

    /// <summary>The chain, its tail against the signed checkpoint and every bound verdict, from one consistent snapshot.</summary>
    public static Task<LogVerification> VerifyAsync(VerifierDb db, CancellationToken ct = default) =>
        db.InTransactionAsync(async token =>
        {
            var head = await db.AuditLogHead.AsNoTracking().SingleAsync(token);
            var rows = await db.AuditLog.AsNoTracking().OrderBy(e => e.Seq).ToListAsync(token);
            var chain = AuditChain.Verify(rows.Select(r => (new AuditLogEntry(r.Seq, r.At, r.KeyId, r.Action, r.EntityType, r.EntityId, r.Data), r.PrevHash, r.Hash)));
            var (tampered, unbound) = await VerdictDigests.CheckAsync(db, rows, token);
            var last = rows.Count == 0 ? null : rows[^1];
            return LogVerifier.Decide(chain, last?.Seq, last?.Hash, new AuditCheckpoint(head.Seq, head.Hash, head.Entries, head.Signature), db.LogKey, tampered, unbound);
        }, ct, IsolationLevel.RepeatableRead);
}
