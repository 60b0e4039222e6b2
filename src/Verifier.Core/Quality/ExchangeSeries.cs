namespace Verifier.Core.Quality;

using Verifier.Core.Exchanges;

/// <summary>One stored exchange as the charts see it: when, how long, first token, tokens produced, how it ended.</summary>
public sealed record ExchangeSample(DateTimeOffset At, double DurationMs, double? TtftMs, int? CompletionTokens, ExchangeOutcome Outcome);

/// <summary>The figures of one time bucket (or of a whole window); null where the bucket had nothing to measure.</summary>
public sealed record SeriesPoint(DateTimeOffset From, int Exchanges, double? P50LatencyMs, double? P95LatencyMs, double? P50TtftMs, double? TokensPerSecond, double? ErrorRate);

/// <summary>
/// Latency, TTFT, tokens/s and error rate of a target's exchanges over time, for the dashboard's charts. Latency and
/// TTFT are nearest-rank percentiles; tokens/s is completion tokens over wall time of the successful exchanges that
/// reported usage (summed, so one long answer weighs by its length); error rate counts every outcome but Ok.
/// </summary>
public static class ExchangeSeries
{
    public static IReadOnlyList<SeriesPoint> Bucket(IReadOnlyList<ExchangeSample> samples, DateTimeOffset from, DateTimeOffset to, int buckets)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(buckets, 1);
        if (to <= from) throw new ArgumentException("'to' must be after 'from'.", nameof(to));
        var width = (to - from) / buckets;
        var groups = new List<ExchangeSample>[buckets];
        for (var i = 0; i < buckets; i++) groups[i] = [];
        foreach (var s in samples)
        {
            if (s.At < from || s.At >= to) continue;
            groups[Math.Min(buckets - 1, (int)((s.At - from) / width))].Add(s);
        }
        return groups.Select((g, i) => Summarize(g, from + width * i)).ToList();
    }

    public static SeriesPoint Summarize(IReadOnlyList<ExchangeSample> samples, DateTimeOffset from)
    {
        if (samples.Count == 0) return new SeriesPoint(from, 0, null, null, null, null, null);
        var ok = samples.Where(s => s.Outcome == ExchangeOutcome.Ok).ToList();
        var latencies = ok.Select(s => s.DurationMs).Order().ToList();
        var ttfts = ok.Where(s => s.TtftMs is not null).Select(s => s.TtftMs!.Value).Order().ToList();
        var withTokens = ok.Where(s => s.CompletionTokens is > 0 && s.DurationMs > 0).ToList();
        double? tokensPerSecond = withTokens.Count == 0 ? null : withTokens.Sum(s => (double)s.CompletionTokens!.Value) / (withTokens.Sum(s => s.DurationMs) / 1000);
        return new SeriesPoint(from, samples.Count, Percentile(latencies, 0.50), Percentile(latencies, 0.95), Percentile(ttfts, 0.50), tokensPerSecond,
            (double)(samples.Count - ok.Count) / samples.Count);
    }

    /// <summary>Nearest rank over sorted values: the smallest value with at least p of the values at or below it.</summary>
    public static double? Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? null : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
