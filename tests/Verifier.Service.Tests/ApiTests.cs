namespace Verifier.Service.Tests;

using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Verifier.Service.Tests.Infrastructure;

public sealed class ApiFixture : IAsyncLifetime
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
        Factory = new VerifierFactory(Database);
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

public class ApiTests(ApiFixture f) : IClassFixture<ApiFixture>
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private object NewTarget(string claim = "deepseek-r1", string? apiKey = "sk-vendor-secret-123") =>
        new { name = "vendor A", kind = "openai", baseUrl = f.Vendor.BaseUrl, model = "deepseek-r1", apiKey, dialect = "vllm", claimedVariant = claim };

    private async Task<JsonElement> CreateTargetAsync(object? body = null)
    {
        var response = await f.Admin.PostAsJsonAsync("/api/v1/targets", body ?? NewTarget());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<JsonElement> WaitForAuditAsync(HttpClient client, string location, string status = "completed")
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var audit = await client.GetFromJsonAsync<JsonElement>(location);
            var s = audit.GetProperty("status").GetString();
            if (s == status || s == "failed" || DateTime.UtcNow > deadline) return audit;
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task Target_crud_round_trip_never_returns_the_vendor_key()
    {
        var created = await CreateTargetAsync();
        var id = created.GetProperty("id").GetString();
        Assert.True(created.GetProperty("hasApiKey").GetBoolean());
        Assert.DoesNotContain("sk-vendor-secret-123", created.GetRawText());

        var fetched = await f.Viewer.GetStringAsync($"/api/v1/targets/{id}");
        Assert.DoesNotContain("sk-vendor-secret-123", fetched);
        var list = await f.Viewer.GetFromJsonAsync<JsonElement>("/api/v1/targets");
        Assert.Contains(list.GetProperty("items").EnumerateArray(), t => t.GetProperty("id").GetString() == id);

        var cipher = await f.Database.ScalarAsync<byte[]>($"SELECT api_key_cipher FROM targets WHERE id = '{id}'");
        Assert.NotNull(cipher);
        Assert.DoesNotContain("sk-vendor-secret-123", Encoding.UTF8.GetString(cipher!));

        var patched = await f.Admin.PatchAsJsonAsync($"/api/v1/targets/{id}", new { name = "vendor A2", claimedVariant = "r1-distill-qwen-7b@int4" });
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var body = await patched.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("vendor A2", body.GetProperty("name").GetString());
        Assert.Equal("r1-distill-qwen-7b@int4", body.GetProperty("claimedVariant").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await f.Admin.DeleteAsync($"/api/v1/targets/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await f.Viewer.GetAsync($"/api/v1/targets/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await f.Admin.DeleteAsync($"/api/v1/targets/{id}")).StatusCode);
    }

    [Fact]
    public async Task Created_target_has_a_location_header()
    {
        var response = await f.Admin.PostAsJsonAsync("/api/v1/targets", NewTarget());
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        Assert.Equal($"/api/v1/targets/{id}", response.Headers.Location?.ToString());
    }

    [Fact]
    public async Task Schedule_set_and_removed()
    {
        var id = (await CreateTargetAsync()).GetProperty("id").GetString();
        var put = await f.Admin.PutAsJsonAsync($"/api/v1/targets/{id}/schedule", new { cron = "0 0 3 * * ?", budget = new { maxRequests = 20 } });
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var schedule = await put.Content.ReadFromJsonAsync<JsonElement>();
        var next = schedule.GetProperty("nextFireUtc").GetDateTimeOffset();
        Assert.Equal(3, next.UtcDateTime.Hour);
        var target = await f.Viewer.GetFromJsonAsync<JsonElement>($"/api/v1/targets/{id}");
        Assert.Equal("0 0 3 * * ?", target.GetProperty("schedule").GetProperty("cron").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await f.Admin.DeleteAsync($"/api/v1/targets/{id}/schedule")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await f.Admin.DeleteAsync($"/api/v1/targets/{id}/schedule")).StatusCode);
    }

    [Fact]
    public async Task Scheduled_audit_fires_and_stores_a_verdict()
    {
        var id = (await CreateTargetAsync()).GetProperty("id").GetString();
        await f.Admin.PutAsJsonAsync($"/api/v1/targets/{id}/schedule", new { cron = "0/2 * * * * ?", budget = new { maxRequests = 6 } });
        JsonElement history = default;
        for (var i = 0; i < 100; i++)
        {
            history = await f.Viewer.GetFromJsonAsync<JsonElement>($"/api/v1/targets/{id}/audits");
            if (history.GetProperty("items").EnumerateArray().Any(a => a.GetProperty("status").GetString() == "completed")) break;
            await Task.Delay(200);
        }
        await f.Admin.DeleteAsync($"/api/v1/targets/{id}/schedule");
        var done = history.GetProperty("items").EnumerateArray().First(a => a.GetProperty("status").GetString() == "completed");
        Assert.Equal("schedule", done.GetProperty("trigger").GetString());
        Assert.Equal("inconclusive", done.GetProperty("verdict").GetString());
    }

    [Fact]
    public async Task Spot_check_runs_stores_raw_exchanges_and_is_idempotent()
    {
        var id = (await CreateTargetAsync()).GetProperty("id").GetString();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/targets/{id}/audits") { Content = JsonContent.Create(new { budget = new { maxRequests = 12 } }) };
        request.Headers.Add("Idempotency-Key", "abc-1");
        var first = await f.Auditor.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var location = first.Headers.Location!.ToString();
        Assert.StartsWith("/api/v1/audits/", location);

        using var again = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/targets/{id}/audits");
        again.Headers.Add("Idempotency-Key", "abc-1");
        var second = await f.Auditor.SendAsync(again);
        Assert.Equal(location, second.Headers.Location!.ToString());

        var audit = await WaitForAuditAsync(f.Viewer, location);
        Assert.Equal("completed", audit.GetProperty("status").GetString());
        // The stub tokenizes like the R1 family but answers nothing right: R1 cannot be told from R1-0528/V3 by tokens alone.
        Assert.Equal("inconclusive", audit.GetProperty("verdict").GetProperty("kind").GetString());
        Assert.True(audit.GetProperty("cost").GetProperty("requests").GetInt32() >= 2);
        Assert.Contains(audit.GetProperty("evidence").EnumerateArray(), e => e.GetProperty("outcome").GetString() == "family:deepseek-v3");

        var auditId = audit.GetProperty("id").GetString();
        Assert.Equal(1L, await f.Database.ScalarAsync<long>($"SELECT count(*) FROM audits WHERE target_id = '{id}'"));
        var body = await f.Database.ScalarAsync<byte[]>($"SELECT response_body FROM exchanges WHERE audit_id = '{auditId}' AND url LIKE '%chat/completions' LIMIT 1");
        Assert.Contains("Hello", Encoding.UTF8.GetString(body!));
        var headers = await f.Database.ScalarAsync<string>($"SELECT string_agg(request_headers::text, ' ') FROM exchanges WHERE audit_id = '{auditId}'");
        Assert.DoesNotContain("sk-vendor-secret-123", headers);
        Assert.Contains(f.Vendor.Requests, r => r.Contains("sk-vendor-secret-123")); // the vendor did get the key

        var history = await f.Viewer.GetFromJsonAsync<JsonElement>($"/api/v1/targets/{id}/audits?page=1&pageSize=10");
        Assert.Equal(auditId, history.GetProperty("items")[0].GetProperty("id").GetString());
        var report = await f.Viewer.GetStringAsync($"{location}/report?format=md");
        Assert.Contains("inconclusive", report, StringComparison.OrdinalIgnoreCase);

        // Re-scoring the stored raw exchanges reproduces the verdict exactly.
        await using var db = new Verifier.Storage.VerifierDb(Verifier.Storage.VerifierDb.Options(f.Database.ConnectionString));
        var rescored = await Verifier.Service.Audits.AuditRescoring.RescoreAsync(db, Guid.Parse(auditId!));
        Assert.True(rescored.Identical, $"{rescored.Stored.Verdict.ClaimPosterior} vs {rescored.Rescored.Verdict.ClaimPosterior}");
    }

    [Fact]
    public async Task Roles_are_enforced()
    {
        var anonymous = f.Factory.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/targets")).StatusCode);
        anonymous.DefaultRequestHeaders.Authorization = new("Bearer", "r1v_not-a-key");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/targets")).StatusCode);

        Assert.Equal(HttpStatusCode.Forbidden, (await f.Viewer.PostAsJsonAsync("/api/v1/targets", NewTarget())).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await f.Auditor.PostAsJsonAsync("/api/v1/targets", NewTarget())).StatusCode);
        var id = (await CreateTargetAsync()).GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.Forbidden, (await f.Viewer.PostAsync($"/api/v1/targets/{id}/audits", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await f.Auditor.PostAsync($"/api/v1/targets/{id}/audits", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await f.Auditor.PutAsJsonAsync($"/api/v1/targets/{id}/schedule", new { cron = "0 0 3 * * ?" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await f.Auditor.DeleteAsync($"/api/v1/targets/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await f.Viewer.PostAsJsonAsync("/api/v1/keys", new { role = "admin", name = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await f.Viewer.GetAsync("/api/v1/audit-log/verify")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/live")).StatusCode);
    }

    [Fact]
    public async Task Keys_created_by_api_work_and_stop_working_when_revoked()
    {
        var created = await (await f.Admin.PostAsJsonAsync("/api/v1/keys", new { role = "viewer", name = "dashboard" })).Content.ReadFromJsonAsync<JsonElement>();
        var client = f.Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", created.GetProperty("key").GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/targets")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await f.Admin.DeleteAsync($"/api/v1/keys/{created.GetProperty("id").GetString()}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/targets")).StatusCode);
    }

    public static TheoryData<string, string, string> InvalidTargets => new()
    {
        { "{\"kind\":\"openai\",\"baseUrl\":\"http://127.0.0.1:1/\",\"model\":\"m\",\"claimedVariant\":\"deepseek-r1\"}", "name", "missing name" },
        { "{\"name\":\"a\",\"kind\":\"grpc\",\"baseUrl\":\"http://127.0.0.1:1/\",\"model\":\"m\",\"claimedVariant\":\"deepseek-r1\"}", "kind", "unknown kind" },
        { "{\"name\":\"a\",\"kind\":\"openai\",\"baseUrl\":\"not a url\",\"model\":\"m\",\"claimedVariant\":\"deepseek-r1\"}", "baseUrl", "bad url" },
        { "{\"name\":\"a\",\"kind\":\"openai\",\"baseUrl\":\"ftp://127.0.0.1/\",\"model\":\"m\",\"claimedVariant\":\"deepseek-r1\"}", "baseUrl", "bad scheme" },
        { "{\"name\":\"a\",\"kind\":\"openai\",\"baseUrl\":\"http://169.254.169.254/\",\"model\":\"m\",\"claimedVariant\":\"deepseek-r1\"}", "baseUrl", "metadata address" },
        { "{\"name\":\"a\",\"kind\":\"openai\",\"baseUrl\":\"http://10.1.2.3/\",\"model\":\"m\",\"claimedVariant\":\"deepseek-r1\"}", "baseUrl", "private range" },
        { "{\"name\":\"a\",\"kind\":\"openai\",\"baseUrl\":\"http://[fd00::1]/\",\"model\":\"m\",\"claimedVariant\":\"deepseek-r1\"}", "baseUrl", "unique local" },
        { "{\"name\":\"a\",\"kind\":\"openai\",\"baseUrl\":\"http://localhost:9/\",\"model\":\"m\",\"claimedVariant\":\"deepseek-r1\"}", "baseUrl", "loopback by name" },
        { "{\"name\":\"a\",\"kind\":\"openai\",\"baseUrl\":\"http://127.0.0.1:1/\",\"claimedVariant\":\"deepseek-r1\"}", "model", "missing model" },
        { "{\"name\":\"a\",\"kind\":\"openai\",\"baseUrl\":\"http://127.0.0.1:1/\",\"model\":\"m\",\"claimedVariant\":\"gpt-4o\"}", "claimedVariant", "unknown variant" },
        { "{\"name\":\"a\",\"kind\":\"openai\",\"baseUrl\":\"http://127.0.0.1:1/\",\"model\":\"m\",\"claimedVariant\":\"deepseek-r1@int3\"}", "claimedVariant", "unknown precision" },
        { "{\"name\":\"a\",\"kind\":\"openai\",\"baseUrl\":\"http://127.0.0.1:1/\",\"model\":\"m\",\"claimedVariant\":\"deepseek-r1\",\"dialect\":\"tgi\"}", "dialect", "unknown dialect" },
        { "{\"name\":\"a\",\"kind\":\"onnx\",\"claimedVariant\":\"r1-distill-qwen-1.5b\"}", "path", "onnx without path" },
        { "{\"name\":\"a\",\"kind\":5}", "kind", "wrong JSON type" },
        { "{\"name\":\"a\",", "body", "truncated JSON" },
        { "[]", "body", "array instead of object" },
    };

    [Theory]
    [MemberData(nameof(InvalidTargets))]
    public async Task Invalid_target_bodies_are_400_naming_the_field(string json, string field, string why)
    {
        var response = await f.Admin.PostAsync("/api/v1/targets", new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{why}: {response.StatusCode}");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var errors = problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToList();
        Assert.True(errors.Contains(field), $"{why}: errors name {string.Join(", ", errors)}, expected {field}");
    }

    public static TheoryData<string, string, string, string> InvalidRequests => new()
    {
        { "GET", "/api/v1/targets/not-a-guid", "", "id" },
        { "PATCH", "/api/v1/targets/123", "{}", "id" },
        { "GET", "/api/v1/audits/zzz", "", "id" },
        { "GET", "/api/v1/targets?page=abc", "", "page" },
        { "GET", "/api/v1/audit-log?limit=0", "", "limit" },
        { "GET", "/api/v1/audit-log?after=-1", "", "after" },
        { "PUT", "/api/v1/targets/{target}/schedule", "{\"cron\":\"every day\"}", "cron" },
        { "PUT", "/api/v1/targets/{target}/schedule", "{\"cron\":\"0 0 3 * * ?\",\"budget\":{\"maxRequests\":0}}", "budget.maxRequests" },
        { "PUT", "/api/v1/targets/{target}/schedule", "{}", "cron" },
        { "POST", "/api/v1/targets/{target}/audits", "{\"budget\":{\"maxWallSeconds\":-5}}", "budget.maxWallSeconds" },
        { "POST", "/api/v1/targets/{target}/audits", "{\"budget\":", "budget" },
        { "PATCH", "/api/v1/targets/{target}", "{\"baseUrl\":\"http://192.168.1.1/\"}", "baseUrl" },
        { "PATCH", "/api/v1/targets/{target}", "{\"claimedVariant\":\"llama-3\"}", "claimedVariant" },
        { "POST", "/api/v1/keys", "{\"role\":\"root\",\"name\":\"x\"}", "role" },
        { "GET", "/api/v1/audits/{target}/report?format=pdf", "", "format" },
    };

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public async Task Invalid_ids_queries_and_bodies_are_400_naming_the_field(string method, string path, string json, string field)
    {
        var target = (await CreateTargetAsync()).GetProperty("id").GetString();
        using var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{target}", target));
        if (json.Length > 0) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        var response = await f.Admin.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var errors = problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).ToList();
        Assert.True(errors.Contains(field, StringComparer.OrdinalIgnoreCase), $"errors name {string.Join(", ", errors)}, expected {field}");
        if (field == "id") Assert.EndsWith("is not a valid id (a UUID).", problem.GetProperty("errors").GetProperty("id")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_ids_are_404_and_oversized_bodies_413()
    {
        var unknown = Guid.NewGuid();
        Assert.Equal(HttpStatusCode.NotFound, (await f.Viewer.GetAsync($"/api/v1/targets/{unknown}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await f.Viewer.GetAsync($"/api/v1/audits/{unknown}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await f.Auditor.PostAsync($"/api/v1/targets/{unknown}/audits", null)).StatusCode);
        var huge = "{\"name\":\"" + new string('a', 2_000_000) + "\"}";
        var response = await f.Admin.PostAsync("/api/v1/targets", new StringContent(huge, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Audit_log_chain_verifies_and_names_the_first_tampered_entry()
    {
        var id = (await CreateTargetAsync()).GetProperty("id").GetString();
        await f.Admin.PatchAsJsonAsync($"/api/v1/targets/{id}", new { name = "renamed" });
        await f.Admin.PutAsJsonAsync($"/api/v1/targets/{id}/schedule", new { cron = "0 0 4 * * ?" });
        await f.Admin.DeleteAsync($"/api/v1/targets/{id}/schedule");
        var accepted = await f.Auditor.PostAsJsonAsync($"/api/v1/targets/{id}/audits", new { budget = new { maxRequests = 4 } });
        await WaitForAuditAsync(f.Viewer, accepted.Headers.Location!.ToString());

        var entries = await f.Viewer.GetFromJsonAsync<JsonElement>("/api/v1/audit-log?after=0&limit=1000");
        var actions = entries.EnumerateArray().Select(e => e.GetProperty("action").GetString()).ToList();
        foreach (var a in new[] { "key.created", "target.created", "target.updated", "schedule.set", "schedule.removed", "audit.requested", "audit.started", "verdict.stored", "audit.completed" })
            Assert.Contains(a, actions);
        var verify = await f.Viewer.GetFromJsonAsync<JsonElement>("/api/v1/audit-log/verify");
        Assert.True(verify.GetProperty("valid").GetBoolean());

        // Appends are refused in place...
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => f.Database.ExecuteAsync("UPDATE audit_log SET action = 'x' WHERE seq = 3"));
        // ...but a superuser can disable the trigger: the chain must catch the edit.
        var seq = entries.EnumerateArray().First(e => e.GetProperty("action").GetString() == "target.updated").GetProperty("seq").GetInt64();
        await f.Database.ExecuteAsync($"ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change; UPDATE audit_log SET data = '{{\"changed\":[\"name\"],\"target\":{{}}}}' WHERE seq = {seq}; ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change;");
        verify = await f.Viewer.GetFromJsonAsync<JsonElement>("/api/v1/audit-log/verify");
        Assert.False(verify.GetProperty("valid").GetBoolean());
        Assert.Equal(seq, verify.GetProperty("firstBrokenSeq").GetInt64());
    }

    [Fact]
    public async Task Health_and_openapi_are_served()
    {
        var client = f.Factory.CreateClient();
        Assert.Equal("Healthy", await client.GetStringAsync("/health/ready"));
        var doc = await f.Viewer.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        Assert.True(doc.GetProperty("paths").TryGetProperty("/api/v1/targets/{id}/audits", out _));
    }
}
