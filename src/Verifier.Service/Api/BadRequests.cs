namespace Verifier.Service.Api;

using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;

/// <summary>
/// Turns framework-level bad input (malformed JSON, wrong JSON types, oversized bodies) into ProblemDetails with the
/// right status and, for JSON, the offending field. Anything else is a 500 without internals.
/// </summary>
public sealed class BadRequests(IProblemDetailsService problems, ILogger<BadRequests> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var context = httpContext;
        if (exception is BadHttpRequestException bad)
        {
            context.Response.StatusCode = bad.StatusCode;
            var json = FindJsonError(bad);
            var details = bad.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = 413, Title = "Request body too large." }
                : new Microsoft.AspNetCore.Http.HttpValidationProblemDetails(new Dictionary<string, string[]>
                {
                    [json is null ? ParameterName(bad.Message) : FieldName(json.Path)] = [json is null ? ParameterError(bad.Message) : $"Invalid JSON: {json.Message?.Split(" Path:")[0]}"],
                })
                { Status = bad.StatusCode, Title = "One or more validation errors occurred." };
            return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = details, Exception = exception });
        }
        log.LogError(exception, "Unhandled error on {Path}", context.Request.Path);
        return false;
    }

    private static JsonException? FindJsonError(Exception? e)
    {
        for (; e is not null; e = e.InnerException) if (e is JsonException j) return j;
        return null;
    }

    // "Failed to bind parameter \"int? page\" from \"abc\"." names the query or route parameter.
    private static string ParameterName(string message)
    {
        var m = System.Text.RegularExpressions.Regex.Match(message, "parameter \"(?:[^\" ]+ )?([A-Za-z0-9_]+)\"");
        return m.Success ? m.Groups[1].Value : "body";
    }

    // A route id is a typed Guid: say what an id looks like rather than the binder's wording.
    private static string ParameterError(string message)
    {
        var m = System.Text.RegularExpressions.Regex.Match(message, "^Failed to bind parameter \"Guid [A-Za-z]+\" from \"(.*)\"\\.$", System.Text.RegularExpressions.RegexOptions.Singleline);
        if (!m.Success) return message;
        var raw = m.Groups[1].Value;
        return $"'{(raw.Length > 64 ? raw[..64] + "…" : raw)}' is not a valid id (a UUID).";
    }

    private static string FieldName(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$") return "body";
        return path.TrimStart('$', '.');
    }
}

/// <summary>413 before reading a body larger than the limit; the limit also applies to chunked bodies via Kestrel's feature.</summary>
public static class BodyLimit
{
    public static IApplicationBuilder UseBodyLimit(this IApplicationBuilder app, long maxBytes) => app.Use(async (context, next) =>
    {
        if (context.Request.ContentLength > maxBytes)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = { Status = 413, Title = "Request body too large.", Detail = $"The limit is {maxBytes} bytes." },
            });
            return;
        }
        if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
            feature.MaxRequestBodySize = maxBytes;
        await next(context);
    });
}
