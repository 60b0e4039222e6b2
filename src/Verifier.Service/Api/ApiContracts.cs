namespace Verifier.Service.Api;

using Verifier.Service.Audits;

// Request and response bodies of /api/v1. Strings rather than enums in requests so a bad value is a
// validation error naming the field, not a JSON error.

public sealed record CreateTargetRequest(
    string? Name, string? Kind, string? BaseUrl, string? Model, string? ApiKey, string? Dialect, string? Path, string? ClaimedVariant);

public sealed record PatchTargetRequest(
    string? Name, string? BaseUrl, string? Model, string? ApiKey, string? Dialect, string? Path, string? ClaimedVariant);

/// <summary>Cron: 5 fields, or 6 with seconds first (Hangfire/Cronos syntax); TimeZone: an IANA id, UTC when omitted.</summary>
public sealed record ScheduleRequest(string? Cron, string? Suite, BudgetDto? Budget, string? TimeZone = null);

public sealed record SpotCheckRequest(BudgetDto? Budget);

public sealed record CreateKeyRequest(string? Role, string? Name);

public sealed record ScheduleDto(string Cron, string TimeZone, string? Suite, BudgetDto? Budget, DateTimeOffset? NextFireUtc);

public sealed record TargetDto(
    Guid Id, string Name, string Kind, string? BaseUrl, string? Model, string? Dialect, string? Path, string ClaimedVariant,
    bool HasApiKey, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, ScheduleDto? Schedule)
{
    /// <summary>The identity verdict of the target's latest completed audit (null: none yet).</summary>
    public LatestVerdictDto? LatestVerdict { get; init; }

    /// <summary>The service-quality verdict of that audit: "asreference", "degraded" or "insufficient".</summary>
    public LatestQualityDto? LatestQuality { get; init; }
}

public sealed record LatestVerdictDto(Guid AuditId, string Kind, string? MostLikely, double ClaimPosterior, DateTimeOffset? FinishedAt);

public sealed record LatestQualityDto(Guid AuditId, string Status, string Summary, DateTimeOffset? FinishedAt);

/// <summary>One raw exchange of an audit; bodies (as UTF-8 text) only when read alone, empty once pruned (<c>BodiesPrunedAt</c>).</summary>
public sealed record ExchangeDto(
    int Seq, string ProbeId, int Attempt, string Method, string Url, int? StatusCode, string Outcome, string? Error,
    DateTimeOffset StartedAt, double DurationMs, double? TtftMs, UsageDto? Usage,
    IReadOnlyDictionary<string, string> RequestHeaders, IReadOnlyDictionary<string, string> ResponseHeaders,
    int RequestBytes, int ResponseBytes, string? RequestBody, string? ResponseBody, DateTimeOffset? BodiesPrunedAt);

public sealed record UsageDto(int? PromptTokens, int? CompletionTokens, int? ReasoningTokens);

/// <summary>One row of a target's verdict history (export).</summary>
public sealed record VerdictHistoryDto(
    Guid AuditId, string Trigger, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, string Verdict, string ClaimedVariant,
    string? MostLikely, double ClaimPosterior, string? Quality, int Requests, string? SuiteVersion, string Summary);

public sealed record CostDto(int Requests, long PromptTokens, long CompletionTokens, long WallTimeMs);

public sealed record VerdictDto(string Kind, string ClaimedVariant, string? MostLikely, double ClaimPosterior, double DesignedFalseAccusationRate, string Summary, IReadOnlyList<PosteriorDto> Posterior);

public sealed record PosteriorDto(string Hypothesis, double Posterior);

public sealed record EvidenceDto(string ProbeId, string Category, string? Tier, string? Outcome, string Observed, string? Weighing, IReadOnlyList<int> Exchanges);

public sealed record AuditDto(
    Guid Id, Guid TargetId, string Status, string Trigger, string ClaimedVariant, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt, string? Error, string? SuiteVersion, string? SuiteHash, CostDto Cost, VerdictDto? Verdict, IReadOnlyList<EvidenceDto> Evidence)
{
    /// <summary>When cancellation was asked for (a running audit stops on its node's next heartbeat).</summary>
    public DateTimeOffset? CancelRequestedAt { get; init; }
}

public sealed record AuditSummaryDto(Guid Id, string Status, string Trigger, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt, string? Verdict, string? MostLikely);

public sealed record PageDto<T>(IReadOnlyList<T> Items, int Page, int PageSize, int Total);

public sealed record AuditLogEntryDto(long Seq, DateTimeOffset At, Guid? KeyId, string Action, string EntityType, string EntityId, System.Text.Json.JsonElement Data, string Hash);

public sealed record ChainDto(
    bool Valid, long Entries, long? FirstBrokenSeq, long? LastSeq, long CheckpointSeq, long CheckpointEntries, bool CheckpointSignatureValid,
    bool Truncated, IReadOnlyList<string> TamperedVerdicts, IReadOnlyList<string> Problems);

/// <summary>seq and hash of the latest entry, how many entries, and HMAC-SHA256 (server key) over the three.</summary>
public sealed record CheckpointDto(long Seq, string Hash, string? Signature, long Count, DateTimeOffset At);

public sealed record KeyCreatedDto(Guid Id, string Name, string Role, string Key);
