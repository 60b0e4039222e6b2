namespace Verifier.Service.Dashboard;

using FluentValidation;
using Verifier.Service.Api;

/// <summary>The API's validation of a request, for a dashboard form: the same rules, the problems by camelCase field name.</summary>
public static class FormErrors
{
    public static async Task<Dictionary<string, string[]>> ValidateAsync<T>(IValidator<T> validator, T request, CancellationToken ct) where T : notnull
    {
        var unstorable = TextRules.Problems(request).ToDictionary(p => p.Field, p => new[] { p.Problem });
        if (unstorable.Count > 0) return unstorable;
        var result = await validator.ValidateAsync(request, ct);
        return result.Errors
            .GroupBy(e => e.PropertyName.Length == 0 ? e.PropertyName : char.ToLowerInvariant(e.PropertyName[0]) + e.PropertyName[1..])
            .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).Distinct().ToArray());
    }

    /// <summary>An optional form field: empty means "not given".</summary>
    public static string? Given(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
