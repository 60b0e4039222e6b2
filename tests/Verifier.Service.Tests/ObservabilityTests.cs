namespace Verifier.Service.Tests;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Verifier.Service.Tests.Infrastructure;

/// <summary>
/// After an audit against a simulated vendor, /metrics (a key of any role, 401 without) shows the audit counter with
/// its verdict and the exchange latency histogram; the audit's log lines carry its AuditId and TargetId in scope and
/// never the vendor's API key, even at Trace level.
/// </summary>
public sealed class ObservabilityTests : IAsyncLifetime
{
    private const string VendorKey = "sk-obs-vendor-secret-7d1f";
    private readonly TestDatabase database = new();
    private VendorStub vendor = null!;
    private VerifierFactory factory = null!;

    public async Task InitializeAsync()
    {
        await database.InitializeAsync();
        vendor = await VendorStub.StartAsync();
        factory = new VerifierFactory(database, new Dictionary<string, string>
        {
            ["Logging:LogLevel:Default"] = "Trace",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Debug",
        });
    }

    public async Task DisposeAsync()
    {
        await factory.DisposeAsync();
        await vendor.DisposeAsync();
        await database.DisposeAsync();
    }

    private async Task<(string AuditId, string TargetId, string Verdict)> AuditAsync(HttpClient admin)
    {
        var created = await admin.PostAsJsonAsync("/api/v1/targets", new { name = "v", kind = "openai", baseUrl = vendor.BaseUrl, model = "deepseek-r1", apiKey = VendorKey, claimedVariant = "deepseek-r1" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var target = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var accepted = await admin.PostAsJsonAsync($"/api/v1/targets/{target}/audits", new { budget = new { maxRequests = 6 } });
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var deadline = DateTime.UtcNow.AddSeconds(180); // a backstop: the first audit of a process loads tokenizers, slow on a loaded machine
        while (true)
        {
            var audit = await admin.GetFromJsonAsync<JsonElement>(accepted.Headers.Location);
            if (audit.GetProperty("status").GetString() == "completed")
                return (audit.GetProperty("id").GetString()!, target, audit.GetProperty("verdict").GetProperty("kind").GetString()!);
            Assert.True(DateTime.UtcNow < deadline, $"audit not completed: {audit}");
            await Task.Delay(200);
        }
    }

    /// <summary>The scrape once it shows the line (the counter is added right after the result is committed, so a poll can be a moment early).</summary>
    private static async Task<string> ScrapeUntilAsync(HttpClient client, Regex line)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var response = await client.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var text = await response.Content.ReadAsStringAsync();
            if (line.IsMatch(text) || DateTime.UtcNow > deadline) return text;
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task Metrics_show_audits_by_verdict_and_exchange_latency_buckets_and_need_a_key()
    {
        using var admin = await factory.ClientAsync("admin");
        var (_, _, verdict) = await AuditAsync(admin);

        using var viewer = await factory.ClientAsync("viewer");
        var counter = new Regex($@"^verifier_audits_completed_total\{{(?=[^}}]*verdict=""{verdict}"")(?=[^}}]*trigger=""spot"")(?=[^}}]*status=""completed"")[^}}]*\}} [1-9]", RegexOptions.Multiline);
        var text = await ScrapeUntilAsync(viewer, counter);
        Assert.Matches(counter, text);
        Assert.Matches(new Regex(@"^verifier_exchange_duration_seconds_bucket\{[^}]*outcome=""ok""[^}]*le=""0\.05""\} \d+", RegexOptions.Multiline), text);
        Assert.Matches(new Regex(@"^verifier_exchange_duration_seconds_count\{[^}]*outcome=""ok""[^}]*\} [1-9]", RegexOptions.Multiline), text);
        Assert.Matches(new Regex(@"^verifier_audit_duration_seconds_bucket\{", RegexOptions.Multiline), text);
        Assert.Contains("http_server_request_duration_seconds_bucket{", text, StringComparison.Ordinal); // ASP.NET Core's own
        Assert.DoesNotContain(VendorKey, text, StringComparison.Ordinal);

        using var anonymous = factory.CreateClient();
        var refused = await anonymous.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("Bearer", refused.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task An_audits_log_lines_carry_its_ids_in_scope_and_never_the_vendor_key()
    {
        using var admin = await factory.ClientAsync("admin");
        var (audit, target, verdict) = await AuditAsync(admin);
        var lines = factory.Logs.ToList();

        var inScope = lines.Where(l => l.Contains($"AuditId={audit}", StringComparison.Ordinal)).ToList();
        Assert.Contains(inScope, l => l.Contains($"Audit {audit} completed: {verdict}", StringComparison.Ordinal) && l.Contains($"TargetId={target}", StringComparison.Ordinal));
        // the vendor calls made for this audit are logged inside its scope too
        Assert.Contains(inScope, l => l.Contains("System.Net.Http.HttpClient.targets", StringComparison.Ordinal) && l.Contains($"TargetId={target}", StringComparison.Ordinal));
        Assert.Contains(vendor.Requests, r => r.Contains(VendorKey, StringComparison.Ordinal)); // the key was really sent, so its absence below means something
        Assert.DoesNotContain(lines, l => l.Contains(VendorKey, StringComparison.Ordinal));
    }
}
