namespace Verifier.Service.Api;

using System.Linq.Expressions;
using FluentValidation;
using Verifier.Core.Alerts;
using Verifier.Service.Audits;

public static class CronRules
{
    /// <summary>The cron and time-zone rules of every schedule (full and light): Hangfire's dialect, a real IANA zone, a future fire.</summary>
    public static void AddCronRules<T>(this AbstractValidator<T> v, Expression<Func<T, string?>> cron, Expression<Func<T, string?>> timeZone, TimeProvider time)
    {
        var zoneOf = timeZone.Compile();
        v.RuleFor(cron).NotEmpty().MaximumLength(200);
        v.RuleFor(timeZone).MaximumLength(100).Must(z => z is null || z.Length > 100 || CronSchedule.TryFindZone(z) is not null)
            .WithMessage("'timeZone' must be an IANA time zone id, e.g. Europe/Berlin or UTC.");
        v.RuleFor(cron).Custom((c, ctx) =>
        {
            if (string.IsNullOrEmpty(c) || c.Length > 200) return;
            if (CronSchedule.TryParse(c) is not { } expression)
                ctx.AddFailure("cron", "'cron' is not a valid cron expression: 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first.");
            else if (expression.GetNextOccurrence(time.GetUtcNow(), CronSchedule.TryFindZone(zoneOf(ctx.InstanceToValidate)) ?? TimeZoneInfo.Utc) is null)
                ctx.AddFailure("cron", "'cron' never fires (no future time matches it, e.g. 30 February).");
        });
    }
}

public sealed class LightScheduleValidator : AbstractValidator<LightScheduleRequest>
{
    public LightScheduleValidator(TimeProvider time) => this.AddCronRules(s => s.Cron, s => s.TimeZone, time);
}

public sealed class CreateWebhookValidator : AbstractValidator<CreateWebhookRequest>
{
    public CreateWebhookValidator(TargetUrlRules urls)
    {
        RuleFor(w => w.Name).NotEmpty().MaximumLength(200);
        RuleFor(w => w.Url).NotEmpty().MaximumLength(2048).SafeUrl(urls);
        RuleFor(w => w.Secret).Length(16, 256).When(w => w.Secret is not null);
        RuleFor(w => w.Events).Must(WebhookEvents.Valid).WithMessage(WebhookEvents.Message).When(w => w.Events is not null);
    }
}

public sealed class PatchWebhookValidator : AbstractValidator<PatchWebhookRequest>
{
    public PatchWebhookValidator(TargetUrlRules urls)
    {
        RuleFor(w => w.Name).NotEmpty().MaximumLength(200).When(w => w.Name is not null);
        RuleFor(w => w.Url).NotEmpty().MaximumLength(2048).SafeUrl(urls).When(w => w.Url is not null);
        RuleFor(w => w.Secret).Length(16, 256).When(w => w.Secret is not null);
        RuleFor(w => w.Events).Must(WebhookEvents.Valid).WithMessage(WebhookEvents.Message).When(w => w.Events is not null);
    }
}

public static class WebhookEvents
{
    public static bool Valid(IReadOnlyList<string>? events) => events is { Count: > 0 } && events.All(e => AlertEventTypes.All.Contains(e)) && events.Distinct().Count() == events.Count;

    public static readonly string Message = $"'events' must be a non-empty list of distinct event types from: {string.Join(", ", AlertEventTypes.All)} (omit it for all).";
}

public sealed class SlaThresholdsValidator : AbstractValidator<SlaThresholdsRequest>
{
    public SlaThresholdsValidator()
    {
        RuleFor(t => t.P95LatencyMs).InclusiveBetween(1, 86_400_000);
        RuleFor(t => t.P95TtftMs).InclusiveBetween(1, 86_400_000);
        RuleFor(t => t.MaxErrorRate).InclusiveBetween(0, 1);
        RuleFor(t => t.WindowMinutes).InclusiveBetween(1, 7 * 24 * 60);
        RuleFor(t => t).Must(t => t.P95LatencyMs is not null || t.P95TtftMs is not null || t.MaxErrorRate is not null)
            .OverridePropertyName("p95LatencyMs").WithMessage("give at least one threshold: p95LatencyMs, p95TtftMs or maxErrorRate.");
    }
}
