namespace Verifier.Targets.Tests.Http;

using System.Net;
using Verifier.Core.Audits;
using Verifier.Core.Chat;
using Verifier.Core.Exchanges;
using Verifier.Core.Probes;
using Verifier.Core.Security;
using Verifier.Targets.Http;

/// <summary>The outbound policy holds when a connection is made, not only when a target is written; redirects are never followed.</summary>
public class OutboundTests
{
    private static readonly ProbeRequest Ask = ProbeRequest.Chat([ChatMessage.User("q")], 5);

    private static async Task<TargetCall> Call(Uri url, TargetNetworkOptions network) =>
        await new TargetClient(TargetHttp.CreateHandler(network), Vendors.Endpoint(url), new ClientOptions { MaxAttempts = 3, BaseDelay = TimeSpan.FromMilliseconds(1) })
            .ChatAsync("p1", Ask, default);

    [Fact]
    public async Task A_hostname_resolving_to_loopback_is_refused_at_connect_unless_allowed()
    {
        await using var server = await StubServer.StartAsync((ctx, _) => StubServer.Json(ctx, StubServer.Completion("ok")));
        var viaName = new Uri($"http://localhost:{server.BaseUrl.Port}/");

        var refused = await Call(viaName, new TargetNetworkOptions());
        var ex = Assert.Single(refused.Exchanges); // a policy refusal is not retried
        Assert.Equal(ExchangeOutcome.Refused, ex.Outcome);
        Assert.StartsWith("blocked by outbound policy: host 'localhost' resolves to ", ex.Error, StringComparison.Ordinal);
        Assert.Equal(0, server.Calls);

        var allowed = await Call(viaName, new TargetNetworkOptions { AllowedHosts = ["LOCALHOST"] });
        Assert.True(allowed.Response.Delivered);
        Assert.Equal(1, server.Calls);
    }

    [Fact]
    public async Task A_name_that_passed_the_check_at_creation_and_rebinds_to_loopback_is_refused()
    {
        await using var server = await StubServer.StartAsync((ctx, _) => StubServer.Json(ctx, StubServer.Completion("ok")));
        var answers = new Queue<IPAddress[]>([[IPAddress.Parse("93.184.216.34")], [IPAddress.Parse("127.0.0.1")]]);
        Task<IPAddress[]> Resolve(string host, CancellationToken ct) => Task.FromResult(answers.Dequeue());
        var url = new Uri($"http://vendor.example:{server.BaseUrl.Port}/");

        Assert.Null(OutboundPolicy.Check(url, await Resolve("vendor.example", default), [])); // the target is written: public address
        var call = await Call(url, new TargetNetworkOptions { Resolve = Resolve });          // the audit connects: loopback now
        Assert.Equal(ExchangeOutcome.Refused, Assert.Single(call.Exchanges).Outcome);
        Assert.Contains("127.0.0.1", call.Exchanges[0].Error, StringComparison.Ordinal);
        Assert.Equal(0, server.Calls);
    }

    [Fact]
    public async Task Every_resolved_address_is_checked()
    {
        Task<IPAddress[]> Resolve(string host, CancellationToken ct) => Task.FromResult(new[] { IPAddress.Parse("93.184.216.34"), IPAddress.Parse("169.254.169.254") });
        var call = await Call(new Uri("http://vendor.example:9/"), new TargetNetworkOptions { Resolve = Resolve });
        Assert.Equal(ExchangeOutcome.Refused, Assert.Single(call.Exchanges).Outcome);
        Assert.Contains("169.254.169.254", call.Exchanges[0].Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[::ffff:127.0.0.1]")]
    [InlineData("[::127.0.0.1]")]
    [InlineData("[::ffff:0:7f00:1]")]
    public async Task IPv6_literals_embedding_loopback_are_refused_at_connect(string host)
    {
        await using var server = await StubServer.StartAsync((ctx, _) => StubServer.Json(ctx, StubServer.Completion("ok")));
        var call = await Call(new Uri($"http://{host}:{server.BaseUrl.Port}/"), Vendors.Loopback);
        Assert.Equal(ExchangeOutcome.Refused, Assert.Single(call.Exchanges).Outcome);
        Assert.Equal(0, server.Calls);
    }

    [Fact]
    public async Task A_redirect_loop_costs_at_most_the_request_budget()
    {
        await using var server = await StubServer.StartAsync((ctx, i) =>
        {
            ctx.Response.StatusCode = 302;
            ctx.Response.Headers.Location = $"/loop/{i}";
            return Task.CompletedTask;
        });
        var result = await new HttpTarget(TargetHttp.CreateHandler(Vendors.Loopback), Vendors.Endpoint(server.BaseUrl))
            .RunAsync(Vendors.Plan(new AuditBudget(3, 100_000, TimeSpan.FromMinutes(1))));
        Assert.InRange(server.Calls, 1, 3);
        Assert.Equal(server.Calls, result.Exchanges.Count);
        Assert.All(result.Exchanges, e => Assert.Equal(302, e.StatusCode));
    }
}
