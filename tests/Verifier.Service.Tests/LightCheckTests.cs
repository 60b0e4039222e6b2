namespace Verifier.Service.Tests;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Verifier.Core.ChatTemplates;
using Verifier.Service.Tests.Infrastructure;

/// <summary>
/// Light checks through the real pipeline (Hangfire recurring job → AuditRunner → AuditEngine → HTTP to a vendor on
/// 127.0.0.1): at most 4 requests, stored compactly, and a switch to a model of another tokenizer family (the vendor
/// starts counting prompt tokens with the Qwen distill's template and tokenizer) is caught by the next light check,
/// which raises verdict.changed and mismatch.found to a subscribed webhook. Plus SLA figures over known exchange rows.
/// </summary>
public class LightCheckTests : IAsyncLifetime
{
    private static readonly string[] ChangesOnly = ["verdict.changed"];
    private readonly TestDatabase database = new();
    private VendorStub vendor = null!;
    private WebhookReceiver receiver = null!;
    private VerifierFactory factory = null!;
    private HttpClient admin = null!;

    public async Task InitializeAsync()
    {
        await database.InitializeAsync();
        vendor = await VendorStub.StartAsync();
        receiver = await WebhookReceiver.StartAsync();
        factory = new VerifierFactory(database, new Dictionary<string, string> { ["Verifier:Webhooks:PollSeconds"] = "0.2" });
        admin = await factory.ClientAsync("admin");
    }

    public async Task DisposeAsync()
    {
        await factory.DisposeAsync();
        await receiver.DisposeAsync();
        await vendor.DisposeAsync();
        await database.DisposeAsync();
    }

    private sealed record LightAudit(Guid Id, string Kind, string? MostLikely, int Requests, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt);

    private async Task<List<LightAudit>> LightAuditsAsync(string target)
    {
        await using var db = factory.Db();
        return await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(
            from a in db.Audits
            join v in db.Verdicts on a.Id equals v.AuditId
            where a.TargetId == Guid.Parse(target) && a.Trigger == Verifier.Storage.AuditTrigger.Light && a.Status == Verifier.Storage.AuditStatus.Completed
            orderby a.CreatedAt
            select new LightAudit(a.Id, v.Kind, v.MostLikely, a.Requests, a.CreatedAt, a.FinishedAt));
    }

    [Fact]
    public async Task A_light_check_catches_a_switch_to_another_tokenizer_family_and_alerts_once()
    {
        var hook = await (await admin.PostAsJsonAsync("/api/v1/webhooks", new { name = "changes", url = receiver.Url, events = ChangesOnly })).Content.ReadFromJsonAsync<JsonElement>();
        receiver.Secret = hook.GetProperty("secret").GetString()!;
        var target = (await (await admin.PostAsJsonAsync("/api/v1/targets", new { name = "v", kind = "openai", baseUrl = vendor.BaseUrl, model = "deepseek-r1", claimedVariant = "deepseek-r1" }))
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var put = await admin.PutAsJsonAsync($"/api/v1/targets/{target}/light-schedule", new { cron = "*/2 * * * * *" });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(4, (await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("maxRequests").GetInt32());

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await LightAuditsAsync(target)).Count < 2 && DateTime.UtcNow < deadline) await Task.Delay(250);
        var honest = await LightAuditsAsync(target);
        Assert.True(honest.Count >= 2, "no light checks ran");
        Assert.All(honest, a => Assert.NotEqual("mismatch", a.Kind));

        var switchedAt = DateTimeOffset.UtcNow;
        vendor.Template = ChatTemplateId.DistillQwen;
        deadline = DateTime.UtcNow.AddSeconds(60);
        while (!(await LightAuditsAsync(target)).Any(a => a.CreatedAt > switchedAt.AddSeconds(1)) && DateTime.UtcNow < deadline) await Task.Delay(250);
        // Caught within one interval: the first light check created after the switch (a fire just before it may catch it too).
        Assert.Equal("mismatch", (await LightAuditsAsync(target)).First(a => a.CreatedAt > switchedAt.AddSeconds(1)).Kind);
        // The change is raised by the first mismatch to finish (checks may overlap and finish out of order).
        var caught = (await LightAuditsAsync(target)).OrderBy(a => a.FinishedAt).First(a => a.Kind == "mismatch");
        Assert.True(caught.CreatedAt > switchedAt.AddSeconds(-2.5));
        Assert.Equal("qwen", Verifier.Core.Catalog.VariantCatalog.Default.Get(caught.MostLikely!.Split('@')[0]).Tokenizer); // a Qwen-family model, named

        await admin.DeleteAsync($"/api/v1/targets/{target}/light-schedule");
        var all = await LightAuditsAsync(target);
        Assert.All(all, a => Assert.InRange(a.Requests, 1, 4));
        // Compact: the few exchanges of a light check, not a full audit's bodies.
        var bytes = await database.ScalarAsync<long>($"SELECT sum(octet_length(request_body) + octet_length(response_body)) FROM exchanges WHERE audit_id = '{caught.Id}'");
        Assert.InRange(bytes, 1, 16_000);

        deadline = DateTime.UtcNow.AddSeconds(20);
        while (receiver.Accepted.Count == 0 && DateTime.UtcNow < deadline) await Task.Delay(100);
        await Task.Delay(1500); // a second delivery of the same change would come within a few polls
        var change = receiver.Accepted.Where(r => r.EventType == "verdict.changed").ToList();
        var got = Assert.Single(change); // one change (inconclusive → mismatch); the mismatches after it are no change
        Assert.Equal(caught.Id.ToString(), JsonDocument.Parse(got.Body).RootElement.GetProperty("auditId").GetString());
        Assert.True(got.SignatureValid);
        var data = JsonDocument.Parse(got.Body).RootElement.GetProperty("data");
        Assert.Equal("mismatch", data.GetProperty("current").GetProperty("kind").GetString());
        Assert.DoesNotContain(receiver.Requests, r => r.EventType == "mismatch.found"); // not subscribed
    }

    [Fact]
    public async Task Sla_figures_and_series_over_known_exchange_rows()
    {
        var target = (await (await admin.PostAsJsonAsync("/api/v1/targets", new { name = "v", kind = "openai", baseUrl = vendor.BaseUrl, model = "deepseek-r1", claimedVariant = "deepseek-r1" }))
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var audit = Guid.NewGuid();
        await database.ExecuteAsync($"""
            INSERT INTO audits (id, target_id, status, trigger, claimed_variant, budget, created_at, finished_at)
            VALUES ('{audit}', '{target}', 'completed', 'spot', 'deepseek-r1', '{"{}"}', now() - interval '2 hours', now() - interval '1 hour');
            INSERT INTO exchanges (audit_id, seq, probe_id, attempt, method, url, request_headers, request_body, status_code, response_headers, response_body, outcome, started_at, duration_ms, ttft_ms, completion_tokens)
            SELECT '{audit}', i, 'p', 1, 'POST', 'u', '{"{}"}', '', 200, '{"{}"}', '', 'Ok', now() - interval '90 minutes' + i * interval '1 second', i * 100, i * 10, 50
              FROM generate_series(1, 20) AS i;
            INSERT INTO exchanges (audit_id, seq, probe_id, attempt, method, url, request_headers, request_body, status_code, response_headers, response_body, outcome, started_at, duration_ms)
            VALUES ('{audit}', 21, 'p', 1, 'POST', 'u', '{"{}"}', '', NULL, '{"{}"}', '', 'Timeout', now() - interval '80 minutes', 30000),
                   ('{audit}', 22, 'p', 1, 'POST', 'u', '{"{}"}', '', 503, '{"{}"}', '', 'HttpError', now() - interval '80 minutes', 5),
                   ('{audit}', 23, 'p', 1, 'POST', 'u', '{"{}"}', '', 200, '{"{}"}', '', 'Ok', now() - interval '3 days', 99999);
            """);
        var sla = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/targets/{target}/sla?window=24h");
        var f = sla.GetProperty("figures");
        Assert.Equal(22, f.GetProperty("requests").GetInt32());
        Assert.Equal(1000, f.GetProperty("p50LatencyMs").GetDouble());
        Assert.Equal(1900, f.GetProperty("p95LatencyMs").GetDouble());
        Assert.Equal(190, f.GetProperty("p95TtftMs").GetDouble());
        Assert.Equal(1000 / 18.9, f.GetProperty("tokensPerSecond").GetDouble(), 6);
        Assert.Equal(2 / 22.0, f.GetProperty("errorRate").GetDouble(), 9);
        Assert.Equal(1 / 22.0, f.GetProperty("timeoutRate").GetDouble(), 9);
        Assert.Equal(JsonValueKind.Null, f.GetProperty("availability").ValueKind); // no schedule: nothing was owed
        Assert.Equal(23, (await admin.GetFromJsonAsync<JsonElement>($"/api/v1/targets/{target}/sla?window=7d")).GetProperty("figures").GetProperty("requests").GetInt32());

        var series = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/targets/{target}/sla/series?window=24h");
        var buckets = series.GetProperty("buckets").EnumerateArray().ToList();
        Assert.Equal(48, buckets.Count);
        Assert.Equal(22, buckets.Sum(b => b.GetProperty("requests").GetInt32()));
        Assert.InRange(buckets.Max(b => b.GetProperty("requests").GetInt32()), 20, 22); // the 20 ok rows fall within 20 s, one bucket

        await admin.PutAsJsonAsync($"/api/v1/targets/{target}/sla-thresholds", new { p95LatencyMs = 1500, windowMinutes = 24 * 60 });
        var breached = await admin.GetFromJsonAsync<JsonElement>($"/api/v1/targets/{target}/sla?window=24h");
        Assert.Equal("p95 latency 1900 ms > 1500 ms", Assert.Single(breached.GetProperty("breaches").EnumerateArray()).GetString());
    }
}
