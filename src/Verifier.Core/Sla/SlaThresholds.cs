namespace Verifier.Core.Sla;

using System.Globalization;

/// <summary>A target's SLA: p95 latency and TTFT ceilings and an error-rate ceiling over a rolling window (any may be absent).</summary>
public sealed record SlaThresholds(double? P95LatencyMs, double? P95TtftMs, double? MaxErrorRate, TimeSpan Window)
{
    /// <summary>Each threshold the figures cross, in words ("p95 latency 1200 ms > 1000 ms"); empty when none (or no request to judge).</summary>
    public static IReadOnlyList<string> Breaches(SlaThresholds t, SlaFigures f)
    {
        var list = new List<string>();
        if (f.Requests == 0) return list;
        if (t.P95LatencyMs is { } l && f.P95LatencyMs is { } pl && pl > l) list.Add(string.Create(CultureInfo.InvariantCulture, $"p95 latency {pl:0} ms > {l:0} ms"));
        if (t.P95TtftMs is { } tt && f.P95TtftMs is { } pt && pt > tt) list.Add(string.Create(CultureInfo.InvariantCulture, $"p95 TTFT {pt:0} ms > {tt:0} ms"));
        if (t.MaxErrorRate is { } e && f.ErrorRate is { } er && er > e) list.Add(string.Create(CultureInfo.InvariantCulture, $"error rate {er:0.###} > {e:0.###}"));
        return list;
    }
}
