namespace Verifier.Core.Observations;

/// <summary>Token counts a target reported for one exchange; null where it reported none.</summary>
public sealed record TokenUsage(int? PromptTokens, int? CompletionTokens, int? ReasoningTokens = null);

public enum ExchangeOutcome { Ok, HttpError, Timeout, Malformed, Truncated, NetworkError, Refused }

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
