namespace Verifier.Service.Tests;

using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Verifier.Service.Tests.Infrastructure;

/// <summary>
/// With OTEL_EXPORTER_OTLP_ENDPOINT set, a node pushes its spans: the audit's span with its id and target id, one span
/// per probe; never the vendor's key. The collector is a boundary we do not own: a local HTTP receiver of OTLP/protobuf
/// (attribute keys and string values travel as plain UTF-8 in protobuf, so they can be looked for in the bytes).
/// </summary>
public sealed class OtlpExportTests : IAsyncLifetime
{
    private const string VendorKey = "sk-otlp-vendor-secret-51c9";
    private readonly TestDatabase database = new();
    private readonly ConcurrentQueue<(string Path, byte[] Body)> received = new();
    private WebApplication collector = null!;
    private VendorStub vendor = null!;

    public async Task InitializeAsync()
    {
        await database.InitializeAsync();
        vendor = await VendorStub.StartAsync();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        collector = builder.Build();
        collector.MapPost("/v1/{signal}", async (HttpContext ctx) =>
        {
            using var body = new MemoryStream();
            await ctx.Request.Body.CopyToAsync(body);
            received.Enqueue((ctx.Request.Path, body.ToArray()));
            return Results.Bytes([], "application/x-protobuf"); // an empty Export*ServiceResponse: all accepted
        });
        await collector.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await collector.DisposeAsync();
        await vendor.DisposeAsync();
        await database.DisposeAsync();
    }

    [Fact]
    public async Task Audit_and_probe_spans_reach_the_collector_with_ids_and_without_the_key()
    {
        string audit, target;
        await using (var factory = new VerifierFactory(database, new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Urls.First(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "1000", // ms; the default minute would leave metrics to the shutdown flush
        }))
        {
            using var admin = await factory.ClientAsync("admin");
            var created = await admin.PostAsJsonAsync("/api/v1/targets", new { name = "v", kind = "openai", baseUrl = vendor.BaseUrl, model = "deepseek-r1", apiKey = VendorKey, claimedVariant = "deepseek-r1" });
            target = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            var accepted = await admin.PostAsJsonAsync($"/api/v1/targets/{target}/audits", new { budget = new { maxRequests = 4 } });
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            audit = accepted.Headers.Location!.ToString().Split('/')[^1];
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while ((await admin.GetFromJsonAsync<JsonElement>(accepted.Headers.Location)).GetProperty("status").GetString() != "completed")
            {
                Assert.True(DateTime.UtcNow < deadline, "audit not completed");
                await Task.Delay(200);
            }
            // The batch exporters send every few seconds; stopping the node flushes them too, but a flush cut short at
            // shutdown would lose them, so wait (bounded) for the audit's span and a metrics export while the node runs.
            deadline = DateTime.UtcNow.AddSeconds(60);
            while (!(received.Any(r => r.Path == "/v1/traces" && Encoding.UTF8.GetString(r.Body).Contains(audit, StringComparison.Ordinal)) && received.Any(r => r.Path == "/v1/metrics"))
                   && DateTime.UtcNow < deadline)
                await Task.Delay(200);
        }

        var traces = received.Where(r => r.Path == "/v1/traces").Select(r => Encoding.UTF8.GetString(r.Body)).ToList();
        Assert.Contains(traces, t => t.Contains("verifier.audit.id", StringComparison.Ordinal) && t.Contains(audit, StringComparison.Ordinal) && t.Contains(target, StringComparison.Ordinal));
        Assert.Contains(traces, t => t.Contains("verifier.probe.id", StringComparison.Ordinal));
        Assert.Contains(received, r => r.Path == "/v1/metrics");
        Assert.DoesNotContain(received, r => Encoding.UTF8.GetString(r.Body).Contains(VendorKey, StringComparison.Ordinal));
    }
}
