namespace Verifier.Service.Tests.Infrastructure;

using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Verifier.Storage;

/// <summary>The service in-process (WebApplicationFactory) on a test database, with keys for each role.</summary>
public sealed class VerifierFactory(TestDatabase database) : WebApplicationFactory<VerifierSettings>
{
    public static readonly string EncryptionKey = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production"); // the real start-up checks (encryption key required) apply
        builder.UseSetting("ConnectionStrings:Verifier", database.ConnectionString);
        builder.UseSetting("Verifier:EncryptionKey", EncryptionKey);
        builder.UseSetting("Verifier:Targets:AllowedHosts", "127.0.0.1");
        builder.UseSetting("Verifier:Scheduler:CheckinSeconds", "1");
        builder.UseSetting("Verifier:NodeId", "test-node-" + database.Name);
    }

    public async Task<HttpClient> ClientAsync(string role)
    {
        await using var db = new VerifierDb(VerifierDb.Options(database.ConnectionString));
        var (_, key) = await KeyStore.CreateAsync(db, role, "test " + role, null);
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }
}
