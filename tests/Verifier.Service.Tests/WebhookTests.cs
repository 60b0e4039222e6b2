namespace Verifier.Service.Tests;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Verifier.Service.Tests.Infrastructure;

public sealed class WebhookFixture : IAsyncLifetime
{
    public TestDatabase Database { get; } = new();
    public VerifierFactory Factory { get; private set; } = null!;
    public WebhookReceiver Receiver { get; private set; } = null!;
    public HttpClient Admin { get; private set; } = null!;
    public HttpClient Viewer { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        Receiver = await WebhookReceiver.StartAsync();
        Factory = new VerifierFactory(Database, new Dictionary<string, string>
        {
            ["Verifier:Webhooks:PollSeconds"] = "0.2", ["Verifier:Webhooks:BaseDelaySeconds"] = "0.5", ["Verifier:Webhooks:MaxDelaySeconds"] = "1",
        });
        Admin = await Factory.ClientAsync("admin");
        Viewer = await Factory.ClientAsync("viewer");
    }

    public async Task DisposeAsync()
    {
        await Factory.DisposeAsync();
        await Receiver.DisposeAsync();
        await Database.DisposeAsync();
    }
}

public class WebhookTests(WebhookFixture f) : IClassFixture<WebhookFixture>
{
    private static async Task<JsonElement> Json(HttpResponseMessage r) => await r.Content.ReadFromJsonAsync<JsonElement>();

    [Theory]
    [InlineData("""{"url":"http://127.0.0.1:9/hook"}""", "name")]
    [InlineData("""{"name":"n"}""", "url")]
    [InlineData("""{"name":"n","url":"not a url"}""", "url")]
    [InlineData("""{"name":"n","url":"http://10.1.2.3/hook"}""", "url")]
    [InlineData("""{"name":"n","url":"http://user:pw@127.0.0.1/hook"}""", "url")]
    [InlineData("""{"name":"n","url":"http://127.0.0.1:9/hook","secret":"short"}""", "secret")]
    [InlineData("""{"name":"n","url":"http://127.0.0.1:9/hook","events":["verdict.flipped"]}""", "events")]
    [InlineData("""{"name":"n","url":"http://127.0.0.1:9/hook","events":[]}""", "events")]
    [InlineData("""{"name":"n","url":"http://127.0.0.1:9/hook","events":["test","test"]}""", "events")]
    public async Task Bad_webhook_bodies_are_400s_naming_the_field(string body, string field)
    {
        var response = await f.Admin.PostAsync("/api/v1/webhooks", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await Json(response)).GetProperty("errors").TryGetProperty(field, out _), await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Webhooks_are_admin_only()
    {
        Assert.Equal(HttpStatusCode.Forbidden, (await f.Viewer.GetAsync("/api/v1/webhooks")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await f.Viewer.PostAsJsonAsync("/api/v1/webhooks", new { name = "n", url = f.Receiver.Url })).StatusCode);
    }

    [Fact]
    public async Task Secret_is_returned_once_never_again_and_the_test_button_delivers_a_signed_event()
    {
        var created = await f.Admin.PostAsJsonAsync("/api/v1/webhooks", new { name = "ops", url = f.Receiver.Url });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var hook = await Json(created);
        var secret = hook.GetProperty("secret").GetString()!;
        var id = hook.GetProperty("id").GetString()!;
        Assert.StartsWith("whsec_", secret);
        f.Receiver.Secret = secret;

        // Never again: read, list, change, the audit log, the column, the logs.
        var read = await f.Admin.GetStringAsync($"/api/v1/webhooks/{id}");
        var list = await f.Admin.GetStringAsync("/api/v1/webhooks");
        var patched = await (await f.Admin.PatchAsJsonAsync($"/api/v1/webhooks/{id}", new { name = "ops team" })).Content.ReadAsStringAsync();
        foreach (var text in new[] { read, list, patched }) { Assert.DoesNotContain(secret, text); Assert.DoesNotContain("secret", text, StringComparison.OrdinalIgnoreCase); }
        Assert.Equal(0L, await f.Database.ScalarAsync<long>($"SELECT count(*) FROM audit_log WHERE data::text LIKE '%{secret}%'"));
        Assert.Equal(0L, await f.Database.ScalarAsync<long>($"SELECT count(*) FROM webhooks WHERE position(convert_to('{secret}', 'UTF8') in secret_cipher) > 0"));

        var test = await f.Admin.PostAsync($"/api/v1/webhooks/{id}/test", null);
        Assert.Equal(HttpStatusCode.Accepted, test.StatusCode);
        var deliveryId = (await Json(test)).GetProperty("deliveryId").GetString();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!f.Receiver.Accepted.Any(r => r.DeliveryId == deliveryId) && DateTime.UtcNow < deadline) await Task.Delay(100);
        var got = Assert.Single(f.Receiver.Accepted, r => r.DeliveryId == deliveryId);
        Assert.True(got.SignatureValid);
        Assert.Equal("test", got.EventType);
        Assert.Equal("test", JsonDocument.Parse(got.Body).RootElement.GetProperty("type").GetString());

        var log = await WaitForDeliveryAsync(id, deliveryId!, "delivered");
        var attempt = Assert.Single(log.GetProperty("attemptLog").EnumerateArray());
        Assert.Equal(200, attempt.GetProperty("statusCode").GetInt32());
        Assert.True(attempt.GetProperty("durationMs").GetDouble() > 0);
        Assert.DoesNotContain(f.Factory.Logs, line => line.Contains(secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_refusing_receiver_is_retried_with_backoff_and_every_attempt_is_logged()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var hook = await Json(await f.Admin.PostAsJsonAsync("/api/v1/webhooks", new { name = "flaky", url = receiver.Url, secret = "a-secret-of-the-customer-1234" }));
        receiver.Secret = "a-secret-of-the-customer-1234";
        receiver.Down = true;
        var id = hook.GetProperty("id").GetString()!;
        var deliveryId = (await Json(await f.Admin.PostAsync($"/api/v1/webhooks/{id}/test", null))).GetProperty("deliveryId").GetString()!;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (receiver.Requests.Count < 3 && DateTime.UtcNow < deadline) await Task.Delay(100);
        receiver.Down = false;
        var log = await WaitForDeliveryAsync(id, deliveryId, "delivered");
        var attempts = log.GetProperty("attemptLog").EnumerateArray().ToList();
        Assert.True(attempts.Count >= 4, log.ToString());
        Assert.All(attempts[..^1], a => Assert.Equal(503, a.GetProperty("statusCode").GetInt32()));
        Assert.Equal("HTTP 503", attempts[0].GetProperty("error").GetString());
        Assert.Equal(200, attempts[^1].GetProperty("statusCode").GetInt32());
        var gaps = attempts.Zip(attempts.Skip(1), (a, b) => (b.GetProperty("at").GetDateTimeOffset() - a.GetProperty("at").GetDateTimeOffset()).TotalSeconds).ToList();
        Assert.All(gaps, g => Assert.True(g >= 0.25, $"gap {g} s below the jittered base delay")); // base 0.5 s: at least half of it
        Assert.Single(receiver.Accepted);
        Assert.All(receiver.Requests, r => Assert.Equal(deliveryId, r.DeliveryId)); // one stable id across retries
    }

    [Fact]
    public async Task Sla_thresholds_light_schedules_and_windows_validate_their_input()
    {
        var target = await Json(await f.Admin.PostAsJsonAsync("/api/v1/targets", new { name = "t", kind = "openai", baseUrl = "http://127.0.0.1:9", model = "m", claimedVariant = "deepseek-r1" }));
        var t = target.GetProperty("id").GetString();
        async Task Bad(HttpResponseMessage r, string field)
        {
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
            Assert.True((await Json(r)).GetProperty("errors").TryGetProperty(field, out _), await r.Content.ReadAsStringAsync());
        }
        await Bad(await f.Admin.PutAsJsonAsync($"/api/v1/targets/{t}/sla-thresholds", new { windowMinutes = 60 }), "p95LatencyMs");
        await Bad(await f.Admin.PutAsJsonAsync($"/api/v1/targets/{t}/sla-thresholds", new { maxErrorRate = 1.5 }), "maxErrorRate");
        await Bad(await f.Admin.PutAsJsonAsync($"/api/v1/targets/{t}/sla-thresholds", new { p95LatencyMs = 100, windowMinutes = 0 }), "windowMinutes");
        await Bad(await f.Admin.PutAsJsonAsync($"/api/v1/targets/{t}/light-schedule", new { cron = "every minute" }), "cron");
        await Bad(await f.Admin.PutAsJsonAsync($"/api/v1/targets/{t}/light-schedule", new { cron = "* * * * *", timeZone = "Mars/Olympus" }), "timeZone");
        await Bad(await f.Admin.GetAsync($"/api/v1/targets/{t}/sla?window=1y"), "window");
        await Bad(await f.Admin.GetAsync($"/api/v1/targets/{t}/sla/series?window=24h&buckets=0"), "buckets");
        Assert.Equal(HttpStatusCode.OK, (await f.Admin.PutAsJsonAsync($"/api/v1/targets/{t}/sla-thresholds", new { p95LatencyMs = 100 })).StatusCode);
        Assert.Equal(60, (await f.Viewer.GetFromJsonAsync<JsonElement>($"/api/v1/targets/{t}/sla-thresholds")).GetProperty("windowMinutes").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, (await f.Viewer.GetAsync($"/api/v1/targets/{Guid.NewGuid()}/sla")).StatusCode);
    }

    private async Task<JsonElement> WaitForDeliveryAsync(string webhookId, string deliveryId, string status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var page = await f.Admin.GetFromJsonAsync<JsonElement>($"/api/v1/webhooks/{webhookId}/deliveries");
            var d = page.GetProperty("items").EnumerateArray().FirstOrDefault(x => x.GetProperty("id").GetString() == deliveryId);
            if ((d.ValueKind != JsonValueKind.Undefined && d.GetProperty("status").GetString() == status) || DateTime.UtcNow > deadline) return d;
            await Task.Delay(100);
        }
    }
}
