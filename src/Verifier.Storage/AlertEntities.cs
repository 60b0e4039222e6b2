namespace Verifier.Storage;

// EF entities of migrations/V6__alerts.sql: light schedules, SLA thresholds, webhooks and their stored outbox.

public sealed class LightScheduleRow
{
    public Guid TargetId { get; set; }
    public string Cron { get; set; } = "";
    public string? TimeZone { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class SlaThresholdRow
{
    public Guid TargetId { get; set; }
    public double? P95LatencyMs { get; set; }
    public double? P95TtftMs { get; set; }
    public double? MaxErrorRate { get; set; }
    public int WindowSeconds { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class WebhookRow
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    public string Url { get; set; } = "";
    public byte[] SecretCipher { get; set; } = [];
    /// <summary>Subscribed event types; null: all.</summary>
    public string[]? Events { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }
}

public static class DeliveryStatus
{
    public const string Pending = "pending", Delivered = "delivered", Dead = "dead";
}

public sealed class WebhookDeliveryRow
{
    public Guid Id { get; set; }
    public Guid WebhookId { get; set; }
    public string EventId { get; set; } = "";
    public string EventType { get; set; } = "";
    public Guid? TargetId { get; set; }
    public string Body { get; set; } = "";
    public string Status { get; set; } = DeliveryStatus.Pending;
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
    public string? LastError { get; set; }
}

public sealed class WebhookAttemptRow
{
    public Guid DeliveryId { get; set; }
    public int Attempt { get; set; }
    public DateTimeOffset At { get; set; }
    public string NodeId { get; set; } = "";
    public int? StatusCode { get; set; }
    public string? Error { get; set; }
    public double DurationMs { get; set; }
}
