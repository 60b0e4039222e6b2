namespace Verifier.Service.Tests;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Verifier.Service.Audits;
using Verifier.Service.Tests.Infrastructure;
using Verifier.Storage;

/// <summary>
/// Raw-exchange retention: pruning empties the bodies of audits finished before the cutoff only, keeps the exchange
/// rows' metadata, logs one `exchanges.pruned` entry with the counts, and a pruned audit refuses to be re-scored.
/// </summary>
public sealed class RetentionTests : IAsyncLifetime
{
    private readonly TestDatabase database = new();
    private VendorStub vendor = null!;
    private VerifierFactory factory = null!;

    public async Task InitializeAsync()
    {
        await database.InitializeAsync();
        vendor = await VendorStub.StartAsync();
        factory = new VerifierFactory(database);
    }

    public async Task DisposeAsync()
    {
        await factory.DisposeAsync();
        await vendor.DisposeAsync();
        await database.DisposeAsync();
    }

    private static async Task<Guid> CompletedAuditAsync(HttpClient admin, string target)
    {
        var response = await admin.PostAsJsonAsync($"/api/v1/targets/{target}/audits", new { budget = new { maxRequests = 2 } });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var location = response.Headers.Location!.ToString();
        for (var deadline = DateTime.UtcNow.AddSeconds(60); DateTime.UtcNow < deadline; await Task.Delay(100))
        {
            var audit = await admin.GetFromJsonAsync<JsonElement>(location);
            if (audit.GetProperty("status").GetString() is "completed" or "failed")
            {
                Assert.Equal("completed", audit.GetProperty("status").GetString());
                return audit.GetProperty("id").GetGuid();
            }
        }
        throw new TimeoutException("audit did not finish");
    }

    [Fact]
    public async Task Pruning_empties_old_bodies_only_logs_it_and_a_pruned_audit_refuses_rescoring()
    {
        var admin = await factory.ClientAsync("admin");
        var created = await admin.PostAsJsonAsync("/api/v1/targets", new { name = "vendor", kind = "openai", baseUrl = vendor.BaseUrl, model = "deepseek-r1", dialect = "vllm", claimedVariant = "deepseek-r1" });
        var target = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var old = await CompletedAuditAsync(admin, target);
        var recent = await CompletedAuditAsync(admin, target);
        await database.ExecuteAsync($"UPDATE audits SET finished_at = now() - interval '10 days' WHERE id = '{old}'");
        var oldBytes = await database.ScalarAsync<long>($"SELECT sum(octet_length(request_body) + octet_length(response_body))::bigint FROM exchanges WHERE audit_id = '{old}'");
        var oldExchanges = await database.ScalarAsync<long>($"SELECT count(*) FROM exchanges WHERE audit_id = '{old}'");
        var recentBodies = await database.ScalarAsync<string>($"SELECT string_agg(encode(sha256(request_body || response_body), 'hex'), ',' ORDER BY seq) FROM exchanges WHERE audit_id = '{recent}'");
        var metadata = $"SELECT string_agg(concat_ws('|', seq, probe_id, status_code, outcome, duration_ms, prompt_tokens, completion_tokens, started_at), ',' ORDER BY seq) FROM exchanges WHERE audit_id = '{old}'";
        var oldMetadata = await database.ScalarAsync<string>(metadata);
        Assert.True(oldBytes > 0 && oldExchanges >= 2);

        await using var db = factory.Db();
        var pruned = await ExchangeRetention.PruneAsync(db, DateTimeOffset.UtcNow.AddDays(-5));

        Assert.Equal(1, pruned.Audits);
        Assert.Equal(oldExchanges, pruned.Exchanges);
        Assert.Equal(oldBytes, pruned.BytesFreed);
        Assert.Equal(0L, await database.ScalarAsync<long>($"SELECT sum(octet_length(request_body) + octet_length(response_body))::bigint FROM exchanges WHERE audit_id = '{old}'"));
        Assert.Equal(oldExchanges, await database.ScalarAsync<long>($"SELECT count(*) FROM exchanges WHERE audit_id = '{old}' AND bodies_pruned_at IS NOT NULL"));
        Assert.Equal(oldMetadata, await database.ScalarAsync<string>(metadata)); // status, timings, usage, sequence kept
        Assert.Equal(recentBodies, await database.ScalarAsync<string>($"SELECT string_agg(encode(sha256(request_body || response_body), 'hex'), ',' ORDER BY seq) FROM exchanges WHERE audit_id = '{recent}'"));
        Assert.Equal(0L, await database.ScalarAsync<long>($"SELECT count(*) FROM exchanges WHERE audit_id = '{recent}' AND bodies_pruned_at IS NOT NULL"));

        var entry = await database.ScalarAsync<string>("SELECT data::text FROM audit_log WHERE action = 'exchanges.pruned'");
        using (var data = JsonDocument.Parse(entry!))
        {
            Assert.Equal(1, data.RootElement.GetProperty("audits").GetInt32());
            Assert.Equal(oldExchanges, data.RootElement.GetProperty("exchanges").GetInt64());
            Assert.Equal(oldBytes, data.RootElement.GetProperty("bytesFreed").GetInt64());
        }
        var log = await AuditLogWriter.VerifyAsync(db);
        Assert.True(log.Valid, string.Join("; ", log.Problems)); // verdicts and evidence untouched: their digests still bind

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => AuditRescoring.RescoreAsync(db, old));
        Assert.Contains("cannot be re-scored", refused.Message, StringComparison.Ordinal);
        Assert.Contains("pruned", refused.Message, StringComparison.Ordinal);
        Assert.True((await AuditRescoring.RescoreAsync(db, recent)).Identical);

        var again = await ExchangeRetention.PruneAsync(db, DateTimeOffset.UtcNow.AddDays(-5)); // nothing left to prune
        Assert.Equal((0, 0, 0L), (again.Audits, again.Exchanges, again.BytesFreed));
        Assert.Equal(2L, await database.ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE action = 'exchanges.pruned'"));
    }
}
