namespace Verifier.Storage;

using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Verifier.Core;
using Verifier.Core.Alerts;
using Verifier.Core.Audits;
using Verifier.Core.Exchanges;
using Verifier.Core.Sla;

/// <summary>
/// The stored outbox's writer. Called in the transaction that stores an audit's outcome (completed or failed): loads
/// what <see cref="AlertRules"/> needs, decides the events, and inserts one delivery per subscribed webhook with
/// ON CONFLICT (webhook_id, event_id) DO NOTHING, so the outcome and its deliveries commit together, and a retried
/// save or a re-delivered job cannot create a second delivery of one event.
/// </summary>
public static class AlertOutbox
{
    /// <summary>Earlier finished audits read for the decisions (verdict change, failure streak).</summary>
    private const int History = 20;

    public static async Task<IReadOnlyList<AlertEvent>> EnqueueForAuditAsync(VerifierDb db, AuditRow audit, DateTimeOffset now, int failureStreak, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is null) throw new InvalidOperationException("Alert deliveries are written inside the audit outcome's transaction.");
        var verdict = await db.Verdicts.AsNoTracking().Where(v => v.AuditId == audit.Id).Select(v => new { v.Kind, v.MostLikely }).FirstOrDefaultAsync(ct);
        var current = Outcome(audit.Id, audit.Status, audit.Trigger, audit.Error, verdict?.Kind, verdict?.MostLikely, audit.FinishedAt ?? now, audit.StartedAt);
        var earlierRows = await (
            from a in db.Audits.AsNoTracking()
            where a.TargetId == audit.TargetId && a.Id != audit.Id && a.FinishedAt != null && (a.Status == AuditStatus.Completed || a.Status == AuditStatus.Failed)
            orderby a.FinishedAt descending
            select new { a.Id, a.Status, a.Trigger, a.Error, a.FinishedAt, a.StartedAt, Verdict = db.Verdicts.Where(v => v.AuditId == a.Id).Select(v => new { v.Kind, v.MostLikely }).FirstOrDefault() })
            .Take(History).ToListAsync(ct);
        var earlier = earlierRows.Select(r => Outcome(r.Id, r.Status, r.Trigger, r.Error, r.Verdict?.Kind, r.Verdict?.MostLikely, r.FinishedAt!.Value, r.StartedAt)).ToList();

        var input = new AlertRules.Input(audit.TargetId, audit.ClaimedVariant, current, earlier) { FailureStreak = failureStreak };
        var thresholds = await db.SlaThresholds.AsNoTracking().FirstOrDefaultAsync(t => t.TargetId == audit.TargetId, ct);
        if (thresholds is not null)
        {
            var t = ToThresholds(thresholds);
            var before = earlier.FirstOrDefault()?.FinishedAt;
            var samples = await SamplesAsync(db, audit.TargetId, (before ?? current.FinishedAt) - t.Window, current.FinishedAt.AddTicks(1), ct);
            input = input with
            {
                Thresholds = t,
                SlaNow = SlaCalculator.Compute(samples, current.FinishedAt - t.Window, current.FinishedAt.AddTicks(1)),
                SlaBefore = before is { } b ? SlaCalculator.Compute(samples, b - t.Window, b.AddTicks(1)) : null,
            };
        }
        var events = AlertRules.Decide(input);
        foreach (var e in events) await EnqueueAsync(db, e, null, now, ct);
        return events;
    }

    /// <summary>
    /// Inserts the event's delivery for every live webhook subscribed to its type; only <paramref name="onlyWebhook"/>
    /// when given, and then regardless of its subscriptions when <paramref name="subscribedOnly"/> is false (the test button).
    /// </summary>
    public static async Task<int> EnqueueAsync(VerifierDb db, AlertEvent e, Guid? onlyWebhook, DateTimeOffset now, CancellationToken ct, bool subscribedOnly = true)
    {
        var hooks = await db.Webhooks.AsNoTracking()
            .Where(w => w.DeletedAt == null && (onlyWebhook == null || w.Id == onlyWebhook) && (!subscribedOnly || w.Events == null || w.Events.Contains(e.Type)))
            .Select(w => w.Id).ToListAsync(ct);
        var body = Body(e);
        var inserted = 0;
        foreach (var hook in hooks)
            inserted += await db.Database.ExecuteSqlAsync($"""
                INSERT INTO webhook_deliveries (id, webhook_id, event_id, event_type, target_id, body, status, attempts, next_attempt_at, created_at)
                VALUES ({Guid.NewGuid()}, {hook}, {e.Id}, {e.Type}, {(e.TargetId == Guid.Empty ? null : e.TargetId)}, {body}, {DeliveryStatus.Pending}, 0, {now}, {now})
                ON CONFLICT (webhook_id, event_id) DO NOTHING
                """, ct);
        return inserted;
    }

    /// <summary>The JSON every receiver gets: {id, type, createdAt, targetId, auditId, data}.</summary>
    public static string Body(AlertEvent e) => JsonSerializer.Serialize(new
    {
        id = e.Id, type = e.Type, createdAt = e.At, targetId = e.TargetId == Guid.Empty ? (Guid?)null : e.TargetId, auditId = e.AuditId, data = e.Data,
    }, StoredJson.Options);

    public static SlaThresholds ToThresholds(SlaThresholdRow r) => new(r.P95LatencyMs, r.P95TtftMs, r.MaxErrorRate, TimeSpan.FromSeconds(r.WindowSeconds));

    /// <summary>The target's exchanges started in [from, to), as SLA samples (only the columns the figures use).</summary>
    public static async Task<List<ExchangeSample>> SamplesAsync(VerifierDb db, Guid targetId, DateTimeOffset start, DateTimeOffset end, CancellationToken ct)
    {
        var rows = await (
            from e in db.Exchanges.AsNoTracking()
            join a in db.Audits.AsNoTracking() on e.AuditId equals a.Id
            where a.TargetId == targetId && e.StartedAt >= start && e.StartedAt < end
            select new { e.StartedAt, e.DurationMs, e.TtftMs, e.CompletionTokens, e.Outcome }).ToListAsync(ct);
        return rows.Select(r => new ExchangeSample(r.StartedAt, r.DurationMs, r.TtftMs, r.CompletionTokens,
            Enum.TryParse<ExchangeOutcome>(r.Outcome, out var o) ? o : ExchangeOutcome.NetworkError)).ToList();
    }

    /// <summary>
    /// A completed audit in which no request was delivered (stored with its error, "every request failed …") counts as a
    /// failed check: the vendor was down, and its `inconclusive` is no verdict to compare.
    /// </summary>
    private static AuditOutcome Outcome(Guid id, AuditStatus status, AuditTrigger trigger, string? error, string? kind, string? mostLikely, DateTimeOffset finished, DateTimeOffset? started) =>
        new(id, status == AuditStatus.Failed || error is not null || kind is null, trigger == AuditTrigger.Light,
            kind is null ? null : StoredNames.Parse<VerdictKind>(kind), mostLikely, finished) { StartedAt = started };
}
