namespace Verifier.Core.Exchanges;

/// <summary>Token counts a target reported for one exchange; null where it reported none or no valid count.</summary>
public sealed record TokenUsage(int? PromptTokens, int? CompletionTokens, int? ReasoningTokens = null)
{
    /// <summary>Largest count accepted as a count at all (far beyond any context window; keeps arithmetic on counts safe).</summary>
    public const int MaxCount = 10_000_000;

    /// <summary>Fields the target sent that are not counts (negative, fractional, above <see cref="MaxCount"/>), e.g. "prompt_tokens=-5".</summary>
    public string? Invalid { get; init; }
}

public enum ExchangeOutcome { Ok, HttpError, Timeout, Malformed, Truncated, NetworkError, Refused, Oversized }

/// <summary>
/// One request/response with a target, kept byte for byte for the audit trail. Request headers are
/// stored with credentials redacted; bodies are exactly what was sent and received.
/// </summary>
public sealed record Exchange(
    int Sequence,
    string ProbeId,
    string Method,
    string Url,
    IReadOnlyDictionary<string, string> RequestHeaders,
    byte[] RequestBody,
    int? StatusCode,
    IReadOnlyDictionary<string, string> ResponseHeaders,
    byte[] ResponseBody,
    ExchangeOutcome Outcome,
    string? Error,
    DateTimeOffset StartedAt,
    TimeSpan Duration,
    TimeSpan? TimeToFirstToken,
    TokenUsage? Usage,
    int Attempt);
