namespace Verifier.Targets.Http;

using Polly;
using Polly.Retry;

/// <summary>
/// The retry of one request, Polly's retry strategy as is: exponential backoff with jitter (seeded, so retry timing is
/// reproducible) on the client's <see cref="TimeProvider"/>, or the vendor's Retry-After when it sent one.
/// Not the standard HTTP resilience handler: it retries inside HttpClient, where a body cut mid-stream or a malformed
/// reply is never seen and attempts cannot be recorded one by one; its total timeout, circuit breaker and hedging
/// would also send requests (or refuse them) outside the audit's budget. Here each attempt is recorded by the
/// caller, takes a request from the budget, and a retry is only scheduled when the budget can still pay for it.
/// </summary>
internal static class AttemptRetry
{
    public static ResiliencePipeline<AttemptResult> Build(ClientOptions options, AttemptBudget budget, TimeProvider time)
    {
        var builder = new ResiliencePipelineBuilder<AttemptResult> { TimeProvider = time };
        if (options.MaxAttempts <= 1) return builder.Build(); // Polly refuses a retry strategy with no retries
        var jitter = new Random(options.JitterSeed);
        var gate = new object();
        return builder.AddRetry(new RetryStrategyOptions<AttemptResult>
        {
            MaxRetryAttempts = options.MaxAttempts - 1,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = options.BaseDelay,
            MaxDelay = options.MaxDelay,
            Randomizer = () => { lock (gate) return jitter.NextDouble(); },
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is { Retryable: true } a && Affordable(a, options, budget, time)),
            // Retry-After replaces the backoff; null lets Polly compute it.
            DelayGenerator = args => ValueTask.FromResult(args.Outcome.Result?.RetryAfter),
        }).Build();
    }

    /// <summary>Requests left, the deadline not reached, and a Retry-After neither past the limit nor past the deadline (then it is not waited for).</summary>
    private static bool Affordable(AttemptResult a, ClientOptions options, AttemptBudget budget, TimeProvider time) =>
        budget.Remaining != 0 && !budget.Expired
        && (a.RetryAfter is not { } wait || (wait <= options.MaxRetryAfter && time.GetUtcNow() + wait < budget.Deadline));

    /// <summary>The vendor's Retry-After as a wait from now (a date in the past is no wait).</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider time) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date > time.GetUtcNow() ? date - time.GetUtcNow() : TimeSpan.Zero,
        _ => null,
    };
}
