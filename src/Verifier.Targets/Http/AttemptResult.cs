namespace Verifier.Targets.Http;

using Verifier.Core.Chat;
using Verifier.Core.Exchanges;

/// <summary>How one attempt ended: its exchange (null when nothing was attempted), the reply, and whether a retry may help.</summary>
internal sealed record AttemptResult(Exchange? Exchange, ChatReply? Reply, bool Delivered, bool Retryable, TimeSpan? RetryAfter)
{
    public double? TokensPerSecond { get; init; }
    public string? Failure { get; init; }
    public static AttemptResult OutOfBudget => new(null, null, false, false, null) { Failure = "audit budget exhausted (requests or wall time)" };
    public static AttemptResult Failed(string why) => new(null, null, false, false, null) { Failure = why };

    /// <summary>
    /// An HTTP error a retry may cure (rate limit, request timeout, server fault). Any other error status is the target's
    /// final answer (e.g. a context-limit 400), delivered for the scorer to judge: live and in replay alike.
    /// </summary>
    public static bool IsRetryable(int status) => status is 429 or 408 || status >= 500;
}
