namespace Verifier.Targets.Tests.Http;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

/// <summary>A real Kestrel server on 127.0.0.1 (ephemeral port) answering like a vendor would, call by call.</summary>
internal sealed class StubServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private int calls;

    public List<(string Method, string Path, byte[] Body, string? Authorization)> Received { get; } = [];
    public int Calls => Volatile.Read(ref calls);
    public Uri BaseUrl { get; }

    private StubServer(WebApplication app, Uri baseUrl)
    {
        this.app = app;
        BaseUrl = baseUrl;
    }

    /// <summary>handler(context, call index starting at 0)</summary>
    public static async Task<StubServer> StartAsync(Func<HttpContext, int, Task> handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        StubServer? self = null;
        app.Run(async ctx =>
        {
            using var ms = new MemoryStream();
            await ctx.Request.Body.CopyToAsync(ms);
            int index;
            lock (self!.Received)
            {
                self.Received.Add((ctx.Request.Method, ctx.Request.Path + ctx.Request.QueryString, ms.ToArray(), ctx.Request.Headers.Authorization.ToString() is { Length: > 0 } a ? a : null));
                index = self.calls++;
            }
            await handler(ctx, index);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        self = new StubServer(app, new Uri(address + "/"));
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    public static Task Json(HttpContext ctx, string json, int status = 200)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        return ctx.Response.WriteAsync(json);
    }

    public static string Completion(string content, string? reasoningField = null, string fieldName = "reasoning_content", bool usage = true) =>
        System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["id"] = "cmpl-1",
            ["object"] = "chat.completion",
            ["model"] = "deepseek-reasoner",
            ["system_fingerprint"] = "fp_test",
            ["choices"] = new[] { new Dictionary<string, object?> { ["index"] = 0, ["finish_reason"] = "stop", ["message"] = reasoningField is null
                ? new Dictionary<string, object?> { ["role"] = "assistant", ["content"] = content }
                : new Dictionary<string, object?> { ["role"] = "assistant", ["content"] = content, [fieldName] = reasoningField } } },
            ["usage"] = usage ? new { prompt_tokens = 12, completion_tokens = 34, total_tokens = 46, completion_tokens_details = new { reasoning_tokens = 20 } } : null,
        });
}

/// <summary>Backoff delays complete at once (tests stay fast) but are recorded, so Retry-After handling is visible.</summary>
internal sealed class InstantDelays : TimeProvider
{
    public List<TimeSpan> Delays { get; } = [];

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            lock (Delays) Delays.Add(dueTime);
            ThreadPool.QueueUserWorkItem(_ => callback(state));
        }
        return new NoTimer();
    }

    private sealed class NoTimer : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => true;
        public void Dispose() { }
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
