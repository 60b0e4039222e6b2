namespace Verifier.Service.Http;

using System.Diagnostics;

/// <summary>
/// One Information line per request, with query values shown only for known harmless parameters: a key sent as
/// ?access_token= or ?api_key= never reaches a log. (ASP.NET Core's own "Request starting" lines, which print the
/// raw query, are filtered to Warning in VerifierApp.)
/// </summary>
public static class RequestLogging
{
    private static readonly HashSet<string> Visible = new(StringComparer.OrdinalIgnoreCase) { "page", "pageSize", "after", "limit", "format" };

    public static string Redact(QueryString query)
    {
        if (!query.HasValue) return "";
        var parts = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(query.Value)
            .Select(p => Visible.Contains(p.Key) ? $"{p.Key}={p.Value}" : $"{p.Key}=***");
        return "?" + string.Join('&', parts);
    }

    public static IApplicationBuilder UseRequestLogging(this IApplicationBuilder app)
    {
        var log = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Verifier.Requests");
        return app.Use(async (context, next) =>
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await next(context);
            }
            finally
            {
                log.LogInformation("{Method} {Path}{Query} answered {Status} in {Ms:0} ms", context.Request.Method, context.Request.Path,
                    Redact(context.Request.QueryString), context.Response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        });
    }
}
