namespace Verifier.Storage;

using Microsoft.EntityFrameworkCore;
using Verifier.Core.AuditLog;

/// <summary>
/// Raw-exchange retention: empties the request and response bodies of the exchanges of audits that finished before a
/// cutoff, keeping each exchange row's metadata (sequence, probe, status, timings, usage) and stamping
/// bodies_pruned_at. Evidence and verdicts are untouched, so the verdict digests in the audit log still verify; such an
/// audit can no longer be re-scored (AuditRescoring refuses it). One `exchanges.pruned` log entry per run, with counts.
/// </summary>
public static class ExchangeRetention
{
    public sealed record PruneResult(DateTimeOffset Cutoff, int Audits, int Exchanges, long BytesFreed);

    /// <summary>Body bytes freed are the bodies' logical size; PostgreSQL reuses the space after (auto)vacuum.</summary>
    public static Task<PruneResult> PruneAsync(VerifierDb db, DateTimeOffset finishedBefore, CancellationToken ct = default)
    {
        var cutoff = finishedBefore.ToUniversalTime();
        return db.InTransactionAsync(async token =>
        {
            // Rows locked and measured in the CTE, emptied by the data-modifying CTE of the same statement.
            var rows = await db.Database.SqlQuery<PruneCounts>($"""
                WITH old AS (
                    SELECT e.audit_id, e.seq, octet_length(e.request_body)::bigint + octet_length(e.response_body) AS bytes
                      FROM exchanges e JOIN audits a ON a.id = e.audit_id
                     WHERE a.finished_at < {cutoff} AND e.bodies_pruned_at IS NULL
                       FOR UPDATE OF e),
                emptied AS (
                    UPDATE exchanges e SET request_body = ''::bytea, response_body = ''::bytea, bodies_pruned_at = now()
                      FROM old WHERE e.audit_id = old.audit_id AND e.seq = old.seq
                    RETURNING e.audit_id)
                SELECT (SELECT count(DISTINCT audit_id) FROM emptied)::int AS "Audits", (SELECT count(*) FROM emptied)::int AS "Exchanges",
                       COALESCE((SELECT sum(bytes) FROM old), 0)::bigint AS "Bytes"
                """).ToListAsync(token); // not composed: a data-modifying WITH must stay at the top level
            var counts = rows[0];
            await AuditLogWriter.AppendAsync(db, null, AuditActions.ExchangesPruned, "exchanges", cutoff.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                new { finishedBefore = cutoff, audits = counts.Audits, exchanges = counts.Exchanges, bytesFreed = counts.Bytes }, token);
            return new PruneResult(cutoff, counts.Audits, counts.Exchanges, counts.Bytes);
        }, ct);
    }

    private sealed class PruneCounts
    {
        public int Audits { get; set; }
        public int Exchanges { get; set; }
        public long Bytes { get; set; }
    }
}
