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
}
