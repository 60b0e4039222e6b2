namespace Verifier.Service.Tests;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Verifier.Service.Tests.Infrastructure;

public sealed class AdditionsFixture : IAsyncLifetime
{
    public TestDatabase Database { get; } = new();
    public VerifierFactory Factory { get; private set; } = null!;
    public VendorStub Vendor { get; private set; } = null!;
    public HttpClient Admin { get; private set; } = null!;
    public HttpClient Auditor { get; private set; } = null!;
    public HttpClient Viewer { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        Vendor = await VendorStub.StartAsync();
        // heartbeats every 0.5 s: a cancellation reaches the running audit within about that; stale after 3 s for the reaper cases
        Factory = new VerifierFactory(Database, new Dictionary<string, string> { ["Verifier:Audits:HeartbeatSeconds"] = "0.5", ["Verifier:Audits:StaleSeconds"] = "3" });
        Admin = await Factory.ClientAsync("admin");
        Auditor = await Factory.ClientAsync("auditor");
        Viewer = await Factory.ClientAsync("viewer");
    }

    public async Task DisposeAsync()
    {
        await Factory.DisposeAsync();
        await Vendor.DisposeAsync();
        await Database.DisposeAsync();
    }
}

/// <summary>Raw exchanges, latest verdict on targets, verdict-history export and cancellation, on a real PostgreSQL.</summary>
public class AuditApiAdditionsTests(AdditionsFixture f) : IClassFixture<AdditionsFixture>
{
    private async Task<Guid> TargetAsync(string baseUrl, string name = "vendor")
    {
        var response = await f.Admin.PostAsJsonAsync("/api/v1/targets", new { name, kind = "openai", baseUrl, model = "deepseek-r1", apiKey = "sk-vendor-secret-123", claimedVariant = "deepseek-r1" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private async Task<Guid> SpotCheckAsync(Guid target, int maxRequests)
    {
        var accepted = await f.Auditor.PostAsJsonAsync($"/api/v1/targets/{target}/audits", new { budget = new { maxRequests } });
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        return Guid.Parse(accepted.Headers.Location!.ToString().Split('/')[^1]);
    }

    private async Task<string> WaitStatusAsync(Guid audit, Func<string, bool> done, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        string status;
        while (!done(status = (await f.Database.ScalarAsync<string>($"SELECT status FROM audits WHERE id = '{audit}'"))!) && DateTime.UtcNow < deadline) await Task.Delay(100);
        return status;
    }

    private async Task<Guid> CompletedAuditAsync(Guid target)
    {
        var id = await SpotCheckAsync(target, 4);
        Assert.Equal("completed", await WaitStatusAsync(id, s => s is "completed" or "failed", 180)); // generous: shared CI machines
        return id;
    }

    [Fact]
    public async Task Exchanges_are_listed_without_bodies_and_read_one_by_one_with_bodies_and_without_credentials()
    {
        var audit = await CompletedAuditAsync(await TargetAsync(f.Vendor.BaseUrl));
        var page = await f.Viewer.GetFromJsonAsync<JsonElement>($"/api/v1/audits/{audit}/exchanges?pageSize=2");
        var stored = await f.Database.ScalarAsync<long>($"SELECT count(*) FROM exchanges WHERE audit_id = '{audit}'");
        Assert.True(stored >= 2);
        Assert.Equal(stored, page.GetProperty("total").GetInt32());
        Assert.Equal(2, page.GetProperty("items").GetArrayLength());
        var first = page.GetProperty("items")[0];
        Assert.Equal(JsonValueKind.Null, first.GetProperty("responseBody").ValueKind);
        Assert.True(first.GetProperty("responseBytes").GetInt32() > 0);

        var chatSeq = await f.Database.ScalarAsync<int>($"SELECT seq FROM exchanges WHERE audit_id = '{audit}' AND url LIKE '%chat/completions' ORDER BY seq LIMIT 1");
        var response = await f.Viewer.GetAsync($"/api/v1/audits/{audit}/exchanges/{chatSeq}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var one = JsonDocument.Parse(text).RootElement;
        Assert.Contains("Hello", one.GetProperty("responseBody").GetString(), StringComparison.Ordinal);
        Assert.Contains("\"messages\"", one.GetProperty("requestBody").GetString(), StringComparison.Ordinal);
        Assert.True(one.GetProperty("usage").GetProperty("promptTokens").GetInt32() > 0);
        Assert.True(one.GetProperty("durationMs").GetDouble() > 0);
        Assert.Equal("Ok", one.GetProperty("outcome").GetString());
        Assert.Equal(JsonValueKind.Null, one.GetProperty("bodiesPrunedAt").ValueKind);
        Assert.DoesNotContain("sk-vendor-secret-123", text, StringComparison.Ordinal);
        Assert.DoesNotContain("authorization", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("[redacted]", text, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NotFound, (await f.Viewer.GetAsync($"/api/v1/audits/{audit}/exchanges/9999")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await f.Viewer.GetAsync($"/api/v1/audits/{Guid.NewGuid()}/exchanges")).StatusCode);
        var bad = await f.Viewer.GetAsync($"/api/v1/audits/{audit}/exchanges?pageSize=0");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("pageSize", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await f.Viewer.GetAsync($"/api/v1/audits/{audit}/exchanges/abc")).StatusCode);
    }

    [Fact]
    public async Task Targets_carry_their_latest_identity_and_service_quality_verdict()
    {
        var target = await TargetAsync(f.Vendor.BaseUrl, "latest");
        var none = await f.Viewer.GetFromJsonAsync<JsonElement>($"/api/v1/targets/{target}");
        Assert.Equal(JsonValueKind.Null, none.GetProperty("latestVerdict").ValueKind);
        await CompletedAuditAsync(target);
        var latest = await CompletedAuditAsync(target);

        var one = await f.Viewer.GetFromJsonAsync<JsonElement>($"/api/v1/targets/{target}");
        var verdict = one.GetProperty("latestVerdict");
        Assert.Equal(latest, verdict.GetProperty("auditId").GetGuid());
        Assert.Equal(await f.Database.ScalarAsync<string>($"SELECT kind FROM verdicts WHERE audit_id = '{latest}'"), verdict.GetProperty("kind").GetString());
        Assert.True(verdict.GetProperty("finishedAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5));
        Assert.Matches("^(asreference|degraded|insufficient)$", one.GetProperty("latestQuality").GetProperty("status").GetString());

        var list = await f.Viewer.GetFromJsonAsync<JsonElement>("/api/v1/targets?pageSize=500");
        var listed = list.GetProperty("items").EnumerateArray().Single(t => t.GetProperty("id").GetGuid() == target);
        Assert.Equal(latest, listed.GetProperty("latestVerdict").GetProperty("auditId").GetGuid());
    }

    [Fact]
    public async Task Verdict_history_exports_as_csv_and_json_attachments_within_a_time_window()
    {
        var target = await TargetAsync(f.Vendor.BaseUrl, "export");
        var a1 = await CompletedAuditAsync(target);
        var a2 = await CompletedAuditAsync(target);

        var csv = await f.Viewer.GetAsync($"/api/v1/targets/{target}/verdicts?format=csv");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment", csv.Content.Headers.ContentDisposition!.DispositionType);
        var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("auditId,trigger,createdAt,startedAt,finishedAt,verdict,claimedVariant,mostLikely,claimPosterior,quality,requests,suiteVersion,summary", lines[0], StringComparison.Ordinal);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith(a1 + ",spot,", lines[1], StringComparison.Ordinal); // oldest first
        Assert.StartsWith(a2 + ",spot,", lines[2], StringComparison.Ordinal);
        Assert.Matches(@",\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z,", lines[1]);

        var json = await f.Viewer.GetAsync($"/api/v1/targets/{target}/verdicts?format=json");
        Assert.Equal("attachment", json.Content.Headers.ContentDisposition!.DispositionType);
        var rows = JsonDocument.Parse(await json.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(2, rows.GetArrayLength());
        Assert.Equal(a2, rows[1].GetProperty("auditId").GetGuid());

        var finished2 = await f.Database.ScalarAsync<DateTime>($"SELECT finished_at FROM audits WHERE id = '{a2}'");
        var from = Uri.EscapeDataString(new DateTimeOffset(finished2, TimeSpan.Zero).ToString("O"));
        var windowed = JsonDocument.Parse(await f.Viewer.GetStringAsync($"/api/v1/targets/{target}/verdicts?format=json&from={from}")).RootElement;
        Assert.Equal(a2, windowed.EnumerateArray().Single().GetProperty("auditId").GetGuid());

        var bad = await f.Viewer.GetAsync($"/api/v1/targets/{target}/verdicts?format=xml");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("format", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var reversed = await f.Viewer.GetAsync($"/api/v1/targets/{target}/verdicts?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z");
        Assert.Equal(HttpStatusCode.BadRequest, reversed.StatusCode);
        Assert.Contains("\"to\"", await reversed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await f.Viewer.GetAsync($"/api/v1/targets/{target}/verdicts?from=yesterday")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await f.Viewer.GetAsync($"/api/v1/targets/{Guid.NewGuid()}/verdicts")).StatusCode);
    }

    [Fact]
    public async Task The_report_names_its_dates_target_and_the_audit_log_entry_that_anchors_it_in_every_format()
    {
        var audit = await CompletedAuditAsync(await TargetAsync(f.Vendor.BaseUrl, "reported"));
        var seq = await f.Database.ScalarAsync<long>($"SELECT seq FROM audit_log WHERE action = 'verdict.stored' AND entity_id = '{audit}'");
        var hash = Convert.ToHexStringLower((await f.Database.ScalarAsync<byte[]>($"SELECT hash FROM audit_log WHERE seq = {seq}"))!);
        var digest = await f.Database.ScalarAsync<string>($"SELECT data ->> 'verdictDigest' FROM audit_log WHERE seq = {seq}");
        var requested = await f.Database.ScalarAsync<DateTime>($"SELECT created_at FROM audits WHERE id = '{audit}'");

        var html = await f.Viewer.GetAsync($"/api/v1/audits/{audit}/report?format=html");
        Assert.Equal("text/html", html.Content.Headers.ContentType!.MediaType);
        var page = await html.Content.ReadAsStringAsync();
        var md = await f.Viewer.GetStringAsync($"/api/v1/audits/{audit}/report?format=md");
        foreach (var text in new[] { $"entry #{seq} (verdict.stored)", hash, digest!, requested.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture) + " UTC", "reported", f.Vendor.BaseUrl })
        {
            Assert.Contains(text, page, StringComparison.Ordinal);
            Assert.Contains(text, md, StringComparison.Ordinal);
        }
        var exchanges = await f.Database.ScalarAsync<long>($"SELECT count(*) FROM exchanges WHERE audit_id = '{audit}'");
        Assert.Equal(exchanges, System.Text.RegularExpressions.Regex.Count(page, "<h3>#"));
        Assert.DoesNotContain("sk-vendor-secret-123", page + md, StringComparison.Ordinal);
        Assert.DoesNotContain("Bearer", page + md, StringComparison.Ordinal);
        var json = JsonDocument.Parse(await f.Viewer.GetStringAsync($"/api/v1/audits/{audit}/report?format=json")).RootElement;
        Assert.Equal(seq, json.GetProperty("anchor").GetProperty("seq").GetInt64());
        Assert.Equal(exchanges, json.GetProperty("exchanges").GetArrayLength());

        // retention pruned the bodies: the appendix says so and shows no text
        await f.Database.ExecuteAsync($"UPDATE exchanges SET request_body = '', response_body = '', bodies_pruned_at = now() WHERE audit_id = '{audit}'");
        var pruned = await f.Viewer.GetStringAsync($"/api/v1/audits/{audit}/report?format=html");
        Assert.Contains("removed by retention", pruned, StringComparison.Ordinal);
        Assert.DoesNotContain("<pre>", pruned, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_served_report_carries_the_targets_service_levels_over_windows_ending_at_the_audits_finish()
    {
        var audit = await CompletedAuditAsync(await TargetAsync(f.Vendor.BaseUrl, "sla-reported"));
        var exchanges = await f.Database.ScalarAsync<long>($"SELECT count(*) FROM exchanges WHERE audit_id = '{audit}'");
        Assert.True(exchanges >= 3, $"{exchanges} exchanges");
        // known figures: every exchange 250 ms (TTFT 50 ms, 10 tokens) — but the first ran 3 days before the audit's finish
        // and took 4 s (only the 7 d and 30 d windows see it), and the last just after it (no window sees it: the report
        // stays the same however late it is downloaded)
        await f.Database.ExecuteAsync($"UPDATE exchanges SET outcome = 'Ok', duration_ms = 250, ttft_ms = 50, completion_tokens = 10 WHERE audit_id = '{audit}'");
        await f.Database.ExecuteAsync($"""
            UPDATE exchanges e SET started_at = a.finished_at - interval '3 days', duration_ms = 4000 FROM audits a
            WHERE a.id = e.audit_id AND e.audit_id = '{audit}' AND e.seq = (SELECT min(seq) FROM exchanges WHERE audit_id = '{audit}')
            """);
        await f.Database.ExecuteAsync($"""
            UPDATE exchanges e SET started_at = a.finished_at + interval '1 millisecond', duration_ms = 9000 FROM audits a
            WHERE a.id = e.audit_id AND e.audit_id = '{audit}' AND e.seq = (SELECT max(seq) FROM exchanges WHERE audit_id = '{audit}')
            """);
        var day = exchanges - 2;
        var rows = new[]
        {
            $"the target, 24 h to the audit's finish | {day} | 250 ms / 250 ms | 50 ms / 50 ms | 50.0 tokens/s | 0 % | 0 % | none scheduled",
            $"the target, 7 d to the audit's finish | {day + 1} | 250 ms / 4.0 s | 50 ms / 50 ms |",
            $"the target, 30 d to the audit's finish | {day + 1} | 250 ms / 4.0 s |",
        };
        var md = await f.Viewer.GetStringAsync($"/api/v1/audits/{audit}/report?format=md");
        foreach (var row in rows) Assert.Contains(row, md, StringComparison.Ordinal);
        Assert.Contains($"**Service levels:** p95 latency 250 ms, errors 0 % over 24 h to the audit's finish ({day} request", md, StringComparison.Ordinal);
        Assert.Matches($@"\| this audit's exchanges \| {exchanges} \| [^|]+ / 9\.0 s \|", md); // the audit's own row sees all its exchanges
        var html = WebUtility.HtmlDecode(await f.Viewer.GetStringAsync($"/api/v1/audits/{audit}/report?format=html"));
        foreach (var row in rows) Assert.Contains("<td>" + row.TrimEnd(' ', '|').Replace(" | ", "</td><td>", StringComparison.Ordinal) + "</td>", html, StringComparison.Ordinal);
        Assert.Contains($"p95 latency 250 ms, errors 0 % over 24 h to the audit's finish ({day} request", html, StringComparison.Ordinal);
        var json = JsonDocument.Parse(await f.Viewer.GetStringAsync($"/api/v1/audits/{audit}/report?format=json")).RootElement.GetProperty("serviceLevels");
        Assert.Equal(["24h", "7d", "30d"], json.GetProperty("windows").EnumerateArray().Select(w => w.GetProperty("window").GetString()));
        Assert.Equal(4000, json.GetProperty("windows")[1].GetProperty("figures").GetProperty("p95LatencyMs").GetDouble());
    }

    [Fact]
    public async Task Cancelling_a_running_audit_stops_it_on_its_node_keeping_the_exchanges_and_storing_no_verdict()
    {
        await using var slow = await VendorStub.StartAsync();
        slow.ChatDelay = TimeSpan.FromMilliseconds(700);
        var audit = await SpotCheckAsync(await TargetAsync(slow.BaseUrl, "slow"), 40);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (slow.Requests.Count(r => r.StartsWith("chat", StringComparison.Ordinal)) < 3 && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.Equal("running", await f.Database.ScalarAsync<string>($"SELECT status FROM audits WHERE id = '{audit}'"));

        Assert.Equal(HttpStatusCode.Forbidden, (await f.Viewer.PostAsync($"/api/v1/audits/{audit}/cancel", null)).StatusCode);
        var asked = DateTime.UtcNow;
        var cancel = await f.Auditor.PostAsync($"/api/v1/audits/{audit}/cancel", null);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        Assert.NotEqual(JsonValueKind.Null, (await cancel.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("cancelRequestedAt").ValueKind);
        Assert.Equal(HttpStatusCode.Accepted, (await f.Auditor.PostAsync($"/api/v1/audits/{audit}/cancel", null)).StatusCode); // asked twice: same answer

        // left alone it would run ~40 slow requests and complete: "cancelled" is the node having noticed (within a
        // heartbeat, 0.5 s here, plus the cut request; the bound below only allows for an overloaded machine)
        Assert.Equal("cancelled", await WaitStatusAsync(audit, s => s != "running", 60));
        Assert.True(DateTime.UtcNow - asked < TimeSpan.FromSeconds(30), $"stopped {DateTime.UtcNow - asked} after the request");
        var sent = slow.Requests.Count;
        await Task.Delay(1500);
        Assert.Equal(sent, slow.Requests.Count); // nothing more goes to the vendor

        var exchanges = await f.Database.ScalarAsync<long>($"SELECT count(*) FROM exchanges WHERE audit_id = '{audit}'");
        // the probes finished before the cancellation keep their exchanges (at least the first tokenizer pair); a probe cut
        // mid-request leaves nothing half-recorded
        Assert.True(exchanges >= 2 && exchanges <= sent, $"{exchanges} exchanges kept of {sent} requests");
        Assert.Equal(exchanges, await f.Database.ScalarAsync<int>($"SELECT requests FROM audits WHERE id = '{audit}'"));
        Assert.Equal(0L, await f.Database.ScalarAsync<long>($"SELECT count(*) FROM verdicts WHERE audit_id = '{audit}'"));
        Assert.Equal(0L, await f.Database.ScalarAsync<long>($"SELECT count(*) FROM evidence WHERE audit_id = '{audit}'"));
        var dto = await f.Viewer.GetFromJsonAsync<JsonElement>($"/api/v1/audits/{audit}");
        Assert.Equal("cancelled", dto.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, dto.GetProperty("verdict").ValueKind);
        Assert.Equal(exchanges, (await f.Viewer.GetFromJsonAsync<JsonElement>($"/api/v1/audits/{audit}/exchanges")).GetProperty("total").GetInt32());
        Assert.Equal("audit.cancel-requested,audit.cancelled", await f.Database.ScalarAsync<string>(
            $"SELECT string_agg(action, ',' ORDER BY seq) FROM audit_log WHERE entity_id = '{audit}' AND action LIKE 'audit.cancel%'"));
        Assert.NotNull(await f.Database.ScalarAsync<Guid?>($"SELECT key_id FROM audit_log WHERE entity_id = '{audit}' AND action = 'audit.cancel-requested'"));

        var again = await f.Auditor.PostAsync($"/api/v1/audits/{audit}/cancel", null);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode); // idempotent once cancelled
        var report = await f.Viewer.GetAsync($"/api/v1/audits/{audit}/report");
        Assert.Equal(HttpStatusCode.Conflict, report.StatusCode);
        Assert.True((await f.Viewer.GetFromJsonAsync<JsonElement>("/api/v1/audit-log/verify")).GetProperty("valid").GetBoolean());
    }

    [Fact]
    public async Task A_queued_audit_is_cancelled_at_once_an_ended_one_is_a_conflict_and_the_reaper_never_resurrects_a_cancelled_one()
    {
        var target = await TargetAsync(f.Vendor.BaseUrl, "queue");
        // rows a node has not picked up yet: queued long ago (the reaper would re-enqueue it), and running on a dead node
        var queued = Guid.NewGuid();
        var orphan = Guid.NewGuid();
        const string budget = """{"maxRequests":4,"maxTokens":1000,"maxWallTime":"00:01:00"}""";
        await f.Database.ExecuteAsync($"""
            INSERT INTO audits (id, target_id, status, trigger, claimed_variant, budget, created_at, heartbeat_at)
            VALUES ('{queued}', '{target}', 'queued', 'spot', 'deepseek-r1', '{budget}', now() - interval '1 hour', now() - interval '1 hour');
            INSERT INTO audits (id, target_id, status, trigger, claimed_variant, budget, created_at, started_at, heartbeat_at, node_id, attempts, cancel_requested_at)
            VALUES ('{orphan}', '{target}', 'running', 'spot', 'deepseek-r1', '{budget}', now() - interval '1 hour', now() - interval '1 hour', now() - interval '1 hour', 'dead-node', 1, now() - interval '1 minute');
            """);
        var cancel = await f.Auditor.PostAsync($"/api/v1/audits/{queued}/cancel", null);
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal("cancelled", (await cancel.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());

        // the reaper's ticks (every 0.5 s) see both: the queued one stays cancelled, the orphan is cancelled, not re-queued
        Assert.Equal("cancelled", await WaitStatusAsync(orphan, s => s != "running", 60));
        await Task.Delay(1500);
        Assert.Equal("cancelled", await f.Database.ScalarAsync<string>($"SELECT status FROM audits WHERE id = '{queued}'"));
        Assert.Equal(0L, await f.Database.ScalarAsync<long>($"SELECT count(*) FROM audit_log WHERE entity_id IN ('{queued}', '{orphan}') AND action IN ('audit.started', 'audit.requeued')"));
        Assert.Equal(0L, await f.Database.ScalarAsync<long>($"SELECT count(*) FROM exchanges WHERE audit_id = '{queued}'"));

        var done = await CompletedAuditAsync(target);
        var conflict = await f.Auditor.PostAsync($"/api/v1/audits/{done}/cancel", null);
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        Assert.Contains("completed", await conflict.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await f.Auditor.PostAsync($"/api/v1/audits/{Guid.NewGuid()}/cancel", null)).StatusCode);
    }
}
