namespace Verifier.Service.Alerts;

using Verifier.Core.Alerts;

/// <summary>Webhook delivery settings, Verifier:Webhooks:* (seconds unless named otherwise).</summary>
public sealed record WebhookSettings(DeliveryRetryPolicy Retry, TimeSpan PollInterval, TimeSpan Timeout, int BatchSize, int FailureStreak)
{
    public static WebhookSettings From(IConfiguration config)
    {
        var d = DeliveryRetryPolicy.Default;
        var s = new WebhookSettings(
            new DeliveryRetryPolicy(
                TimeSpan.FromSeconds(config.GetValue("Verifier:Webhooks:BaseDelaySeconds", d.BaseDelay.TotalSeconds)),
                TimeSpan.FromSeconds(config.GetValue("Verifier:Webhooks:MaxDelaySeconds", d.MaxDelay.TotalSeconds)),
                config.GetValue("Verifier:Webhooks:MaxAttempts", d.MaxAttempts),
                TimeSpan.FromHours(config.GetValue("Verifier:Webhooks:MaxAgeHours", d.MaxAge.TotalHours))),
            TimeSpan.FromSeconds(config.GetValue("Verifier:Webhooks:PollSeconds", 2.0)),
            TimeSpan.FromSeconds(config.GetValue("Verifier:Webhooks:TimeoutSeconds", 10.0)),
            config.GetValue("Verifier:Webhooks:BatchSize", 20),
            config.GetValue("Verifier:Alerts:FailureStreak", AlertRules.DefaultFailureStreak));
        if (s.Retry.BaseDelay <= TimeSpan.Zero || s.Retry.MaxDelay < s.Retry.BaseDelay || s.Retry.MaxAttempts < 1 || s.Retry.MaxAge <= TimeSpan.Zero
            || s.PollInterval <= TimeSpan.Zero || s.Timeout <= TimeSpan.Zero || s.BatchSize < 1 || s.FailureStreak < 1)
            throw new InvalidOperationException("Verifier:Webhooks:* must be positive (MaxDelaySeconds ≥ BaseDelaySeconds), Verifier:Alerts:FailureStreak ≥ 1.");
        return s;
    }
}
