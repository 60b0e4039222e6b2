namespace Verifier.Service.Api;

using Microsoft.EntityFrameworkCore;
using Verifier.Core;
using Verifier.Core.Quality;
using Verifier.Storage;

/// <summary>The latest completed audit's identity and service-quality verdicts of many targets, in one query.</summary>
public static class LatestVerdicts
{
    public static async Task<Dictionary<Guid, (LatestVerdictDto Verdict, LatestQualityDto? Quality)>> LoadAsync(VerifierDb db, IReadOnlyCollection<Guid> targetIds, CancellationToken ct)
    {
        if (targetIds.Count == 0) return [];
        var ids = targetIds.ToArray();
        // quality.status is stored as the enum's number (StoredJson's web defaults)
        var rows = await db.Database.SqlQuery<Row>($"""
            SELECT DISTINCT ON (a.target_id) a.target_id AS "TargetId", a.id AS "AuditId", v.kind AS "Kind", v.most_likely AS "MostLikely",
                   v.claim_posterior AS "ClaimPosterior", a.finished_at AS "FinishedAt",
                   (v.result -> 'quality' ->> 'status')::int AS "QualityStatus", v.result -> 'quality' ->> 'summary' AS "QualitySummary"
              FROM audits a JOIN verdicts v ON v.audit_id = a.id
             WHERE a.target_id = ANY({ids}) AND a.status = 'completed' AND a.finished_at IS NOT NULL
             ORDER BY a.target_id, a.finished_at DESC
            """).ToListAsync(ct);
        return rows.ToDictionary(r => r.TargetId, r => (
            new LatestVerdictDto(r.AuditId, r.Kind, r.MostLikely, r.ClaimPosterior, r.FinishedAt),
            r.QualityStatus is { } q && Enum.IsDefined((QualityStatus)q) ? new LatestQualityDto(r.AuditId, StoredNames.Of((QualityStatus)q), r.QualitySummary ?? "", r.FinishedAt) : null));
    }

    public static TargetDto With(this TargetDto dto, Dictionary<Guid, (LatestVerdictDto Verdict, LatestQualityDto? Quality)> latest) =>
        latest.TryGetValue(dto.Id, out var l) ? dto with { LatestVerdict = l.Verdict, LatestQuality = l.Quality } : dto;

    private sealed record Row(Guid TargetId, Guid AuditId, string Kind, string? MostLikely, double ClaimPosterior, DateTimeOffset? FinishedAt, int? QualityStatus, string? QualitySummary);
}
