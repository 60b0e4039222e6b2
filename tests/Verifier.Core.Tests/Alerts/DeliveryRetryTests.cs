namespace Verifier.Core.Tests.Alerts;

using Verifier.Core.Alerts;

public class DeliveryRetryTests
{
    private static readonly DeliveryRetryPolicy Policy = new(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(5), 6, TimeSpan.FromHours(1));

    [Theory]
    [InlineData(1, 5, 10)]
    [InlineData(2, 10, 20)]
    [InlineData(3, 20, 40)]
    [InlineData(6, 150, 300)] // 10·2^5 = 320 s, capped at 300
    [InlineData(40, 150, 300)]
    public void Delay_doubles_per_attempt_within_equal_jitter_bounds_and_is_capped(int attempt, double minSeconds, double maxSeconds)
    {
        Assert.Equal(minSeconds, DeliveryRetry.Delay(attempt, Policy, 0).TotalSeconds, 6);
        Assert.Equal(maxSeconds, DeliveryRetry.Delay(attempt, Policy, 1).TotalSeconds, 6);
        var random = new Random(7);
        for (var i = 0; i < 100; i++)
        {
            var d = DeliveryRetry.Delay(attempt, Policy, random.NextDouble()).TotalSeconds;
            Assert.InRange(d, minSeconds, maxSeconds);
        }
    }

    [Fact]
    public void Jitter_spreads_the_retries_of_many_deliveries()
    {
        var random = new Random(42);
        var delays = Enumerable.Range(0, 50).Select(_ => DeliveryRetry.Delay(3, Policy, random.NextDouble()).TotalMilliseconds).ToList();
        Assert.True(delays.Distinct().Count() > 45);
    }

    [Fact]
    public void A_failure_is_retried_until_attempts_or_age_run_out_then_dead()
    {
        var created = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        var retry = DeliveryRetry.AfterFailure(1, created, created, Policy, 0.5);
        Assert.False(retry.Dead);
        Assert.Equal(created.AddSeconds(7.5), retry.NextAttemptAt);
        Assert.True(DeliveryRetry.AfterFailure(6, created, created.AddMinutes(1), Policy, 0.5).Dead);
        Assert.True(DeliveryRetry.AfterFailure(2, created, created.AddMinutes(59.9), Policy, 0.5).Dead); // the next try would fall past an hour
        Assert.False(DeliveryRetry.AfterFailure(5, created, created.AddMinutes(10), Policy, 0.5).Dead);
    }

    [Theory]
    [InlineData(200, true)]
    [InlineData(204, true)]
    [InlineData(301, false)]
    [InlineData(410, false)]
    [InlineData(503, false)]
    [InlineData(null, false)]
    public void Only_2xx_is_delivered(int? status, bool delivered) => Assert.Equal(delivered, DeliveryRetry.Delivered(status));
}
