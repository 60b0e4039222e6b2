namespace Verifier.Service.Tests.Faults;

using System.Net;
using System.Net.Http.Headers;
using Npgsql;
using Verifier.Service.Tests.Infrastructure;

/// <summary>
/// 401s say how to authenticate, the OpenAPI document needs a key like everything else, failed keys are limited per
/// client, and no secret (a key in the query string or header, the database password, the encryption key) appears in
/// any log line at any level.
/// </summary>
public sealed class AuthAndLoggingTests : IAsyncLifetime
{
    private const string DbPassword = "pg-password-never-logged-42";
    private readonly TestDatabase database = new();
    private VerifierFactory factory = null!;

    public async Task InitializeAsync()
    {
        await database.InitializeAsync();
        factory = new VerifierFactory(database, new Dictionary<string, string>
        {
            // the test cluster trusts local connections, so the password is carried but not needed: enough to see whether it leaks
            ["ConnectionStrings:Verifier"] = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Password = DbPassword }.ConnectionString,
            ["Verifier:Auth:FailedAttemptsPerMinute"] = "5",
            ["Logging:LogLevel:Default"] = "Trace",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Debug",
        });
    }

    public async Task DisposeAsync()
    {
        await factory.DisposeAsync();
        await database.DisposeAsync();
    }

    [Fact]
    public async Task Unauthorized_answers_carry_www_authenticate_and_openapi_needs_a_key()
    {
        using var anonymous = factory.CreateClient();
        var response = await anonymous.GetAsync("/api/v1/targets");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/openapi/v1.json")).StatusCode);

        anonymous.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "r1v_wrong");
        var wrong = await anonymous.GetAsync("/api/v1/targets");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal("Bearer", wrong.Headers.WwwAuthenticate.Single().Scheme);

        using var viewer = await factory.ClientAsync("viewer");
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/openapi/v1.json")).StatusCode);
    }

    [Fact]
    public async Task No_secret_reaches_any_log_line()
    {
        using var admin = await factory.ClientAsync("admin");
        var key = admin.DefaultRequestHeaders.Authorization!.Parameter!;
        await admin.GetAsync($"/api/v1/targets?access_token={key}&page=1");
        await admin.GetAsync("/api/v1/audit-log?api_key=query-secret-1234&limit=5");
        using var anonymous = factory.CreateClient();
        await anonymous.GetAsync("/api/v1/targets?access_token=query-secret-5678");
        anonymous.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "r1v_header-secret-9999");
        await anonymous.GetAsync("/api/v1/targets");
        await admin.PostAsync("/api/v1/targets", new StringContent("{\"name\":\"a\",\"kind\":\"openai\",\"baseUrl\":\"http://127.0.0.1:9/\",\"model\":\"m\",\"apiKey\":\"sk-body-secret-4321\",\"claimedVariant\":\"deepseek-r1\"}", System.Text.Encoding.UTF8, "application/json"));

        var lines = factory.Logs.ToList();
        Assert.Contains(lines, l => l.Contains("/api/v1/targets?access_token=***&page=1", StringComparison.Ordinal)); // requests are logged, redacted
        foreach (var secret in new[] { key, "query-secret-1234", "query-secret-5678", "r1v_header-secret-9999", "sk-body-secret-4321", DbPassword, VerifierFactory.EncryptionKey })
            Assert.DoesNotContain(lines, l => l.Contains(secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Failed_authentications_are_limited_per_client_and_the_limit_holds_for_a_right_key_too()
    {
        using var admin = await factory.ClientAsync("admin");
        admin.DefaultRequestHeaders.Add("X-Test-Client-Ip", "192.0.2.7");
        using var guesser = factory.CreateClient();
        guesser.DefaultRequestHeaders.Add("X-Test-Client-Ip", "192.0.2.7");
        for (var i = 0; i < 5; i++)
        {
            guesser.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", $"r1v_guess{i}");
            Assert.Equal(HttpStatusCode.Unauthorized, (await guesser.GetAsync("/api/v1/targets")).StatusCode);
        }
        var limited = await guesser.GetAsync("/api/v1/targets");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.NotNull(limited.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await admin.GetAsync("/api/v1/targets")).StatusCode); // the same client, even with a right key
        admin.DefaultRequestHeaders.Remove("X-Test-Client-Ip");
        admin.DefaultRequestHeaders.Add("X-Test-Client-Ip", "192.0.2.8");
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/v1/targets")).StatusCode); // another client is not affected
        using var anonymous = factory.CreateClient();
        anonymous.DefaultRequestHeaders.Add("X-Test-Client-Ip", "192.0.2.7");
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/targets")).StatusCode); // no credentials: nothing to limit
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/live")).StatusCode);
    }
}
