namespace Verifier.Core.Tests.Quality;

using Verifier.Core.Exchanges;
using Verifier.Core.Quality;

public class ExchangeSeriesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Buckets_split_the_window_and_leave_empty_buckets_empty()
    {
        var samples = new[]
        {
            new ExchangeSample(T0.AddMinutes(5), 1000, 200, 50, ExchangeOutcome.Ok),
            new ExchangeSample(T0.AddMinutes(10), 3000, 400, 150, ExchangeOutcome.Ok),
            new ExchangeSample(T0.AddMinutes(20), 30000, null, null, ExchangeOutcome.Timeout),
            new ExchangeSample(T0.AddHours(3).AddMinutes(1), 500, 100, 10, ExchangeOutcome.Ok),
            new ExchangeSample(T0.AddHours(4), 500, 100, 10, ExchangeOutcome.Ok), // at 'to': outside
        };
        var points = ExchangeSeries.Bucket(samples, T0, T0.AddHours(4), 4);

        Assert.Equal(4, points.Count);
        Assert.Equal([T0, T0.AddHours(1), T0.AddHours(2), T0.AddHours(3)], points.Select(p => p.From));
        var first = points[0];
        Assert.Equal(3, first.Exchanges);
        Assert.Equal(1000, first.P50LatencyMs); // the timeout is an error, not a latency
        Assert.Equal(3000, first.P95LatencyMs);
        Assert.Equal(200, first.P50TtftMs);
        Assert.Equal(200.0 / 4, first.TokensPerSecond); // 200 tokens over 4 s
        Assert.Equal(1.0 / 3, first.ErrorRate!.Value, 9);
        Assert.Equal(new SeriesPoint(T0.AddHours(1), 0, null, null, null, null, null), points[1]);
        Assert.Equal(1, points[3].Exchanges);
    }

    [Fact]
    public void Percentile_is_nearest_rank()
    {
        var values = Enumerable.Range(1, 20).Select(i => (double)i).ToList();
        Assert.Equal(10, ExchangeSeries.Percentile(values, 0.5));
        Assert.Equal(19, ExchangeSeries.Percentile(values, 0.95));
        Assert.Equal(20, ExchangeSeries.Percentile(values, 1));
        Assert.Null(ExchangeSeries.Percentile([], 0.5));
    }

    [Fact]
    public void Only_failures_give_an_error_rate_of_one_and_no_latency()
    {
        var p = ExchangeSeries.Summarize([new ExchangeSample(T0, 10, null, null, ExchangeOutcome.HttpError)], T0);
        Assert.Equal(1, p.ErrorRate);
        Assert.Null(p.P50LatencyMs);
        Assert.Null(p.TokensPerSecond);
    }
}
