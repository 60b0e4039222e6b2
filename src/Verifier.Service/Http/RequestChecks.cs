namespace Verifier.Service.Http;

using System.Net.Http.Headers;

/// <summary>
/// A body sent to the API must be JSON in UTF-8: anything else (text/plain, no Content-Type, charset=foo) is a 415
/// naming Content-Type before any endpoint tries to read it.
/// </summary>
public static class RequestChecks
{
    /// <summary>Null when the body may be read as JSON; else what is wrong with the Content-Type.</summary>
    public static string? ContentTypeProblem(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType)) return "is missing: send application/json";
        if (!MediaTypeHeaderValue.TryParse(contentType, out var media) || media.MediaType is null) return "is not a valid media type: send application/json";
        var type = media.MediaType;
        if (!type.Equals("application/json", StringComparison.OrdinalIgnoreCase) && !type.EndsWith("+json", StringComparison.OrdinalIgnoreCase))
            return $"'{Truncate(type)}' is not supported: send application/json";
        if (media.CharSet is { } charset && !charset.Trim('"').Equals("utf-8", StringComparison.OrdinalIgnoreCase) && !charset.Trim('"').Equals("utf8", StringComparison.OrdinalIgnoreCase))
            return $"charset '{Truncate(charset)}' is not supported: send UTF-8";
        return null;
    }

    public static IApplicationBuilder UseJsonBodies(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var request = context.Request;
        var hasBody = request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);
        if (hasBody && request.Path.StartsWithSegments("/api") && ContentTypeProblem(request.ContentType) is { } problem)
        {
            await WriteAsync(context, StatusCodes.Status415UnsupportedMediaType, "Unsupported Content-Type.", new() { ["Content-Type"] = [problem] });
            return;
        }
        await next(context);
    });

    public static Task WriteAsync(HttpContext context, int status, string title, Dictionary<string, string[]> errors)
    {
        context.Response.StatusCode = status;
        return context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new HttpValidationProblemDetails(errors) { Status = status, Title = title },
        }).AsTask();
    }

    private static string Truncate(string s) => s.Length > 40 ? s[..40] + "…" : s;
}
