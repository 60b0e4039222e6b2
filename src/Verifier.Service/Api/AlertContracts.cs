namespace Verifier.Service.Api;

using Verifier.Core.Sla;

// Request and response bodies of webhooks, light schedules and SLA figures.

/// <summary>Secret: 16..256 characters; generated (and returned once) when absent. Events: subset of the event types; absent = all.</summary>
public sealed record CreateWebhookRequest(string? Name, string? Url, string? Secret, IReadOnlyList<string>? Events);

/// <summary>Absent fields stay; `events: []` is refused (delete the webhook instead), a new `secret` replaces the old one.</summary>
public sealed record PatchWebhookRequest(string? Name, string? Url, string? Secret, IReadOnlyList<string>? Events);

public sealed record WebhookDto(Guid Id, string Name, string Url, IReadOnlyList<string>? Events, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>The only response that ever carries the secret: the creation's.</summary>
public sealed record WebhookCreatedDto(Guid Id, string Name, string Url, IReadOnlyList<string>? Events, DateTimeOffset CreatedAt, string Secret);

public sealed record WebhookAttemptDto(int Attempt, DateTimeOffset At, string Node, int? StatusCode, string? Error, double DurationMs);

public sealed record WebhookDeliveryDto(
    Guid Id, string EventId, string EventType, Guid? TargetId, string Status, int Attempts, DateTimeOffset CreatedAt, DateTimeOffset? DeliveredAt,
    DateTimeOffset? NextAttemptAt, string? LastError, IReadOnlyList<WebhookAttemptDto> AttemptLog);

public sealed record WebhookTestDto(Guid DeliveryId, string EventId);

/// <summary>Cron as for the full schedule (5 fields, or 6 with seconds first); TimeZone an IANA id, UTC when omitted.</summary>
public sealed record LightScheduleRequest(string? Cron, string? TimeZone);

public sealed record LightScheduleDto(string Cron, string TimeZone, int MaxRequests, DateTimeOffset? NextFireUtc);

/// <summary>At least one threshold; windowMinutes (default 60, at most 7 days) is the rolling window the figures are taken over.</summary>
public sealed record SlaThresholdsRequest(double? P95LatencyMs, double? P95TtftMs, double? MaxErrorRate, int? WindowMinutes);

public sealed record SlaThresholdsDto(double? P95LatencyMs, double? P95TtftMs, double? MaxErrorRate, int WindowMinutes, DateTimeOffset UpdatedAt);

public sealed record SlaDto(Guid TargetId, string Window, SlaFigures Figures, SlaThresholdsDto? Thresholds, IReadOnlyList<string> Breaches);

public sealed record SlaSeriesDto(Guid TargetId, string Window, IReadOnlyList<SlaBucket> Buckets);
