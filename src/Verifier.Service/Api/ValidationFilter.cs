namespace Verifier.Service.Api;

using FluentValidation;

/// <summary>Validates the body argument of type T; failures become a 400 ValidationProblem keyed by camelCase field name.</summary>
public sealed class ValidationFilter<T>(IValidator<T> validator) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var body = context.Arguments.OfType<T>().FirstOrDefault();
        if (body is null)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["A JSON body is required."] });
        var result = await validator.ValidateAsync(body, context.HttpContext.RequestAborted);
        if (result.IsValid) return await next(context);
        return TypedResults.ValidationProblem(result.Errors
            .GroupBy(e => CamelCase(e.PropertyName))
            .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).Distinct().ToArray()));
    }

    private static string CamelCase(string path) =>
        string.Join('.', path.Split('.').Select(p => p.Length == 0 ? p : char.ToLowerInvariant(p[0]) + p[1..]));
}

public static class ValidationExtensions
{
    public static RouteHandlerBuilder Validate<T>(this RouteHandlerBuilder builder) =>
        builder.AddEndpointFilter<ValidationFilter<T>>().ProducesValidationProblem();

    /// <summary>Route ids are parsed here so a malformed id is a 400 naming the parameter, not a 404 or 500.</summary>
    public static bool TryId(string raw, out Guid id, out IResult? problem)
    {
        problem = null;
        if (Guid.TryParse(raw, out id)) return true;
        problem = TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["id"] = [$"'{Truncate(raw)}' is not a valid id (a UUID)."] });
        return false;
    }

    private static string Truncate(string s) => s.Length > 64 ? s[..64] + "…" : s;
}
