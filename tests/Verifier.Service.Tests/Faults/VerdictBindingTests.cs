namespace Verifier.Service.Tests.Faults;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Verifier.Service.Tests.Infrastructure;

/// <summary>
/// Verdicts are bound into the audit log: a verdict or its evidence changed in SQL shows in the API, and verify must
/// say so, naming the audit; undoing the edit makes it valid again. A verdict no entry binds is reported too.
/// </summary>
public sealed class VerdictBindingTests(ApiFixture f) : IClassFixture<ApiFixture>
{
    private async Task<JsonElement> VerifyAsync() => await f.Viewer.GetFromJsonAsync<JsonElement>("/api/v1/audit-log/verify");

    [Fact]
    public async Task An_edited_verdict_or_evidence_row_is_detected_and_the_checkpoint_is_exportable()
    {
        var target = await f.Admin.PostAsJsonAsync("/api/v1/targets", new { name = "v", kind = "openai", baseUrl = f.Vendor.BaseUrl, model = "deepseek-r1", claimedVariant = "deepseek-r1" });
        var targetId = (await target.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        var location = (await f.Auditor.PostAsJsonAsync($"/api/v1/targets/{targetId}/audits", new { budget = new { maxRequests = 4 } })).Headers.Location!.ToString();
        var id = location.Split('/')[^1];
        for (var i = 0; i < 300 && await f.Database.ScalarAsync<string>($"SELECT status FROM audits WHERE id = '{id}'") != "completed"; i++) await Task.Delay(200);
        var valid = await VerifyAsync();
        Assert.True(valid.GetProperty("valid").GetBoolean(), valid.GetRawText());
        Assert.Equal(valid.GetProperty("entries").GetInt64(), valid.GetProperty("checkpointEntries").GetInt64());

        var checkpoint = await f.Viewer.GetFromJsonAsync<JsonElement>("/api/v1/audit-log/checkpoint");
        Assert.Equal(valid.GetProperty("lastSeq").GetInt64(), checkpoint.GetProperty("seq").GetInt64());
        Assert.Equal(64, checkpoint.GetProperty("hash").GetString()!.Length);
        Assert.Equal(64, checkpoint.GetProperty("signature").GetString()!.Length);
        Assert.Equal(valid.GetProperty("entries").GetInt64(), checkpoint.GetProperty("count").GetInt64());

        var kind = await f.Database.ScalarAsync<string>($"SELECT kind FROM verdicts WHERE audit_id = '{id}'");
        var forged = kind == "consistent" ? "mismatch" : "consistent";
        await f.Database.ExecuteAsync($"UPDATE verdicts SET kind = '{forged}' WHERE audit_id = '{id}'");
        Assert.Equal(forged, (await f.Viewer.GetFromJsonAsync<JsonElement>(location)).GetProperty("verdict").GetProperty("kind").GetString());
        var broken = await VerifyAsync();
        Assert.False(broken.GetProperty("valid").GetBoolean());
        Assert.Contains(id, broken.GetProperty("tamperedVerdicts").EnumerateArray().Select(e => e.GetString()));

        await f.Database.ExecuteAsync($"UPDATE verdicts SET kind = '{kind}' WHERE audit_id = '{id}'");
        Assert.True((await VerifyAsync()).GetProperty("valid").GetBoolean());

        await f.Database.ExecuteAsync($"UPDATE evidence SET observed = observed || ' (edited)' WHERE audit_id = '{id}' AND ordinal = 0");
        Assert.False((await VerifyAsync()).GetProperty("valid").GetBoolean());
        await f.Database.ExecuteAsync($"UPDATE evidence SET observed = replace(observed, ' (edited)', '') WHERE audit_id = '{id}' AND ordinal = 0");
        Assert.True((await VerifyAsync()).GetProperty("valid").GetBoolean());

        // A verdict slipped in for an audit the log never saw completing.
        var other = Guid.NewGuid();
        await f.Database.ExecuteAsync($"""
            INSERT INTO audits (id, target_id, status, trigger, claimed_variant, budget, created_at) VALUES ('{other}', '{targetId}', 'completed', 'spot', 'deepseek-r1', '{"{}"}', now());
            INSERT INTO verdicts SELECT '{other}', kind, claimed_variant, most_likely, claim_posterior, posterior, designed_false_accusation_rate, summary, result, created_at FROM verdicts WHERE audit_id = '{id}';
            """);
        var injected = await VerifyAsync();
        Assert.False(injected.GetProperty("valid").GetBoolean());
        Assert.Contains(injected.GetProperty("problems").EnumerateArray(), p => p.GetString()!.Contains(other.ToString(), StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, (await f.Viewer.GetAsync("/api/v1/audit-log/checkpoint")).StatusCode);
    }
}
