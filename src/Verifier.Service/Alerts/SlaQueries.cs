namespace Verifier.Service.Alerts;

using Microsoft.EntityFrameworkCore;
using Verifier.Core.Sla;
using Verifier.Service.Audits;
using Verifier.Storage;

/// <summary>
/// SLA figures of a target for the API, the dashboard and the report: loads its exchanges and scheduled checks, counts
/// the fires its schedules (full and light) owed in the window, and calls <see cref="SlaCalculator"/>.
/// </summary>
public static class SlaQueries
{
    public const int DefaultBuckets = 48;

    /// <summary>Figures over the window ending now: latency/TTFT percentiles, tokens/s, error and timeout rates, availability of scheduled checks.</summary>
    public static async Task<SlaFigures> TargetFiguresAsync(VerifierDb db, Guid targetId, TimeSpan window, DateTimeOffset now, CancellationToken ct)
    {
        var from = now - window;
        var samples = await AlertOutbox.SamplesAsync(db, targetId, from, now, ct);
        var (expected, completed) = await ScheduledChecksAsync(db, targetId, from, now, ct);
        return SlaCalculator.Compute(samples, from, now, expected, completed);
    }

    /// <summary>The window ending now in equal buckets (48 by default), for charts.</summary>
    public static async Task<IReadOnlyList<SlaBucket>> TargetSeriesAsync(VerifierDb db, Guid targetId, TimeSpan window, DateTimeOffset now, CancellationToken ct, int buckets = DefaultBuckets) =>
        SlaCalculator.Series(await AlertOutbox.SamplesAsync(db, targetId, now - window, now, ct), now - window, now, buckets);

    /// <summary>
    /// Fires owed by the current full and light schedules since they were last set (or the window's start), and the
    /// scheduled/light audits created for them that completed with a delivered answer (capped at what was owed).
    /// </summary>
    public static async Task<(int Expected, int Completed)> ScheduledChecksAsync(VerifierDb db, Guid targetId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        var schedules = new List<(string Cron, string? Zone, DateTimeOffset Since, AuditTrigger Trigger)>();
        if (await db.Schedules.AsNoTracking().FirstOrDefaultAsync(s => s.TargetId == targetId, ct) is { } full) schedules.Add((full.Cron, full.TimeZone, full.UpdatedAt, AuditTrigger.Schedule));
        if (await db.LightSchedules.AsNoTracking().FirstOrDefaultAsync(s => s.TargetId == targetId, ct) is { } light) schedules.Add((light.Cron, light.TimeZone, light.UpdatedAt, AuditTrigger.Light));
        int expected = 0, completed = 0;
        foreach (var (cron, zone, since, trigger) in schedules)
        {
            if (CronSchedule.TryParse(cron) is not { } expression || CronSchedule.TryFindZone(zone) is not { } tz) continue;
            var start = since > from ? since : from;
            var owed = expression.GetOccurrences(start.UtcDateTime, to.UtcDateTime, tz, fromInclusive: false, toInclusive: true).Count();
            var done = await db.Audits.CountAsync(a => a.TargetId == targetId && a.Trigger == trigger && a.CreatedAt >= start && a.CreatedAt <= to
                && a.Status == AuditStatus.Completed && a.Error == null, ct);
            expected += owed;
            completed += Math.Min(done, owed);
        }
        return (expected, completed);
    }
}
