namespace Verifier.Service.Tests;

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Verifier.Core.ChatTemplates;
using Verifier.Service.Tests.Infrastructure;
using Verifier.Storage;

/// <summary>
/// Issue 14's done-criterion, on two `verifier serve` processes sharing one database: a verdict change on a scheduled
/// target (light checks every 4 s; the vendor switches to a Qwen-family model, later back) delivers ONE signed webhook
/// to a receiver on 127.0.0.1, exactly once although both nodes dispatch; and a change that happens while the receiver
/// refuses (503) for a full minute of real time is delivered once it is back. Real time rather than a driven clock:
/// the nodes are separate processes, and what is under test is their shared outbox, leases and backoff as they run
/// (backoff base 2 s, cap 8 s, so the minute costs a minute and about ten attempts).
/// </summary>
public class AlertClusterTests : IAsyncLifetime
{
    private static readonly string[] ChangesOnly = ["verdict.changed"];
    private readonly TestDatabase database = new();
    private VendorStub vendor = null!;
    private WebhookReceiver receiver = null!;
    private ServiceNode a = null!, b = null!;
    private HttpClient client = null!;

    public async Task InitializeAsync()
    {
        await database.InitializeAsync();
        vendor = await VendorStub.StartAsync();
        receiver = await WebhookReceiver.StartAsync();
        string key;
        await using (var db = new VerifierDb(VerifierDb.Options(database.ConnectionString), VerifierFactory.LogKey))
            key = (await KeyStore.CreateAsync(db, "admin", "alert cluster test", null)).Key;
        var env = new Dictionary<string, string>
        {
            ["Verifier__Webhooks__PollSeconds"] = "0.5", ["Verifier__Webhooks__BaseDelaySeconds"] = "2",
            ["Verifier__Webhooks__MaxDelaySeconds"] = "8", ["Verifier__Webhooks__MaxAttempts"] = "100",
        };
        var nodes = await Task.WhenAll(ServiceNode.StartAsync("node-a", database.ConnectionString, env), ServiceNode.StartAsync("node-b", database.ConnectionString, env));
        (a, b) = (nodes[0], nodes[1]);
        client = new HttpClient { BaseAddress = new Uri(a.BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await a.DisposeAsync();
        await b.DisposeAsync();
        await receiver.DisposeAsync();
        await vendor.DisposeAsync();
        await database.DisposeAsync();
    }

    private static string AuditOf(WebhookReceiver.Received r) => JsonDocument.Parse(r.Body).RootElement.GetProperty("auditId").GetString()!;

    private async Task WaitAsync(Func<Task<bool>> done, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await done())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"timed out waiting for {what}; audits: {await database.ScalarAsync<string>("SELECT string_agg(trigger || ' ' || status || ' ' || COALESCE(error, '-'), '; ') FROM audits")}\n--- {a.Name}:\n{a.OutputTail}\n--- {b.Name}:\n{b.OutputTail}");
            await Task.Delay(250);
        }
    }

    [Fact]
    public async Task A_verdict_change_is_delivered_once_across_two_nodes_and_again_after_the_receiver_was_down_a_minute()
    {
        var hook = await (await client.PostAsJsonAsync("/api/v1/webhooks", new { name = "compliance", url = receiver.Url, events = ChangesOnly })).Content.ReadFromJsonAsync<JsonElement>();
        receiver.Secret = hook.GetProperty("secret").GetString()!;
        var hookId = hook.GetProperty("id").GetString();
        var target = (await (await client.PostAsJsonAsync("/api/v1/targets", new { name = "vendor", kind = "openai", baseUrl = vendor.BaseUrl, model = "deepseek-r1", claimedVariant = "deepseek-r1" }))
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync($"/api/v1/targets/{target}/light-schedule", new { cron = "*/4 * * * * *" })).StatusCode);
        var completed = $"SELECT count(*) FROM audits WHERE target_id = '{target}' AND trigger = 'light' AND status = 'completed'";
        await WaitAsync(async () => await database.ScalarAsync<long>(completed) >= 2, TimeSpan.FromSeconds(180), "two honest light checks");

        // 1. The vendor switches to a Qwen-family model: one change, one signed delivery, one POST — though two nodes dispatch.
        vendor.Template = ChatTemplateId.DistillQwen;
        await WaitAsync(() => Task.FromResult(receiver.Accepted.Count >= 1), TimeSpan.FromSeconds(120), "the first delivery");
        await Task.Delay(TimeSpan.FromSeconds(6)); // several light checks and dispatch polls later: still one
        var first = Assert.Single(receiver.Accepted);
        Assert.True(first.SignatureValid);
        Assert.Equal("verdict.changed", first.EventType);
        Assert.Single(receiver.Requests, r => r.DeliveryId == first.DeliveryId);
        Assert.Equal("mismatch", JsonDocument.Parse(first.Body).RootElement.GetProperty("data").GetProperty("current").GetProperty("kind").GetString());
        Assert.Equal(1L, await database.ScalarAsync<long>($"SELECT count(*) FROM webhook_deliveries WHERE webhook_id = '{hookId}'"));

        // 2. The receiver goes down; the vendor switches back; the change waits in the outbox for a minute of refusals.
        receiver.Down = true;
        vendor.Template = ChatTemplateId.R1;
        await WaitAsync(() => Task.FromResult(receiver.Requests.Any(r => r.Answer == 503)), TimeSpan.FromSeconds(120), "the second change's first attempt");
        var downSince = receiver.Requests.First(r => r.Answer == 503).At;
        await Task.Delay(downSince.AddSeconds(61) - DateTimeOffset.UtcNow);
        receiver.Down = false;
        await WaitAsync(() => Task.FromResult(receiver.Accepted.Count >= 2), TimeSpan.FromSeconds(60), "the delivery after the receiver came back");
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(2, receiver.Accepted.Count);
        var second = receiver.Accepted[1];
        Assert.True(second.SignatureValid);
        Assert.NotEqual(first.DeliveryId, second.DeliveryId);
        Assert.NotEqual(AuditOf(first), AuditOf(second));
        var refused = receiver.Requests.Where(r => r.DeliveryId == second.DeliveryId && r.Answer == 503).ToList();
        Assert.True(refused.Count >= 5, $"{refused.Count} refused attempts");
        Assert.True((second.At - refused[0].At).TotalSeconds >= 60);

        // The delivery log (read on the other node) holds every attempt, each once, and the success last.
        using var other = new HttpClient { BaseAddress = new Uri(b.BaseUrl) };
        other.DefaultRequestHeaders.Authorization = client.DefaultRequestHeaders.Authorization;
        var log = (await other.GetFromJsonAsync<JsonElement>($"/api/v1/webhooks/{hookId}/deliveries")).GetProperty("items").EnumerateArray()
            .First(d => d.GetProperty("id").GetString() == second.DeliveryId);
        Assert.Equal("delivered", log.GetProperty("status").GetString());
        var attempts = log.GetProperty("attemptLog").EnumerateArray().ToList();
        Assert.Equal(receiver.Requests.Count(r => r.DeliveryId == second.DeliveryId), attempts.Count);
        Assert.Equal(200, attempts[^1].GetProperty("statusCode").GetInt32());
        Assert.All(attempts[..^1], x => Assert.Equal(503, x.GetProperty("statusCode").GetInt32()));
        Assert.Equal(2L, await database.ScalarAsync<long>($"SELECT count(*) FROM webhook_deliveries WHERE webhook_id = '{hookId}'"));
        await client.DeleteAsync($"/api/v1/targets/{target}/light-schedule");
        Assert.True((await client.GetFromJsonAsync<JsonElement>("/api/v1/audit-log/verify")).GetProperty("valid").GetBoolean());
    }
}
