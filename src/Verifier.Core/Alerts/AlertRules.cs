namespace Verifier.Core.Alerts;

using Verifier.Core.Audits;
using Verifier.Core.Sla;

/// <summary>
/// Which events one finished audit raises: plain decisions over its outcome, the target's earlier outcomes (newest
/// first) and its SLA figures before and after it. Each event is raised by exactly one audit (the transition), never
/// on every check, so a persistent state does not page anyone again.
/// </summary>
public static class AlertRules
{
    public const int DefaultFailureStreak = 3;

    public sealed record Input(Guid TargetId, string ClaimedVariant, AuditOutcome Current, IReadOnlyList<AuditOutcome> Earlier)
    {
        public int FailureStreak { get; init; } = DefaultFailureStreak;
        public SlaThresholds? Thresholds { get; init; }

        /// <summary>The target's SLA figures over the thresholds' window ending at the previous audit (null: none) and at this one.</summary>
        public SlaFigures? SlaBefore { get; init; }
        public SlaFigures? SlaNow { get; init; }
    }

    public static IReadOnlyList<AlertEvent> Decide(Input input)
    {
        var events = new List<AlertEvent>();
        var c = input.Current;
        if (!c.Failed && c.Kind is { } kind)
        {
            var comparable = input.Earlier.Where(e => !e.Failed && e.Kind is not null && e.Light == c.Light).ToList();
            // A check that began before one already reported carries older news: compared, it would flap the verdict
            // back and forth while overlapping checks finish out of order. The previous one is the latest to begin.
            var stale = comparable.Any(e => e.StartedAt > c.StartedAt);
            var previous = comparable.MaxBy(e => e.StartedAt ?? e.FinishedAt);
            if (!stale && previous is not null && VerdictChanged(previous, c))
                events.Add(AlertEvent.ForAudit(AlertEventTypes.VerdictChanged, input.TargetId, c.AuditId, c.FinishedAt, new Dictionary<string, object?>
                {
                    ["claimedVariant"] = input.ClaimedVariant, ["light"] = c.Light,
                    ["previous"] = new { auditId = previous.AuditId, kind = StoredNames.Of(previous.Kind!.Value), mostLikely = previous.MostLikely },
                    ["current"] = new { auditId = c.AuditId, kind = StoredNames.Of(kind), mostLikely = c.MostLikely },
                }));
            if (kind == VerdictKind.Mismatch)
                events.Add(AlertEvent.ForAudit(AlertEventTypes.MismatchFound, input.TargetId, c.AuditId, c.FinishedAt, new Dictionary<string, object?>
                {
                    ["claimedVariant"] = input.ClaimedVariant, ["mostLikely"] = c.MostLikely, ["light"] = c.Light,
                }));
        }
        if (FailureStreakReached(c, input.Earlier, input.FailureStreak))
            events.Add(AlertEvent.ForAudit(AlertEventTypes.AuditFailedRepeatedly, input.TargetId, c.AuditId, c.FinishedAt, new Dictionary<string, object?>
            {
                ["consecutiveFailures"] = input.FailureStreak,
                ["auditIds"] = new[] { c.AuditId }.Concat(input.Earlier.Take(input.FailureStreak - 1).Select(e => e.AuditId)).ToArray(),
            }));
        if (input.Thresholds is { } t && input.SlaNow is { } now)
        {
            var breachesNow = SlaThresholds.Breaches(t, now);
            var breachesBefore = input.SlaBefore is { } before ? SlaThresholds.Breaches(t, before) : [];
            if (breachesNow.Count > 0 && breachesBefore.Count == 0)
                events.Add(AlertEvent.ForAudit(AlertEventTypes.SlaBreached, input.TargetId, c.AuditId, c.FinishedAt, new Dictionary<string, object?>
                {
                    ["windowSeconds"] = t.Window.TotalSeconds, ["breaches"] = breachesNow, ["figures"] = now,
                }));
        }
        return events;
    }

    /// <summary>A different verdict kind, or (full audits, and light mismatches) another most likely variant.</summary>
    public static bool VerdictChanged(AuditOutcome previous, AuditOutcome current) =>
        previous.Kind != current.Kind || (!current.Light && previous.MostLikely != current.MostLikely);

    /// <summary>True exactly when this failure makes the streak reach N: the N-1 before it failed and the one before those did not.</summary>
    public static bool FailureStreakReached(AuditOutcome current, IReadOnlyList<AuditOutcome> earlier, int n)
    {
        if (!current.Failed || n < 1 || earlier.Count < n - 1) return false;
        for (var i = 0; i < n - 1; i++) if (!earlier[i].Failed) return false;
        return earlier.Count == n - 1 || !earlier[n - 1].Failed;
    }
}
