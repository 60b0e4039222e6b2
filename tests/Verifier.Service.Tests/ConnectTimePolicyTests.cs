namespace Verifier.Service.Tests;

using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Verifier.Service.Tests.Infrastructure;
using Verifier.Storage;

/// <summary>
/// A target written on a node that allows 127.0.0.1 is still refused, at connect time, by a node that does not: the
/// outbound policy is every node's own, not a property of the stored target.
/// </summary>
public sealed class ConnectTimePolicyTests : IAsyncLifetime
{
    private readonly TestDatabase database = new();
    private VendorStub vendor = null!;

    public async Task InitializeAsync()
    {
        await database.InitializeAsync();
        vendor = await VendorStub.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await vendor.DisposeAsync();
        await database.DisposeAsync();
    }

    [Fact]
    public async Task A_node_that_does_not_allow_loopback_refuses_it_at_connect_even_for_a_target_written_elsewhere()
    {
        await using var permissive = new Node(database, allowedHosts: "127.0.0.1", scheduler: false);
        await using var strict = new Node(database, allowedHosts: "", scheduler: true);
        var admin = await permissive.ClientAsync("admin");
        var created = await admin.PostAsJsonAsync("/api/v1/targets",
            new { name = "local vendor", kind = "openai", baseUrl = vendor.BaseUrl, model = "deepseek-r1", dialect = "vllm", claimedVariant = "deepseek-r1" });
        created.EnsureSuccessStatusCode();
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        var auditor = await strict.ClientAsync("auditor");
        var accepted = await auditor.PostAsJsonAsync($"/api/v1/targets/{id}/audits", new { budget = new { maxRequests = 4 } });
        var location = accepted.Headers.Location!.ToString();
        JsonElement audit;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        do
        {
            await Task.Delay(200);
            audit = await auditor.GetFromJsonAsync<JsonElement>(location);
        } while (audit.GetProperty("status").GetString() is "queued" or "running" && DateTime.UtcNow < deadline);

        Assert.Equal("completed", audit.GetProperty("status").GetString());
        Assert.Empty(vendor.Requests);
        var error = audit.GetProperty("error").GetString();
        Assert.StartsWith("every request failed", error, StringComparison.Ordinal);
        Assert.Contains("blocked by outbound policy: host '127.0.0.1' resolves to 127.0.0.1", error, StringComparison.Ordinal);
    }

    private sealed class Node(TestDatabase database, string allowedHosts, bool scheduler) : WebApplicationFactory<VerifierSettings>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("ConnectionStrings:Verifier", database.ConnectionString);
            builder.UseSetting("Verifier:EncryptionKey", VerifierFactory.EncryptionKey);
            builder.UseSetting("Verifier:Targets:AllowedHosts", allowedHosts);
            builder.UseSetting("Verifier:Scheduler:Enabled", scheduler ? "true" : "false");
            builder.UseSetting("Verifier:Scheduler:CheckinSeconds", "1");
            builder.UseSetting("Verifier:NodeId", $"{(scheduler ? "strict" : "permissive")}-{database.Name}");
        }

        public async Task<HttpClient> ClientAsync(string role)
        {
            await using var db = new VerifierDb(VerifierDb.Options(database.ConnectionString), VerifierFactory.LogKey);
            var (_, key) = await KeyStore.CreateAsync(db, role, "test " + role, null);
            var client = CreateClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            return client;
        }
    }
}
