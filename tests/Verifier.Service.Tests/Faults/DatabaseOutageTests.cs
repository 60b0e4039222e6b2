namespace Verifier.Service.Tests.Faults;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Verifier.Service.Tests.Infrastructure;

/// <summary>
/// The service talks to PostgreSQL through a <see cref="TcpGate"/> that the tests cut: a database outage mid-audit
/// must still end every audit in a terminal state, readiness must say 503 while the database is gone, and a request
/// during a short outage is retried instead of answering 500.
/// </summary>
public sealed class DatabaseOutageTests : GatedServiceTest
{
    private HttpClient admin = null!;

    protected override Dictionary<string, string> Settings => new()
    {
        ["Verifier:Audits:HeartbeatSeconds"] = "0.5",
        ["Verifier:Audits:StaleSeconds"] = "3",
    };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        admin = await factory.ClientAsync("admin");
    }

    internal static async Task<string> VendorTargetAsync(HttpClient admin, VendorStub vendor)
    {
        var target = await admin.PostAsJsonAsync("/api/v1/targets", new { name = "v", kind = "openai", baseUrl = vendor.BaseUrl, model = "deepseek-r1", claimedVariant = "deepseek-r1" });
        Assert.Equal(HttpStatusCode.Created, target.StatusCode);
        return (await target.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private async Task<string?> WaitForTerminalAsync(string id, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        string? status;
        while ((status = await database.ScalarAsync<string>($"SELECT status FROM audits WHERE id = '{id}'")) is not ("completed" or "failed") && DateTime.UtcNow < deadline)
            await Task.Delay(200);
        return status;
    }

    [Fact]
    public async Task An_audit_whose_result_is_saved_during_a_five_second_outage_completes_and_readiness_says_503_meanwhile()
    {
        var targetId = await VendorTargetAsync(admin, vendor);
        vendor.ChatDelay = TimeSpan.FromMilliseconds(700);
        var accepted = await admin.PostAsJsonAsync($"/api/v1/targets/{targetId}/audits", new { budget = new { maxRequests = 4 } });
        var id = accepted.Headers.Location!.ToString().Split('/')[^1];
        while (!vendor.Requests.Any(r => r.StartsWith("chat", StringComparison.Ordinal))) await Task.Delay(20);
        gate.Close();
        await Task.Delay(1000);
        using var anonymous = factory.CreateClient();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await anonymous.GetAsync("/health/ready")).StatusCode);
        await Task.Delay(4000);
        gate.Open();

        Assert.Equal("completed", await WaitForTerminalAsync(id, TimeSpan.FromSeconds(60)));
        Assert.Equal(1L, await database.ScalarAsync<long>($"SELECT count(*) FROM verdicts WHERE audit_id = '{id}'"));
        Assert.Equal(1L, await database.ScalarAsync<long>($"SELECT count(*) FROM audit_log WHERE entity_id = '{id}' AND action = 'audit.completed'"));
        var ready = HttpStatusCode.ServiceUnavailable;
        for (var i = 0; i < 50 && ready != HttpStatusCode.OK; i++, await Task.Delay(200)) ready = (await anonymous.GetAsync("/health/ready")).StatusCode;
        Assert.Equal(HttpStatusCode.OK, ready);
        Assert.True((await admin.GetFromJsonAsync<JsonElement>("/api/v1/audit-log/verify")).GetProperty("valid").GetBoolean());
    }

    [Fact]
    public async Task A_request_during_a_short_outage_is_retried_instead_of_answering_500()
    {
        gate.Close();
        var pending = admin.GetAsync("/api/v1/targets");
        await Task.Delay(1500);
        gate.Open();
        var response = await pending;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_running_audit_whose_owner_stopped_heartbeating_is_requeued_and_completes_or_fails_after_its_last_attempt()
    {
        var targetId = await VendorTargetAsync(admin, vendor);
        // Two audits a dead node left behind: one with attempts to spare, one on its last attempt.
        var orphan = Guid.NewGuid();
        var exhausted = Guid.NewGuid();
        foreach (var (id, attempts) in new[] { (orphan, 1), (exhausted, 3) })
            await database.ExecuteAsync($"""
                INSERT INTO audits (id, target_id, status, trigger, claimed_variant, budget, node_id, attempts, created_at, started_at, heartbeat_at)
                VALUES ('{id}', '{targetId}', 'running', 'spot', 'deepseek-r1', '{"{"}"maxRequests":3{"}"}', 'dead-node', {attempts}, now() - interval '1 hour', now() - interval '1 hour', now() - interval '1 hour')
                """);

        Assert.Equal("completed", await WaitForTerminalAsync(orphan.ToString(), TimeSpan.FromSeconds(60)));
        Assert.Equal(2, await database.ScalarAsync<int>($"SELECT attempts FROM audits WHERE id = '{orphan}'"));
        Assert.Equal(1L, await database.ScalarAsync<long>($"SELECT count(*) FROM audit_log WHERE entity_id = '{orphan}' AND action = 'audit.requeued'"));

        Assert.Equal("failed", await WaitForTerminalAsync(exhausted.ToString(), TimeSpan.FromSeconds(30)));
        Assert.Contains("dead-node", await database.ScalarAsync<string>($"SELECT error FROM audits WHERE id = '{exhausted}'"));
        Assert.Equal(1L, await database.ScalarAsync<long>($"SELECT count(*) FROM audit_log WHERE entity_id = '{exhausted}' AND action = 'audit.failed'"));
    }
}

/// <summary>
/// The exact failure: the outage outlasts the database retries, so saving the result fails and so does
/// recording the failure. The audit must not stay `running`: its heartbeat stops, and the reaper re-queues it.
/// </summary>
public sealed class OutageBeyondRetriesTests : GatedServiceTest
{
    protected override Dictionary<string, string> Settings => new()
    {
        ["Verifier:Database:MaxRetries"] = "1",
        ["Verifier:Database:MaxRetryDelaySeconds"] = "0.2",
        ["Verifier:Audits:HeartbeatSeconds"] = "0.5",
        ["Verifier:Audits:StaleSeconds"] = "3",
    };

    [Fact]
    public async Task Every_audit_ends_in_a_terminal_state_when_neither_result_nor_failure_could_be_saved()
    {
        var admin = await factory.ClientAsync("admin");
        var targetId = await DatabaseOutageTests.VendorTargetAsync(admin, vendor);
        vendor.ChatDelay = TimeSpan.FromMilliseconds(500);
        var ids = new List<string>();
        for (var i = 0; i < 4; i++)
            ids.Add((await admin.PostAsJsonAsync($"/api/v1/targets/{targetId}/audits", new { budget = new { maxRequests = 3 } })).Headers.Location!.ToString().Split('/')[^1]);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (vendor.Requests.Count(r => r.StartsWith("chat", StringComparison.Ordinal)) < 2 && DateTime.UtcNow < deadline) await Task.Delay(20);
        gate.Close();
        await Task.Delay(8000);
        gate.Open();

        deadline = DateTime.UtcNow.AddSeconds(90);
        long open;
        while ((open = await database.ScalarAsync<long>($"SELECT count(*) FROM audits WHERE target_id = '{targetId}' AND status NOT IN ('completed', 'failed')")) > 0 && DateTime.UtcNow < deadline)
            await Task.Delay(250);
        Assert.Equal(0L, open);
        Assert.True(await database.ScalarAsync<long>($"SELECT count(*) FROM audit_log WHERE action = 'audit.requeued'") >= 1, "the reaper took back at least one audit");
        foreach (var id in ids)
        {
            var status = await database.ScalarAsync<string>($"SELECT status FROM audits WHERE id = '{id}'");
            var terminalEntries = await database.ScalarAsync<long>($"SELECT count(*) FROM audit_log WHERE entity_id = '{id}' AND action IN ('audit.completed', 'audit.failed')");
            Assert.True(terminalEntries == 1, $"audit {id} is {status} with {terminalEntries} terminal log entries");
        }
    }
}
