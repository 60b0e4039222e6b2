namespace Verifier.Service.Dashboard;

using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Verifier.Core.Quality;
using Verifier.Service.Audits;
using Verifier.Storage;

/// <summary>A target as the list shows it: its latest audit, that audit's verdict and service quality, its schedule.</summary>
public sealed record TargetLine(TargetRow Target, ScheduleRow? Schedule, DateTimeOffset? NextFire, AuditRow? Latest, VerdictRow? Verdict, ServiceQuality? Quality);

/// <summary>One audit on a target's timeline.</summary>
public sealed record TimelineEntry(AuditRow Audit, VerdictRow? Verdict);

/// <summary>The dashboard's reads: plain queries over the stored rows; what they mean is decided in Core or in the page.</summary>
public static class DashboardData
{
    public static async Task<IReadOnlyList<TargetLine>> TargetsAsync(VerifierDb db, Scheduling scheduling, CancellationToken ct)
    {
        var targets = await db.Targets.AsNoTracking().Where(t => t.DeletedAt == null).OrderBy(t => t.Name).ToListAsync(ct);
        var ids = targets.Select(t => t.Id).ToList();
        var schedules = await db.Schedules.AsNoTracking().Where(s => ids.Contains(s.TargetId)).ToDictionaryAsync(s => s.TargetId, ct);
        var next = scheduling.NextFires(schedules.Keys);
        var latest = await db.Audits.AsNoTracking().Where(a => ids.Contains(a.TargetId))
            .GroupBy(a => a.TargetId).Select(g => g.OrderByDescending(a => a.CreatedAt).First()).ToListAsync(ct);
        var latestIds = latest.Select(a => a.Id).ToList();
        var verdicts = await db.Verdicts.AsNoTracking().Where(v => latestIds.Contains(v.AuditId)).ToDictionaryAsync(v => v.AuditId, ct);
        var byTarget = latest.ToDictionary(a => a.TargetId);
        return targets.Select(t =>
        {
            var audit = byTarget.GetValueOrDefault(t.Id);
            var verdict = audit is null ? null : verdicts.GetValueOrDefault(audit.Id);
            return new TargetLine(t, schedules.GetValueOrDefault(t.Id), next.GetValueOrDefault(t.Id), audit, verdict, QualityOf(verdict));
        }).ToList();
    }

    public static ServiceQuality? QualityOf(VerdictRow? verdict) =>
        verdict is null ? null : JsonSerializer.Deserialize<QualityOnly>(verdict.Result, StoredJson.Options)?.Quality;

    public static async Task<IReadOnlyList<TimelineEntry>> TimelineAsync(VerifierDb db, Guid targetId, DateTimeOffset since, CancellationToken ct)
    {
        var query = from a in db.Audits.AsNoTracking().Where(a => a.TargetId == targetId && a.CreatedAt >= since)
                    join v in db.Verdicts.AsNoTracking() on a.Id equals v.AuditId into vs
                    from v in vs.DefaultIfEmpty()
                    orderby a.CreatedAt descending
                    select new TimelineEntry(a, v);
        return await query.Take(500).ToListAsync(ct);
    }

    private sealed record QualityOnly(ServiceQuality? Quality);
}
