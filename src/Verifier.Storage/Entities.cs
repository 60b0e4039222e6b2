namespace Verifier.Storage;

// EF entities mapped onto migrations/*.sql (snake_case). Plain classes: EF owns their lifetime.

public sealed class ApiKeyRow
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    public string Role { get; set; } = "";
    public byte[] KeyHash { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}

public sealed class TargetRow
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    public Verifier.Core.Audits.TargetKind Kind { get; set; }
    public string? BaseUrl { get; set; }
    public string? Model { get; set; }
    public string? Dialect { get; set; }
    public string? Path { get; set; }
    public string ClaimedVariant { get; set; } = "";
    public byte[]? ApiKeyCipher { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }
}

public sealed class ScheduleRow
{
    public Guid TargetId { get; set; }
    public string Cron { get; set; } = "";
    public string? TimeZone { get; set; }
    public string? Suite { get; set; }
    public string? Budget { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class AuditRow
{
    public Guid Id { get; set; }
    public Guid TargetId { get; set; }
    public AuditStatus Status { get; set; }
    public AuditTrigger Trigger { get; set; }
    public string? IdempotencyKey { get; set; }
    public string ClaimedVariant { get; set; } = "";
    public string? SuiteVersion { get; set; }
    public string? SuiteHash { get; set; }
    public string Budget { get; set; } = "{}";
    public int Requests { get; set; }
    public long PromptTokens { get; set; }
    public long CompletionTokens { get; set; }
    public long WallMs { get; set; }
    public string? Error { get; set; }
    public string? NodeId { get; set; }
    public int Attempts { get; set; }
    public Guid? RequestedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public DateTimeOffset? HeartbeatAt { get; set; }

    /// <summary>When cancellation of this audit was asked for (V7); the node running it stops it on its next heartbeat.</summary>
    public DateTimeOffset? CancelRequestedAt { get; set; }
}

public sealed class ExchangeRow
{
    public Guid AuditId { get; set; }
    public int Seq { get; set; }
    public string ProbeId { get; set; } = "";
    public int Attempt { get; set; }
    public string Method { get; set; } = "";
    public string Url { get; set; } = "";
    public string RequestHeaders { get; set; } = "{}";
    public byte[] RequestBody { get; set; } = [];
    public int? StatusCode { get; set; }
    public string ResponseHeaders { get; set; } = "{}";
    public byte[] ResponseBody { get; set; } = [];
    public string Outcome { get; set; } = "";
    public string? Error { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public double DurationMs { get; set; }
    public double? TtftMs { get; set; }
    public int? PromptTokens { get; set; }
    public int? CompletionTokens { get; set; }
    public int? ReasoningTokens { get; set; }

    /// <summary>When retention emptied RequestBody and ResponseBody (null: the bodies are as sent and received).</summary>
    public DateTimeOffset? BodiesPrunedAt { get; set; }
}

public sealed class EvidenceRow
{
    public Guid AuditId { get; set; }
    public int Ordinal { get; set; }
    public string ProbeId { get; set; } = "";
    public string Category { get; set; } = "";
    public string? Tier { get; set; }
    public string? OutcomeKey { get; set; }
    public string? Weighing { get; set; }
    public string Observed { get; set; } = "";
    public int[] ExchangeSeqs { get; set; } = [];
    public string LogLikelihoods { get; set; } = "{}";
}

public sealed class VerdictRow
{
    public Guid AuditId { get; set; }
    public string Kind { get; set; } = "";
    public string ClaimedVariant { get; set; } = "";
    public string? MostLikely { get; set; }
    public double ClaimPosterior { get; set; }
    public string Posterior { get; set; } = "[]";
    public double DesignedFalseAccusationRate { get; set; }
    public string Summary { get; set; } = "";
    public string Result { get; set; } = "{}";
    public DateTimeOffset CreatedAt { get; set; }
}

public sealed class ReferenceRunRow
{
    public string Id { get; set; } = "";
    public string Variant { get; set; } = "";
    public string SuiteVersion { get; set; } = "";
    public string SuiteHash { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public string Bundle { get; set; } = "{}";
}

public sealed class AuditLogRow
{
    public long Seq { get; set; }
    public DateTimeOffset At { get; set; }
    public Guid? KeyId { get; set; }
    public string Action { get; set; } = "";
    public string EntityType { get; set; } = "";
    public string EntityId { get; set; } = "";
    public string Data { get; set; } = "{}";
    public byte[] PrevHash { get; set; } = [];
    public byte[] Hash { get; set; } = [];
}

public sealed class AuditLogHeadRow
{
    public short Id { get; set; }
    public long Seq { get; set; }
    public byte[] Hash { get; set; } = [];
    public long Entries { get; set; }
    public byte[]? Signature { get; set; }
    public DateTimeOffset At { get; set; }
}
