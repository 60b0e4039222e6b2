namespace Verifier.Core.Tests.Sla;

using Verifier.Core.Exchanges;
using Verifier.Core.Sla;

public class SlaCalculatorTests
{
    private static readonly DateTimeOffset T0 = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>20 ok exchanges with latencies 100..2000 ms, TTFT a tenth of it, 50 tokens each; 4 errors of which 2 timeouts.</summary>
    private static List<ExchangeSample> Known()
    {
        var list = Enumerable.Range(1, 20).Select(i => new ExchangeSample(T0.AddMinutes(i), i * 100, i * 10, 50, ExchangeOutcome.Ok)).ToList();
        list.Add(new ExchangeSample(T0.AddMinutes(30), 30_000, null, null, ExchangeOutcome.Timeout));
        list.Add(new ExchangeSample(T0.AddMinutes(31), 30_000, null, null, ExchangeOutcome.Timeout));
        list.Add(new ExchangeSample(T0.AddMinutes(32), 5, null, null, ExchangeOutcome.HttpError));
        list.Add(new ExchangeSample(T0.AddMinutes(33), 2, null, null, ExchangeOutcome.Refused));
        list.Add(new ExchangeSample(T0.AddHours(2), 99_999, 99_999, 1, ExchangeOutcome.Ok)); // outside the window
        return list;
    }

    [Fact]
    public void Figures_on_known_rows()
    {
        var f = SlaCalculator.Compute(Known(), T0, T0.AddHours(1), checksExpected: 60, checksCompleted: 57);
        Assert.Equal(24, f.Requests);
        Assert.Equal(1000, f.P50LatencyMs);  // nearest rank: the 10th of 20
        Assert.Equal(1900, f.P95LatencyMs);  // the 19th of 20
        Assert.Equal(100, f.P50TtftMs);
        Assert.Equal(190, f.P95TtftMs);
        // 1000 tokens over Σ(duration − ttft) = 0.9 × Σ i·100 ms = 0.9 × 21 s = 18.9 s
        Assert.Equal(1000 / 18.9, f.TokensPerSecond!.Value, 6);
        Assert.Equal(4 / 24.0, f.ErrorRate!.Value, 9);
        Assert.Equal(2 / 24.0, f.TimeoutRate!.Value, 9);
        Assert.Equal(0.95, f.Availability!.Value, 9);
    }

    [Fact]
    public void Empty_window_has_null_figures_not_zeros()
    {
        var f = SlaCalculator.Compute(Known(), T0.AddDays(3), T0.AddDays(4));
        Assert.Equal(0, f.Requests);
        Assert.Null(f.P95LatencyMs);
        Assert.Null(f.ErrorRate);
        Assert.Null(f.TokensPerSecond);
        Assert.Null(f.Availability);
    }

    [Fact]
    public void Series_cuts_the_window_into_equal_buckets()
    {
        var series = SlaCalculator.Series(Known(), T0, T0.AddHours(1), 4); // 15-minute buckets
        Assert.Equal(4, series.Count);
        Assert.Equal([14, 6, 4, 0], series.Select(b => b.Requests));
        Assert.Equal(T0.AddMinutes(15), series[0].To);
        Assert.Equal(1400, series[0].P95LatencyMs);
        Assert.Equal(0.0, series[0].ErrorRate);
        Assert.Equal(1.0, series[2].ErrorRate);
        Assert.Null(series[3].P50LatencyMs);
    }

    [Fact]
    public void Thresholds_name_each_breach()
    {
        var f = SlaCalculator.Compute(Known(), T0, T0.AddHours(1));
        Assert.Equal(["p95 latency 1900 ms > 1500 ms", "error rate 0.167 > 0.1"], SlaThresholds.Breaches(new SlaThresholds(1500, 500, 0.1, TimeSpan.FromHours(1)), f));
        Assert.Empty(SlaThresholds.Breaches(new SlaThresholds(5000, null, null, TimeSpan.FromHours(1)), f));
    }
}
