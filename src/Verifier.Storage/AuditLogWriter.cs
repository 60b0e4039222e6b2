namespace Verifier.Storage;

using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Verifier.Core.AuditLog;

/// <summary>
/// Appends hash-chained entries inside the caller's transaction. A transaction-scoped advisory lock serialises
/// appenders across nodes, so seq is gap-free and each entry links to the one before it.
/// </summary>
public static class AuditLogWriter
{
    private const long LockKey = 0x52315F4C4F47; // "R1_LOG"

    public static async Task AppendAsync(VerifierDb db, Guid? keyId, string action, string entityType, string entityId, object data, CancellationToken ct = default)
    {
        if (db.Database.CurrentTransaction is null) throw new InvalidOperationException("Audit-log entries are appended inside the state change's transaction.");
        await db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock({0})", [LockKey], ct);
        var last = await db.AuditLog.AsNoTracking().OrderByDescending(e => e.Seq).Select(e => new { e.Seq, e.Hash }).FirstOrDefaultAsync(ct);
        var entry = new AuditLogEntry(
            (last?.Seq ?? 0) + 1,
            AuditChain.Normalize(DateTimeOffset.UtcNow),
            keyId, action, entityType, entityId,
            AuditChain.CanonicalJson(JsonSerializer.Serialize(data)));
        var prev = last?.Hash ?? AuditChain.Genesis;
        db.AuditLog.Add(new AuditLogRow
        {
            Seq = entry.Seq, At = entry.At, KeyId = keyId, Action = action, EntityType = entityType, EntityId = entityId,
            Data = entry.DataJson, PrevHash = prev, Hash = AuditChain.Hash(prev, entry),
        });
        await db.SaveChangesAsync(ct);
    }

    public static async Task<ChainVerification> VerifyAsync(VerifierDb db, CancellationToken ct = default)
    {
        var rows = await db.AuditLog.AsNoTracking().OrderBy(e => e.Seq).ToListAsync(ct);
        return AuditChain.Verify(rows.Select(r => (new AuditLogEntry(r.Seq, r.At, r.KeyId, r.Action, r.EntityType, r.EntityId, r.Data), r.PrevHash, r.Hash)));
    }
}
