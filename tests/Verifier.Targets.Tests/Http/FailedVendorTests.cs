namespace Verifier.Targets.Tests.Http;

using Verifier.Core.Audits;
using Verifier.Targets.Http;

public class FailedVendorTests
{
    [Fact]
    public async Task A_vendor_that_only_answers_5xx_gets_a_clear_error_not_an_empty_one()
    {
        await using var server = await StubServer.StartAsync((ctx, _) => StubServer.Json(ctx, """{"error":"overloaded"}""", 503));
        var result = await new HttpTarget(TargetHttp.CreateHandler(Vendors.Loopback), Vendors.Endpoint(server.BaseUrl),
            new ClientOptions { MaxAttempts = 2, BaseDelay = TimeSpan.FromMilliseconds(1) }, new InstantDelays()).RunAsync(Vendors.Plan(new AuditBudget(6, 100_000, TimeSpan.FromMinutes(1))));
        Assert.Equal(VerdictKind.Inconclusive, result.Verdict.Kind);
        Assert.Equal("every request failed (6 attempts, none delivered): 503 from vendor (5xx) ×6", result.Error);
        Assert.StartsWith(result.Error, result.Verdict.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_audit_with_a_delivered_response_has_no_error()
    {
        await using var server = await StubServer.StartAsync((ctx, i) => i == 0 ? StubServer.Json(ctx, "{}", 503) : StubServer.Json(ctx, StubServer.Completion("\\boxed{0}")));
        var result = await new HttpTarget(TargetHttp.CreateHandler(Vendors.Loopback), Vendors.Endpoint(server.BaseUrl),
            new ClientOptions { BaseDelay = TimeSpan.FromMilliseconds(1) }, new InstantDelays()).RunAsync(Vendors.Plan(new AuditBudget(3, 100_000, TimeSpan.FromMinutes(1))));
        Assert.Null(result.Error);
    }
}
