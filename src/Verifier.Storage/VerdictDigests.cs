namespace Verifier.Storage;

using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Verifier.Core.AuditLog;

/// <summary>
/// Binds stored verdicts into the audit log: the `verdict.stored` entry carries sha256 over the verdict row and its
/// evidence rows as read back from PostgreSQL, and verification recomputes it from the tables.
/// </summary>
public static class VerdictDigests
{
    public const string DataField = "verdictDigest";

    /// <summary>The digest of what is stored now for one audit (call after saving, inside the same transaction).</summary>
    public static async Task<string> ComputeAsync(VerifierDb db, Guid auditId, CancellationToken ct)
    {
        var verdict = await db.Verdicts.AsNoTracking().SingleAsync(v => v.AuditId == auditId, ct);
        var evidence = await db.Evidence.AsNoTracking().Where(e => e.AuditId == auditId).OrderBy(e => e.Ordinal).ToListAsync(ct);
        return Digest(verdict, evidence);
    }

    /// <summary>Audits whose stored verdict or evidence no longer matches its entry, and verdicts no entry binds.</summary>
    public static async Task<(List<string> Tampered, List<string> Unbound)> CheckAsync(VerifierDb db, IReadOnlyList<AuditLogRow> log, CancellationToken ct)
    {
        var bound = new Dictionary<string, string?>(); // audit id -> digest (null: entry written before digests existed)
        foreach (var row in log.Where(r => r.Action == AuditActions.VerdictStored))
        {
            using var data = JsonDocument.Parse(row.Data);
            bound[row.EntityId] = data.RootElement.TryGetProperty(DataField, out var d) ? d.GetString() : null;
        }
        var verdicts = await db.Verdicts.AsNoTracking().ToDictionaryAsync(v => v.AuditId.ToString(), ct);
        var evidence = (await db.Evidence.AsNoTracking().ToListAsync(ct)).ToLookup(e => e.AuditId.ToString());
        var tampered = bound.Where(b => b.Value is not null
                && (!verdicts.TryGetValue(b.Key, out var v) || Digest(v, evidence[b.Key].OrderBy(e => e.Ordinal)) != b.Value))
            .Select(b => b.Key).ToList();
        var unbound = verdicts.Keys.Where(id => !bound.ContainsKey(id)).ToList();
        return (tampered, unbound);
    }

    private static string Digest(VerdictRow v, IEnumerable<EvidenceRow> evidence)
    {
        var fields = new List<object?>
        {
            v.AuditId.ToString("D"), v.Kind, v.ClaimedVariant, v.MostLikely, v.ClaimPosterior, AuditChain.CanonicalJson(v.Posterior),
            v.DesignedFalseAccusationRate, v.Summary, AuditChain.CanonicalJson(v.Result),
        };
        foreach (var e in evidence)
            fields.Add(new object?[] { e.Ordinal, e.ProbeId, e.Category, e.Tier, e.OutcomeKey, e.Weighing, e.Observed, e.ExchangeSeqs, AuditChain.CanonicalJson(e.LogLikelihoods) });
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(fields))));
    }
}
