namespace Verifier.Targets.Tests.Http;

using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Verifier.Core.Audits;
using Verifier.Core.Chat;
using Verifier.Core.Exchanges;
using Verifier.Core.Probes;
using Verifier.Targets.Http;
using Xunit.Abstractions;

/// <summary>The audit's wall-time budget holds while a request is in flight, whatever the vendor does.</summary>
public class WallTimeTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(1.5);

    public static TheoryData<string> Behaviours => ["hang", "headers-then-nothing", "one-byte-per-second", "sse-one-byte-per-second"];

    private static async Task Behave(HttpContext ctx, string behaviour)
    {
        switch (behaviour)
        {
            case "hang":
                await Vendors.Hang(ctx);
                break;
            case "headers-then-nothing":
                ctx.Response.ContentType = "application/json";
                await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
                await Vendors.Hang(ctx);
                break;
            default:
                ctx.Response.ContentType = behaviour.StartsWith("sse", StringComparison.Ordinal) ? "text/event-stream" : "application/json";
                try
                {
                    for (var i = 0; i < 300; i++)
                    {
                        await ctx.Response.Body.WriteAsync("d"u8.ToArray(), ctx.RequestAborted);
                        await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
                        await Task.Delay(1000, ctx.RequestAborted);
                    }
                }
                catch (Exception e) when (e is OperationCanceledException or IOException) { }
                break;
        }
    }

    [Theory]
    [MemberData(nameof(Behaviours))]
    public async Task A_slow_vendor_cannot_hold_an_audit_past_its_wall_budget(string behaviour)
    {
        await using var server = await StubServer.StartAsync((ctx, _) => Behave(ctx, behaviour));
        var plan = Vendors.Plan(new AuditBudget(20, 100_000, Budget), stream: behaviour.StartsWith("sse", StringComparison.Ordinal));
        var clock = Stopwatch.StartNew();
        // Default client options: a 5-minute attempt timeout and 4 attempts, as in production.
        var result = await new HttpTarget(TargetHttp.CreateHandler(Vendors.Loopback), Vendors.Endpoint(server.BaseUrl)).RunAsync(plan);
        var overrun = clock.Elapsed - Budget;
        output.WriteLine($"{behaviour}: ended {clock.Elapsed.TotalSeconds:F2} s into a {Budget.TotalSeconds} s budget (overrun {overrun.TotalMilliseconds:F0} ms), {result.Exchanges.Count} exchanges");

        Assert.True(overrun < Slack, $"ran {clock.Elapsed}");
        Assert.Equal("budget: wall time", result.StopReason);
        var cut = Assert.Single(result.Exchanges, e => e.Error?.StartsWith("audit wall-time budget reached", StringComparison.Ordinal) == true);
        Assert.Equal(ExchangeOutcome.Timeout, cut.Outcome);
        Assert.Contains("every request failed", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(300)]
    public async Task Caller_cancellation_still_propagates(int afterMilliseconds)
    {
        await using var server = await StubServer.StartAsync((ctx, _) => Vendors.Hang(ctx));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(afterMilliseconds)); // before, or during the first request
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            new HttpTarget(TargetHttp.CreateHandler(Vendors.Loopback), Vendors.Endpoint(server.BaseUrl))
                .RunAsync(Vendors.Plan(new AuditBudget(5, 100_000, TimeSpan.FromMinutes(1))), cts.Token));
    }

    [Fact]
    public async Task A_slow_vendor_holds_at_most_its_per_host_slots_and_other_targets_go_on()
    {
        var inFlight = 0;
        var peak = 0;
        await using var slow = await StubServer.StartAsync(async (ctx, _) =>
        {
            var now = Interlocked.Increment(ref inFlight);
            lock (ctx.RequestServices) peak = Math.Max(peak, now);
            await Task.Delay(300);
            Interlocked.Decrement(ref inFlight);
            await StubServer.Json(ctx, StubServer.Completion("ok"));
        });
        await using var fast = await StubServer.StartAsync((ctx, _) => StubServer.Json(ctx, StubServer.Completion("ok")));
        var options = new ClientOptions { MaxConcurrentPerHost = 2 };
        using var handler = TargetHttp.CreateHandler(Vendors.Loopback);
        var ask = ProbeRequest.Chat([ChatMessage.User("q")], 5);

        var slowCalls = Enumerable.Range(0, 6).Select(i => new TargetClient(handler, Vendors.Endpoint(slow.BaseUrl), options).ChatAsync($"s{i}", ask, default)).ToList();
        var clock = Stopwatch.StartNew();
        var quick = await new TargetClient(handler, Vendors.Endpoint(fast.BaseUrl), options).ChatAsync("f", ask, default);
        var fastTime = clock.Elapsed;
        await Task.WhenAll(slowCalls);

        Assert.True(quick.Response.Delivered);
        Assert.True(fastTime < TimeSpan.FromMilliseconds(600), $"the other target waited {fastTime}");
        Assert.Equal(2, peak);
        Assert.All(slowCalls, c => Assert.True(c.Result.Response.Delivered));
    }
}
