namespace Verifier.Core.Alerts;

/// <summary>Backoff of webhook deliveries (Verifier:Webhooks:*): base and cap of the delay, and when a delivery is given up.</summary>
public sealed record DeliveryRetryPolicy(TimeSpan BaseDelay, TimeSpan MaxDelay, int MaxAttempts, TimeSpan MaxAge)
{
    public static DeliveryRetryPolicy Default { get; } = new(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(30), 12, TimeSpan.FromDays(2));
}

/// <summary>What to do after a failed attempt: try again at a time, or mark the delivery dead.</summary>
public sealed record RetryDecision(bool Dead, DateTimeOffset? NextAttemptAt);

public static class DeliveryRetry
{
    /// <summary>
    /// Exponential backoff with "equal jitter": half of min(cap, base·2^(attempt-1)) fixed plus a random share of the
    /// other half, so receivers coming back are not hit by every node's retries at the same instant, yet the delay
    /// still grows. <paramref name="unitRandom"/> is in [0, 1) (seeded in tests).
    /// </summary>
    public static TimeSpan Delay(int attempt, DeliveryRetryPolicy policy, double unitRandom)
    {
        var exponent = Math.Min(Math.Max(attempt - 1, 0), 30);
        var ceiling = Math.Min(policy.MaxDelay.TotalMilliseconds, policy.BaseDelay.TotalMilliseconds * Math.Pow(2, exponent));
        return TimeSpan.FromMilliseconds(ceiling / 2 + ceiling / 2 * Math.Clamp(unitRandom, 0, 1));
    }

    /// <summary>After attempt number <paramref name="attempts"/> failed: dead when attempts or age are used up (or the next try would fall past the age).</summary>
    public static RetryDecision AfterFailure(int attempts, DateTimeOffset createdAt, DateTimeOffset now, DeliveryRetryPolicy policy, double unitRandom)
    {
        if (attempts >= policy.MaxAttempts) return new RetryDecision(true, null);
        var next = now + Delay(attempts, policy, unitRandom);
        return next - createdAt > policy.MaxAge ? new RetryDecision(true, null) : new RetryDecision(false, next);
    }

    /// <summary>2xx is delivered; anything else (and no response at all) is retried.</summary>
    public static bool Delivered(int? statusCode) => statusCode is >= 200 and < 300;
}
