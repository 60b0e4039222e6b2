namespace Verifier.Core.Audits;

using Verifier.Core.Chat;
using Verifier.Core.Exchanges;

/// <summary>
/// The final answer to one request of a probe after retries. Delivered = the target gave a final answer the scorer
/// may judge (2xx, or a 4xx other than 429 such as a context-limit error); transport faults are not delivered.
/// </summary>
public sealed record ProbeResponse(
    int RequestIndex,
    bool Delivered,
    int? StatusCode,
    ChatReply? Reply,
    string? Body,
    int? ExchangeSequence,
    TimeSpan? TimeToFirstToken = null,
    double? TokensPerSecond = null,
    string? Failure = null);

/// <summary>What running one probe instance against a target produced: one response per request and every raw exchange (all attempts).</summary>
public sealed record ProbeExecution(IReadOnlyList<ProbeResponse> Responses, IReadOnlyList<Exchange> Exchanges)
{
    public bool AnyDelivered => Responses.Any(r => r.Delivered);

    public static ProbeExecution Failed(string reason, IReadOnlyList<Exchange>? exchanges = null) =>
        new([new ProbeResponse(0, false, null, null, null, null, Failure: reason)], exchanges ?? []);
}
