namespace Verifier.Service.Api;

using Verifier.Core;
using System.Net;
using FluentValidation;
using Verifier.Core.Audits;
using Verifier.Core.Catalog;
using Verifier.Core.Security;
using Verifier.Service.Audits;

/// <summary>Target URLs: absolute http(s), and not into our own network unless allowed (DNS is resolved here).</summary>
public sealed class TargetUrlRules(VerifierSettings settings)
{
    public async Task<string?> ProblemAsync(string url, CancellationToken ct)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) return "must be an absolute http or https URL";
        if (!string.IsNullOrEmpty(uri.UserInfo)) return "must not carry credentials; use apiKey";
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(uri.Host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(uri.Host, ct);
        }
        catch (System.Net.Sockets.SocketException)
        {
            addresses = [];
        }
        return OutboundPolicy.Check(uri, addresses, settings.AllowedHosts);
    }
}

public static class Rules
{
    public static IRuleBuilderOptions<T, string?> KnownVariant<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(v => v is null || VariantCatalog.Default.IsKnownBuild(v))
            .WithMessage(v => $"is not a catalogued variant (or variant@precision); known variants: {string.Join(", ", VariantCatalog.Default.Variants.Select(x => x.Id))}");

    public static IRuleBuilderOptionsConditions<T, string?> SafeUrl<T>(this IRuleBuilder<T, string?> rule, TargetUrlRules urls) =>
        rule.CustomAsync(async (url, ctx, ct) =>
        {
            if (url is null) return;
            if (await urls.ProblemAsync(url, ct) is { } problem) ctx.AddFailure(ctx.PropertyPath, problem + ".");
        });
}

public sealed class BudgetValidator : AbstractValidator<BudgetDto>
{
    public BudgetValidator()
    {
        RuleFor(b => b.MaxRequests).InclusiveBetween(1, 10_000);
        RuleFor(b => b.MaxTokens).InclusiveBetween(1, 100_000_000);
        RuleFor(b => b.MaxWallSeconds).InclusiveBetween(1, 86_400);
    }
}

public sealed class CreateTargetValidator : AbstractValidator<CreateTargetRequest>
{
    public CreateTargetValidator(TargetUrlRules urls)
    {
        RuleFor(t => t.Name).NotEmpty().MaximumLength(200);
        RuleFor(t => t.Kind).NotEmpty().Must(k => StoredNames.All<TargetKind>().Contains(k)).WithMessage("'kind' must be 'openai' or 'onnx'.");
        RuleFor(t => t.ClaimedVariant).NotEmpty().KnownVariant();
        RuleFor(t => t.Dialect).Must(d => d is null || Verifier.Targets.Http.Dialects.Names.Contains(d)).WithMessage($"'dialect' must be one of {string.Join(", ", Verifier.Targets.Http.Dialects.Names)}.");
        RuleFor(t => t.ApiKey).MaximumLength(4096);
        When(t => t.Kind == "openai", () =>
        {
            RuleFor(t => t.BaseUrl).NotEmpty().MaximumLength(2048).SafeUrl(urls);
            RuleFor(t => t.Model).NotEmpty().MaximumLength(200);
        });
        When(t => t.Kind == "onnx", () => RuleFor(t => t.Path).NotEmpty().MaximumLength(4096));
        RuleFor(t => t.Path).MaximumLength(4096);
    }
}

public sealed class PatchTargetValidator : AbstractValidator<PatchTargetRequest>
{
    public PatchTargetValidator(TargetUrlRules urls)
    {
        RuleFor(t => t.Name).NotEmpty().MaximumLength(200).When(t => t.Name is not null);
        RuleFor(t => t.ClaimedVariant).NotEmpty().KnownVariant().When(t => t.ClaimedVariant is not null);
        RuleFor(t => t.Dialect).Must(d => d is null || Verifier.Targets.Http.Dialects.Names.Contains(d)).WithMessage($"'dialect' must be one of {string.Join(", ", Verifier.Targets.Http.Dialects.Names)}.");
        RuleFor(t => t.BaseUrl).NotEmpty().MaximumLength(2048).SafeUrl(urls).When(t => t.BaseUrl is not null);
        RuleFor(t => t.Model).NotEmpty().MaximumLength(200).When(t => t.Model is not null);
        RuleFor(t => t.Path).NotEmpty().MaximumLength(4096).When(t => t.Path is not null);
        RuleFor(t => t.ApiKey).MaximumLength(4096);
    }
}

public sealed class ScheduleValidator : AbstractValidator<ScheduleRequest>
{
    public ScheduleValidator(IValidator<BudgetDto> budget, TimeProvider time)
    {
        this.AddCronRules(s => s.Cron, s => s.TimeZone, time);
        RuleFor(s => s.Suite).Must(s => s is null or "default").WithMessage("'suite' must be 'default' (the only suite shipped).");
        RuleFor(s => s.Budget!).SetValidator(budget).When(s => s.Budget is not null);
    }
}

public sealed class SpotCheckValidator : AbstractValidator<SpotCheckRequest>
{
    public SpotCheckValidator(IValidator<BudgetDto> budget) => RuleFor(s => s.Budget!).SetValidator(budget).When(s => s.Budget is not null);
}

public sealed class CreateKeyValidator : AbstractValidator<CreateKeyRequest>
{
    public CreateKeyValidator()
    {
        RuleFor(k => k.Role).NotEmpty().Must(r => ApiKeys.Roles.Contains(r)).WithMessage("'role' must be admin, auditor or viewer.");
        RuleFor(k => k.Name).NotEmpty().MaximumLength(200);
    }
}
