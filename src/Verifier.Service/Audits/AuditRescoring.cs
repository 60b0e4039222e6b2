namespace Verifier.Service.Audits;

using Verifier.Core;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Verifier.Core.Audits;
using Verifier.Core.Catalog;
using Verifier.Core.Probes.Suite;
using Verifier.Core.References;
using Verifier.Storage;
using Verifier.Targets.Http;

/// <summary>
/// Re-scores a stored audit from its raw exchanges: probe instances regenerated from (generator, seed), replies
/// re-parsed from the stored bytes, the same reference runs. An audit is reproducible when the verdict comes out
/// identical. An audit whose bodies retention pruned (exchanges.bodies_pruned_at) is refused, never re-scored from empty replies.
/// </summary>
public static class AuditRescoring
{
    public sealed record Comparison(AuditResult Stored, AuditResult Rescored, bool Identical);

    public static async Task<Comparison> RescoreAsync(VerifierDb db, Guid auditId, CancellationToken ct = default)
    {
        var audit = await db.Audits.AsNoTracking().FirstOrDefaultAsync(a => a.Id == auditId, ct) ?? throw new KeyNotFoundException($"No audit {auditId}.");
        var stored = await AuditResults.LoadAsync(db, auditId, ct) ?? throw new InvalidOperationException($"Audit {auditId} is {StoredNames.Of(audit.Status)}: only completed audits can be re-scored.");
        var pruned = await db.Exchanges.AsNoTracking().Where(e => e.AuditId == auditId && e.BodiesPrunedAt != null).MinAsync(e => e.BodiesPrunedAt, ct);
        if (pruned is { } at)
            throw new InvalidOperationException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"Audit {auditId} cannot be re-scored: its raw request/response bodies were pruned by retention on {at.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z (verifier prune). Its stored verdict and evidence stand, but they can no longer be reproduced from the exchanges."));
        var suite = ProbeSuite.Default;
        if (stored.SuiteHash != suite.ContentHash)
            throw new InvalidOperationException($"Audit {auditId} ran suite {stored.SuiteVersion} ({stored.SuiteHash[..12]}…); this build has {suite.Version} ({suite.ContentHash[..12]}…): its probes cannot be regenerated.");
        var references = new List<ReferenceRun>();
        foreach (var row in await db.ReferenceRuns.AsNoTracking().Where(r => stored.ReferenceRunsUsed.Contains(r.Id)).ToListAsync(ct))
            references.AddRange(ReferenceBundles.Import(row.Bundle, row.Id).Runs);
        var folder = Path.Combine(ProbeFiles.Root, "references");
        if (Directory.Exists(folder)) references.AddRange(ReferenceBundles.ImportFolder(folder).Where(r => stored.ReferenceRunsUsed.Contains(r.Id) && references.All(x => x.Id != r.Id)));
        var budget = JsonSerializer.Deserialize<AuditBudget>(audit.Budget, StoredJson.Options) ?? AuditBudget.Default;
        var plan = suite.Plan(audit.ClaimedVariant, budget, 0) with { References = references };
        var kind = await db.Targets.AsNoTracking().Where(t => t.Id == audit.TargetId).Select(t => t.Kind).SingleAsync(ct);
        var again = AuditEngine.Rescore(plan, stored, suite.Regenerate, TargetExecutors.Replay(kind));
        var identical = again.Verdict.Kind == stored.Verdict.Kind
            && again.Verdict.ClaimPosterior.Equals(stored.Verdict.ClaimPosterior)
            && again.Verdict.Posterior.SequenceEqual(stored.Verdict.Posterior);
        return new Comparison(stored, again, identical);
    }
}
