namespace Verifier.Service.Api;

using FluentValidation;
using FluentValidation.Results;
using Microsoft.AspNetCore.Http.HttpResults;

/// <summary>Validates the body argument of type T; failures become a 400 ValidationProblem keyed by camelCase field name.</summary>
public sealed class ValidationFilter<T>(IValidator<T> validator) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var body = context.Arguments.OfType<T>().FirstOrDefault();
        if (body is null)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["A JSON body is required."] });
        var unstorable = TextRules.Problems(body).ToDictionary(p => p.Field, p => new[] { p.Problem });
        if (unstorable.Count > 0) return TypedResults.ValidationProblem(unstorable);
        var result = await validator.ValidateAsync(body, context.HttpContext.RequestAborted);
        return result.IsValid ? await next(context) : ValidationExtensions.Problem(result);
    }
}

public static class ValidationExtensions
{
    public static RouteHandlerBuilder Validate<T>(this RouteHandlerBuilder builder) =>
        builder.AddEndpointFilter<ValidationFilter<T>>().ProducesValidationProblem();

    /// <summary>A 400 naming each failing field by its camelCase path ("budget.maxRequests").</summary>
    public static ValidationProblem Problem(ValidationResult result) =>
        TypedResults.ValidationProblem(result.Errors
            .GroupBy(e => CamelCase(e.PropertyName))
            .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).Distinct().ToArray()));

    private static string CamelCase(string path) =>
        string.Join('.', path.Split('.').Select(p => p.Length == 0 ? p : char.ToLowerInvariant(p[0]) + p[1..]));
}

/// <summary>
/// Text PostgreSQL cannot store (NUL, SQLSTATE 22021) or UTF-8 cannot encode (an unpaired surrogate) in any string
/// field of a request body, nested records included: a 400 naming the field instead of a 500 from the database.
/// </summary>
public static class TextRules
{
    public static string? Problem(string value)
    {
        if (value.Contains('\0', StringComparison.Ordinal)) return "must not contain NUL (\\u0000) characters.";
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) { i++; continue; }
            if (char.IsSurrogate(value[i])) return "must be valid Unicode (it contains an unpaired surrogate).";
        }
        return null;
    }

    public static IEnumerable<(string Field, string Problem)> Problems(object body, string prefix = "")
    {
        foreach (var property in body.GetType().GetProperties().Where(p => p.GetIndexParameters().Length == 0))
        {
            var name = prefix + char.ToLowerInvariant(property.Name[0]) + property.Name[1..];
            var value = property.GetValue(body);
            if (value is string text && Problem(text) is { } problem) yield return (name, problem);
            else if (value is not null and not string && !property.PropertyType.IsValueType && property.PropertyType.Namespace == typeof(TextRules).Namespace)
                foreach (var nested in Problems(value, name + ".")) yield return nested;
        }
    }
}
