namespace Verifier.Service.Tests;

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Verifier.Service.Tests.Infrastructure;
using Verifier.Storage;

/// <summary>
/// Two `verifier serve` processes on one database (one Hangfire storage): each spot check runs exactly once, and a
/// killed node's audit finishes elsewhere exactly once, although Hangfire also delivers the killed node's job again.
/// </summary>
public class ClusterTests : IAsyncLifetime
{
    private readonly TestDatabase database = new();
    private VendorStub vendor = null!;
    private ServiceNode a = null!, b = null!;
    private string key = "";

    public async Task InitializeAsync()
    {
        await database.InitializeAsync();
        vendor = await VendorStub.StartAsync();
        await using var db = new VerifierDb(VerifierDb.Options(database.ConnectionString), VerifierFactory.LogKey);
        key = (await KeyStore.CreateAsync(db, "admin", "cluster test", null)).Key;
        var nodes = await Task.WhenAll(ServiceNode.StartAsync("node-a", database.ConnectionString), ServiceNode.StartAsync("node-b", database.ConnectionString));
        (a, b) = (nodes[0], nodes[1]);
    }

    public async Task DisposeAsync()
    {
        await a.DisposeAsync();
        await b.DisposeAsync();
        await vendor.DisposeAsync();
        await database.DisposeAsync();
    }

    private HttpClient Client(ServiceNode node)
    {
        var client = new HttpClient { BaseAddress = new Uri(node.BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    private async Task<string> CreateTargetAsync(HttpClient client)
    {
        var response = await client.PostAsJsonAsync("/api/v1/targets", new { name = "v", kind = "openai", baseUrl = vendor.BaseUrl, model = "deepseek-r1", claimedVariant = "deepseek-r1" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task Twenty_spot_checks_run_exactly_once_each_and_a_killed_nodes_audit_completes_on_the_other()
    {
        using var ca = Client(a);
        using var cb = Client(b);
        var target = await CreateTargetAsync(ca);
        var ids = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            var response = await (i % 2 == 0 ? ca : cb).PostAsJsonAsync($"/api/v1/targets/{target}/audits", new { budget = new { maxRequests = 4 } });
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            ids.Add(response.Headers.Location!.ToString().Split('/')[^1]);
        }
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (await database.ScalarAsync<long>($"SELECT count(*) FROM audits WHERE target_id = '{target}' AND status = 'completed'") < 20 && DateTime.UtcNow < deadline)
            await Task.Delay(250);

        var states = await database.ScalarAsync<string>($"SELECT string_agg(id || ' ' || status || ' ' || attempts || ' ' || COALESCE(node_id, '-'), '; ') FROM audits WHERE target_id = '{target}' AND NOT (status = 'completed' AND attempts = 1)");
        Assert.True(states is null, $"{states}\n--- {a.Name}:\n{a.OutputTail}\n--- {b.Name}:\n{b.OutputTail}");
        // Every request the vendor saw is one stored observation: no audit ran twice.
        Assert.Equal(vendor.Requests.Count, (int)await database.ScalarAsync<long>($"SELECT count(*) FROM exchanges o JOIN audits a ON a.id = o.audit_id WHERE a.target_id = '{target}'"));
        Assert.Equal(20L, await database.ScalarAsync<long>($"SELECT count(*) FROM audit_log WHERE action = 'audit.started' AND entity_id IN ({string.Join(',', ids.Select(x => $"'{x}'"))})"));
        Assert.Equal(20L, await database.ScalarAsync<long>($"SELECT count(*) FROM verdicts v JOIN audits x ON x.id = v.audit_id WHERE x.target_id = '{target}'"));

        // Now a slow vendor: kill whichever node picks the audit up, mid-exchange.
        vendor.ChatDelay = TimeSpan.FromSeconds(6);
        var slow = await ca.PostAsJsonAsync($"/api/v1/targets/{target}/audits", new { budget = new { maxRequests = 3 } });
        var id = slow.Headers.Location!.ToString().Split('/')[^1];
        string? runner = null;
        deadline = DateTime.UtcNow.AddSeconds(30);
        while (runner is null && DateTime.UtcNow < deadline)
        {
            runner = await database.ScalarAsync<string>($"SELECT node_id FROM audits WHERE id = '{id}' AND status = 'running'");
            await Task.Delay(100);
        }
        Assert.NotNull(runner);
        var (victim, survivor) = runner == a.Name ? (a, b) : (b, a);
        victim.Kill();

        deadline = DateTime.UtcNow.AddSeconds(90);
        while (await database.ScalarAsync<string>($"SELECT status FROM audits WHERE id = '{id}'") != "completed" && DateTime.UtcNow < deadline)
            await Task.Delay(250);
        Assert.Equal("completed", await database.ScalarAsync<string>($"SELECT status FROM audits WHERE id = '{id}'"));
        Assert.Equal(survivor.Name, await database.ScalarAsync<string>($"SELECT node_id FROM audits WHERE id = '{id}'"));
        Assert.Equal(2, await database.ScalarAsync<int>($"SELECT attempts FROM audits WHERE id = '{id}'"));
        Assert.Equal(1L, await database.ScalarAsync<long>($"SELECT count(*) FROM verdicts WHERE audit_id = '{id}'"));

        // At least once: once the killed node's keep-alive stopped (sliding invisibility timeout), Hangfire delivered
        // its job again; that delivery found the audit taken and ran nothing.
        var jobsOfAudit = $"SELECT j.id FROM hangfire.job j WHERE j.arguments::text LIKE '%{id}%'";
        var mostDeliveries = $"SELECT COALESCE(max(n), 0) FROM (SELECT count(*) AS n FROM hangfire.state s WHERE s.jobid IN ({jobsOfAudit}) AND s.name = 'Processing' GROUP BY s.jobid) d";
        deadline = DateTime.UtcNow.AddSeconds(60);
        while (await database.ScalarAsync<long>(mostDeliveries) < 2 && DateTime.UtcNow < deadline) await Task.Delay(250);
        Assert.Equal(2L, await database.ScalarAsync<long>(mostDeliveries));
        deadline = DateTime.UtcNow.AddSeconds(30);
        while (await database.ScalarAsync<long>($"SELECT count(*) FROM hangfire.job WHERE id IN ({jobsOfAudit}) AND statename <> 'Succeeded'") > 0 && DateTime.UtcNow < deadline)
            await Task.Delay(250);
        Assert.Equal(0L, await database.ScalarAsync<long>($"SELECT count(*) FROM hangfire.job WHERE id IN ({jobsOfAudit}) AND statename <> 'Succeeded'"));
        Assert.Equal(2, await database.ScalarAsync<int>($"SELECT attempts FROM audits WHERE id = '{id}'"));
        Assert.Equal(2L, await database.ScalarAsync<long>($"SELECT count(*) FROM audit_log WHERE action = 'audit.started' AND entity_id = '{id}'"));
        Assert.Equal(1L, await database.ScalarAsync<long>($"SELECT count(*) FROM verdicts WHERE audit_id = '{id}'"));
        using var cs = Client(survivor);
        var chain = await cs.GetFromJsonAsync<JsonElement>("/api/v1/audit-log/verify");
        Assert.True(chain.GetProperty("valid").GetBoolean());
    }
}
