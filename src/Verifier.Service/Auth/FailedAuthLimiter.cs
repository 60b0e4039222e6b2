namespace Verifier.Service.Auth;

using System.Threading.RateLimiting;
using Verifier.Service.Http;

/// <summary>
/// Failed authentications per client IP in a one-minute fixed window (System.Threading.RateLimiting). Once a client
/// has used up its budget, every request it sends with credentials is a 429 with Retry-After until the window ends —
/// a right key included, so guessing cannot go on behind the limit.
/// </summary>
public sealed class FailedAuthLimiter(VerifierSettings settings) : IDisposable
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly PartitionedRateLimiter<string> limiter = PartitionedRateLimiter.Create<string, string>(ip =>
        RateLimitPartition.GetFixedWindowLimiter(ip, _ => new FixedWindowRateLimiterOptions { PermitLimit = Math.Max(1, settings.FailedAuthPerMinute), Window = Window, QueueLimit = 0 }));

    public static string ClientOf(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    public void RecordFailure(HttpContext context) => limiter.AttemptAcquire(ClientOf(context)).Dispose();

    public bool IsBlocked(HttpContext context) => limiter.GetStatistics(ClientOf(context))?.CurrentAvailablePermits == 0;

    public void Dispose() => limiter.Dispose();
}

public static class FailedAuthLimit
{
    public static IApplicationBuilder UseFailedAuthLimit(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.Request.Headers.Authorization.Count > 0 && context.RequestServices.GetRequiredService<FailedAuthLimiter>().IsBlocked(context))
        {
            context.Response.Headers.RetryAfter = ((int)FailedAuthLimiter.Window.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await RequestChecks.WriteAsync(context, StatusCodes.Status429TooManyRequests, "Too many failed authentication attempts from this address; try again later.",
                new() { ["Authorization"] = ["too many failed attempts"] });
            return;
        }
        await next(context);
    });
}
