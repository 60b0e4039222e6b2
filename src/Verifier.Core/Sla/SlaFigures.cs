namespace Verifier.Core.Sla;

using Verifier.Core.Exchanges;

/// <summary>One stored exchange as the SLA figures see it (exchanges row: started_at, duration_ms, ttft_ms, completion_tokens, outcome).</summary>
public sealed record ExchangeSample(DateTimeOffset At, double DurationMs, double? TtftMs, int? CompletionTokens, ExchangeOutcome Outcome);

/// <summary>
/// Service figures of one target over [From, To). Latency, TTFT and tokens/s are over delivered (ok) exchanges only, so
/// a refused connection's 2 ms does not flatter the p50; error rate is every non-ok exchange over all of them, timeout
/// rate the timeouts' share. Availability is completed scheduled checks over the fires the schedules owed in the window
/// (null when none was owed). Null figures: nothing to compute them from.
/// </summary>
public sealed record SlaFigures(
    DateTimeOffset From, DateTimeOffset To, int Requests,
    double? P50LatencyMs, double? P95LatencyMs, double? P50TtftMs, double? P95TtftMs, double? TokensPerSecond,
    double? ErrorRate, double? TimeoutRate, int ChecksExpected, int ChecksCompleted, double? Availability);

/// <summary>One point of the charts' time series: the figures of one bucket.</summary>
public sealed record SlaBucket(DateTimeOffset From, DateTimeOffset To, int Requests, double? P50LatencyMs, double? P95LatencyMs,
    double? P50TtftMs, double? P95TtftMs, double? TokensPerSecond, double? ErrorRate);

/// <summary>The windows the API and dashboard offer.</summary>
public static class SlaWindows
{
    public static IReadOnlyDictionary<string, TimeSpan> ByName { get; } = new Dictionary<string, TimeSpan>
    {
        ["24h"] = TimeSpan.FromHours(24), ["7d"] = TimeSpan.FromDays(7), ["30d"] = TimeSpan.FromDays(30),
    };
}

public static class SlaCalculator
{
    /// <summary>Figures over [from, to) of the samples inside it; expected/completed scheduled checks come from the caller (cron arithmetic lives with the scheduler).</summary>
    public static SlaFigures Compute(IEnumerable<ExchangeSample> samples, DateTimeOffset from, DateTimeOffset to, int checksExpected = 0, int checksCompleted = 0)
    {
        var inWindow = samples.Where(s => s.At >= from && s.At < to).ToList();
        var ok = inWindow.Where(s => s.Outcome == ExchangeOutcome.Ok).ToList();
        var latency = ok.Select(s => s.DurationMs).Order().ToList();
        var ttft = ok.Where(s => s.TtftMs is not null).Select(s => s.TtftMs!.Value).Order().ToList();
        return new SlaFigures(from, to, inWindow.Count,
            Percentile(latency, 0.50), Percentile(latency, 0.95), Percentile(ttft, 0.50), Percentile(ttft, 0.95), TokensPerSecond(ok),
            inWindow.Count == 0 ? null : (double)inWindow.Count(s => s.Outcome != ExchangeOutcome.Ok) / inWindow.Count,
            inWindow.Count == 0 ? null : (double)inWindow.Count(s => s.Outcome == ExchangeOutcome.Timeout) / inWindow.Count,
            checksExpected, checksCompleted, checksExpected == 0 ? null : Math.Min(1.0, (double)checksCompleted / checksExpected));
    }

    /// <summary>[from, to) cut into <paramref name="buckets"/> equal buckets, each with its own figures (empty buckets carry nulls).</summary>
    public static IReadOnlyList<SlaBucket> Series(IEnumerable<ExchangeSample> samples, DateTimeOffset from, DateTimeOffset to, int buckets)
    {
        if (buckets < 1 || to <= from) return [];
        var width = (to - from) / buckets;
        var byBucket = samples.Where(s => s.At >= from && s.At < to)
            .GroupBy(s => Math.Min(buckets - 1, (int)((s.At - from) / width))).ToDictionary(g => g.Key, g => g.ToList());
        var series = new List<SlaBucket>(buckets);
        for (var i = 0; i < buckets; i++)
        {
            var start = from + width * i;
            var end = i == buckets - 1 ? to : from + width * (i + 1);
            var f = Compute(byBucket.GetValueOrDefault(i) ?? [], start, end);
            series.Add(new SlaBucket(start, end, f.Requests, f.P50LatencyMs, f.P95LatencyMs, f.P50TtftMs, f.P95TtftMs, f.TokensPerSecond, f.ErrorRate));
        }
        return series;
    }

    /// <summary>Nearest-rank percentile of a sorted list (the p95 of 20 values is the 19th): a value that was really observed.</summary>
    public static double? Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? null : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    /// <summary>Completion tokens over the seconds spent producing them (after the first token when TTFT is known), all ok exchanges together.</summary>
    private static double? TokensPerSecond(IReadOnlyList<ExchangeSample> ok)
    {
        var counted = ok.Where(s => s.CompletionTokens is > 0).ToList();
        var seconds = counted.Sum(s => Math.Max(s.DurationMs - (s.TtftMs ?? 0), 1) / 1000.0);
        return counted.Count == 0 ? null : counted.Sum(s => (double)s.CompletionTokens!.Value) / seconds;
    }
}
