namespace Verifier.Service.Tests.Infrastructure;

using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Verifier.Core.Alerts;

/// <summary>
/// A webhook receiver on 127.0.0.1, as a customer would write one: verifies X-Verifier-Signature over
/// "{X-Verifier-Timestamp}.{body}" with its secret (refusing a wrong or stale one with 401), answers 503 while
/// <see cref="Down"/>, and keeps every request it saw and every delivery it accepted.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public sealed record Received(string? DeliveryId, string? EventType, string Body, bool SignatureValid, int Answer, DateTimeOffset At);

    private readonly WebApplication app;
    public ConcurrentQueue<Received> Requests { get; } = new();
    public string Secret { get; set; } = "";
    public bool Down { get; set; }
    public string Url { get; }

    private WebhookReceiver(WebApplication app, string url) { this.app = app; Url = url; }

    /// <summary>Deliveries answered 2xx (what the receiver acted on).</summary>
    public IReadOnlyList<Received> Accepted => Requests.Where(r => r.Answer == 200).ToList();

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        WebhookReceiver? self = null;
        app.MapPost("/hook", async (HttpContext ctx) =>
        {
            using var reader = new StreamReader(ctx.Request.Body);
            var body = await reader.ReadToEndAsync();
            var valid = WebhookSignature.Verify(self!.Secret, ctx.Request.Headers["X-Verifier-Timestamp"], body, ctx.Request.Headers["X-Verifier-Signature"], DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5));
            var answer = self.Down ? 503 : valid ? 200 : 401;
            self.Requests.Enqueue(new Received(ctx.Request.Headers["X-Verifier-Delivery"], ctx.Request.Headers["X-Verifier-Event"], body, valid, answer, DateTimeOffset.UtcNow));
            return Results.StatusCode(answer);
        });
        await app.StartAsync();
        self = new WebhookReceiver(app, app.Urls.First() + "/hook");
        return self;
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
