namespace Verifier.Core.Tests.Alerts;

using Verifier.Core.Alerts;
using Verifier.Core.Audits;
using Verifier.Core.Sla;

public class AlertRulesTests
{
    private static readonly Guid Target = Guid.Parse("00000000-0000-0000-0000-0000000000aa");
    private static readonly DateTimeOffset T0 = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private static AuditOutcome Ok(int minute, VerdictKind kind, string? mostLikely = "deepseek-r1", bool light = false) =>
        new(Guid.NewGuid(), false, light, kind, mostLikely, T0.AddMinutes(minute));

    private static AuditOutcome Failed(int minute) => new(Guid.NewGuid(), true, false, null, null, T0.AddMinutes(minute));

    private static List<string> Types(AuditOutcome current, params AuditOutcome[] earlierNewestFirst) =>
        AlertRules.Decide(new AlertRules.Input(Target, "deepseek-r1", current, earlierNewestFirst)).Select(e => e.Type).ToList();

    [Fact]
    public void First_verdict_is_no_change_and_the_same_verdict_again_raises_nothing()
    {
        Assert.Empty(Types(Ok(0, VerdictKind.Consistent)));
        Assert.Empty(Types(Ok(1, VerdictKind.Consistent), Ok(0, VerdictKind.Consistent)));
    }

    [Fact]
    public void A_new_kind_or_most_likely_variant_is_a_change_a_mismatch_also_raises_mismatch_found()
    {
        Assert.Equal([AlertEventTypes.VerdictChanged, AlertEventTypes.MismatchFound],
            Types(Ok(1, VerdictKind.Mismatch, "r1-distill-qwen-7b"), Ok(0, VerdictKind.Consistent)));
        Assert.Equal([AlertEventTypes.VerdictChanged], Types(Ok(1, VerdictKind.Inconclusive, "r1-distill-qwen-7b"), Ok(0, VerdictKind.Inconclusive, "deepseek-r1")));
        Assert.Equal([AlertEventTypes.MismatchFound], Types(Ok(2, VerdictKind.Mismatch, "x"), Ok(1, VerdictKind.Mismatch, "x")));
    }

    [Fact]
    public void Overlapping_checks_finishing_out_of_order_raise_one_change_not_a_flap()
    {
        // Began 0, 1, 2; the vendor switched between 0 and 1. Check 1 finished first and reported the change; check 0
        // (older news) finishes next and must not report a change back; check 2 agrees with 1.
        AuditOutcome Light(int began, int finished, VerdictKind kind) =>
            Ok(finished, kind, kind == VerdictKind.Mismatch ? "r1-distill-qwen-7b" : "deepseek-r1", light: true) with { StartedAt = T0.AddMinutes(began) };
        var honest = Light(-2, -1, VerdictKind.Inconclusive);
        var first = Light(1, 3, VerdictKind.Mismatch);
        var late = Light(0, 4, VerdictKind.Inconclusive);
        var next = Light(2, 5, VerdictKind.Mismatch);
        Assert.Contains(AlertEventTypes.VerdictChanged, Types(first, honest));
        Assert.Empty(Types(late, first, honest));
        Assert.DoesNotContain(AlertEventTypes.VerdictChanged, Types(next, late, first, honest));
    }

    [Fact]
    public void Light_checks_compare_with_light_checks_and_failed_audits_are_skipped()
    {
        // An honest light check is inconclusive where the full audit said consistent: no change.
        Assert.Empty(Types(Ok(5, VerdictKind.Inconclusive, "r1-0528", light: true), Ok(4, VerdictKind.Consistent), Ok(3, VerdictKind.Inconclusive, "deepseek-r1", light: true)));
        // Light: the most likely same-family variant wobbles; only the kind counts.
        Assert.Empty(Types(Ok(5, VerdictKind.Inconclusive, "r1-0528", light: true), Ok(3, VerdictKind.Inconclusive, "deepseek-v3", light: true)));
        Assert.Contains(AlertEventTypes.VerdictChanged, Types(Ok(6, VerdictKind.Mismatch, "r1-distill-qwen-7b", light: true), Failed(5), Ok(3, VerdictKind.Inconclusive, light: true)));
    }

    [Fact]
    public void Failure_streak_fires_once_when_it_reaches_n()
    {
        Assert.Empty(Types(Failed(2), Failed(1), Ok(0, VerdictKind.Consistent)));
        Assert.Equal([AlertEventTypes.AuditFailedRepeatedly], Types(Failed(3), Failed(2), Failed(1), Ok(0, VerdictKind.Consistent)));
        Assert.Equal([AlertEventTypes.AuditFailedRepeatedly], Types(Failed(3), Failed(2), Failed(1))); // no audit before the streak
        Assert.Empty(Types(Failed(4), Failed(3), Failed(2), Failed(1), Ok(0, VerdictKind.Consistent))); // the 4th failure: same streak
        Assert.Empty(Types(Ok(5, VerdictKind.Consistent), Failed(4), Failed(3), Failed(2)));
    }

    [Fact]
    public void Sla_breach_fires_on_the_transition_only()
    {
        var t = new SlaThresholds(1000, null, 0.1, TimeSpan.FromHours(1));
        SlaFigures Figures(double p95, double errors) => new(T0, T0.AddHours(1), 10, p95, p95, null, null, null, errors, 0, 0, 0, null);
        AlertRules.Input Input(SlaFigures? before, SlaFigures now) =>
            new(Target, "deepseek-r1", Ok(1, VerdictKind.Consistent), [Ok(0, VerdictKind.Consistent)]) { Thresholds = t, SlaBefore = before, SlaNow = now };

        var breached = AlertRules.Decide(Input(Figures(900, 0), Figures(1200, 0)));
        Assert.Equal(AlertEventTypes.SlaBreached, Assert.Single(breached).Type);
        Assert.Equal(["p95 latency 1200 ms > 1000 ms"], (IReadOnlyList<string>)breached[0].Data["breaches"]!);
        Assert.Empty(AlertRules.Decide(Input(Figures(1100, 0), Figures(1200, 0.5)))); // still breached: no new alert
        Assert.Single(AlertRules.Decide(Input(null, Figures(100, 0.2))));            // first figures already breached
        Assert.Empty(AlertRules.Decide(Input(Figures(1200, 0), Figures(900, 0))));   // recovery is not a breach
    }

    [Fact]
    public void Event_ids_are_deterministic_per_audit_so_a_repeated_decision_dedupes()
    {
        var current = Ok(1, VerdictKind.Mismatch, "x");
        var earlier = new[] { Ok(0, VerdictKind.Consistent) };
        var a = AlertRules.Decide(new AlertRules.Input(Target, "deepseek-r1", current, earlier));
        var b = AlertRules.Decide(new AlertRules.Input(Target, "deepseek-r1", current, earlier));
        Assert.Equal(a.Select(e => e.Id), b.Select(e => e.Id));
        Assert.Equal($"verdict.changed:{current.AuditId}", a[0].Id);
    }
}
