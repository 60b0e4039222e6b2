namespace Verifier.Targets.Tests.Http;

using System.Text;
using Microsoft.AspNetCore.Http;
using Verifier.Core.Audits;
using Verifier.Core.Chat;
using Verifier.Core.Exchanges;
using Verifier.Core.Probes;
using Verifier.Targets.Http;
using Xunit.Abstractions;

/// <summary>Everything a vendor sends is capped while it is read: bytes, SSE events, characters, headers.</summary>
[Collection(Isolated.Name)] // allocation is measured process-wide: nothing else may run meanwhile
public class VendorLimitsTests(ITestOutputHelper output)
{
    private const long HundredMegabytes = 100L * 1024 * 1024;
    private static readonly ProbeRequest Ask = ProbeRequest.Chat([ChatMessage.User("What is 6*7?")], 256);

    private static TargetClient Client(Uri baseUrl, ClientOptions? options = null, TargetNetworkOptions? network = null) =>
        new(TargetHttp.CreateHandler(network ?? Vendors.Loopback), Vendors.Endpoint(baseUrl),
            options ?? new ClientOptions { MaxAttempts = 3, BaseDelay = TimeSpan.FromMilliseconds(1) }, time: new InstantDelays());

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_100_MB_body_is_cut_at_the_cap_while_streaming_and_memory_stays_bounded(bool sse)
    {
        await using var server = await StubServer.StartAsync((ctx, _) =>
        {
            ctx.Response.ContentType = sse ? "text/event-stream" : "application/json";
            // One endless SSE line or one endless JSON string: nothing ever completes.
            return Vendors.Flood(ctx, sse ? "data: {\"choices\":[{\"delta\":{\"content\":\"" : "{\"choices\":[{\"message\":{\"content\":\"", (byte)'a', HundredMegabytes);
        });
        var client = Client(server.BaseUrl, new ClientOptions { MaxAttempts = 3, MaxResponseBytes = 4 * 1024 * 1024 });
        await client.ChatAsync("warm-up", ProbeRequest.Get("/warm"), default); // JIT and connection pool outside the measurement

        GC.Collect();
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var call = await client.ChatAsync("p1", Ask with { Stream = sse }, default);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        output.WriteLine($"sse={sse}: allocated {allocated / 1048576.0:F1} MiB while a vendor offered 100 MiB");

        var ex = Assert.Single(call.Exchanges); // an over-cap response is not retried
        Assert.Equal(ExchangeOutcome.Oversized, ex.Outcome);
        Assert.Equal("response exceeded 4194304 bytes", ex.Error);
        Assert.Equal(4 * 1024 * 1024, ex.ResponseBody.Length);
        Assert.False(call.Response.Delivered);
        Assert.True(allocated < 64L * 1024 * 1024, $"allocated {allocated} bytes"); // reading it all took > 200 MB
    }

    [Fact]
    public async Task Too_many_sse_events_and_too_many_characters_fail_the_exchange()
    {
        await using var server = await StubServer.StartAsync(async (ctx, i) =>
        {
            ctx.Response.ContentType = "text/event-stream";
            var line = i == 0 ? "data: {}\n\n" : "data: {\"choices\":[{\"delta\":{\"content\":\"" + new string('x', 500) + "\"}}]}\n\n";
            await Vendors.Flood(ctx, string.Concat(Enumerable.Repeat(line, 200)), (byte)'\n', 1024 * 1024);
        });
        var client = Client(server.BaseUrl, new ClientOptions { MaxAttempts = 1, MaxStreamEvents = 100, MaxReplyCharacters = 10_000 });
        var events = await client.ChatAsync("p1", Ask with { Stream = true }, default);
        Assert.Equal("stream exceeded 100 events", events.Exchanges[0].Error);
        var chars = await client.ChatAsync("p2", Ask with { Stream = true }, default);
        Assert.Equal("reply exceeded 10000 characters", chars.Exchanges[0].Error);
        Assert.All(events.Exchanges.Concat(chars.Exchanges), e => Assert.Equal(ExchangeOutcome.Oversized, e.Outcome));
    }

    [Fact]
    public async Task Oversized_headers_are_a_failed_exchange()
    {
        await using var server = await StubServer.StartAsync((ctx, _) =>
        {
            ctx.Response.Headers["X-Padding"] = new string('p', 40 * 1024);
            return StubServer.Json(ctx, StubServer.Completion("ok"));
        });
        var client = Client(server.BaseUrl, network: Vendors.Loopback with { MaxResponseHeadersKilobytes = 16 });
        var call = await client.ChatAsync("p1", Ask, default);
        var ex = Assert.Single(call.Exchanges);
        Assert.Equal(ExchangeOutcome.Oversized, ex.Outcome);
        Assert.Contains("headers", ex.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2147483647", "5")]
    [InlineData("100000000", "100000000")]
    [InlineData("1000000", "5")]
    [InlineData("-5", "-7")]
    [InlineData("12.5", "\"many\"")]
    public async Task Absurd_or_negative_usage_is_marked_and_charged_as_an_estimate(string prompt, string completion)
    {
        await using var server = await StubServer.StartAsync((ctx, _) => StubServer.Json(ctx,
            $$$"""{"choices":[{"finish_reason":"stop","message":{"role":"assistant","content":"\\boxed{42}"}}],"usage":{"prompt_tokens":{{{prompt}}},"completion_tokens":{{{completion}}}}}"""));
        var call = await Client(server.BaseUrl).ChatAsync("p1", Ask, default);
        var ex = Assert.Single(call.Exchanges);
        Assert.True(call.Response.Delivered);
        Assert.Equal(ExchangeOutcome.Ok, ex.Outcome);
        Assert.StartsWith(UsagePlausibility.AnomalyPrefix, ex.Error, StringComparison.Ordinal);
        Assert.InRange(ex.Usage!.PromptTokens!.Value, 1, ex.RequestBody.Length);
        Assert.InRange(ex.Usage.CompletionTokens ?? 0, 0, 100);
        Assert.Contains(prompt.TrimStart('-'), Encoding.UTF8.GetString(ex.ResponseBody), StringComparison.Ordinal); // the vendor's claim stays on record
    }

    [Fact]
    public async Task Plausible_usage_is_kept_as_reported()
    {
        await using var server = await StubServer.StartAsync((ctx, _) => StubServer.Json(ctx, StubServer.Completion("\\boxed{42}")));
        var ex = Assert.Single((await Client(server.BaseUrl).ChatAsync("p1", Ask, default)).Exchanges);
        Assert.Null(ex.Error);
        Assert.Equal(new TokenUsage(12, 34, 20), ex.Usage);
    }

    [Theory]
    [InlineData("2147483647")]
    [InlineData("100000000")]
    [InlineData("1000000")]
    [InlineData("-5")]
    public async Task Vendor_usage_cannot_end_an_audit_early_or_fail_it(string tokens)
    {
        await using var server = await StubServer.StartAsync((ctx, _) => StubServer.Json(ctx,
            $$$"""{"choices":[{"finish_reason":"stop","message":{"role":"assistant","content":"thinking</think>\\boxed{0}"}}],"usage":{"prompt_tokens":{{{tokens}}},"completion_tokens":{{{tokens}}}}}"""));
        var result = await new HttpTarget(TargetHttp.CreateHandler(Vendors.Loopback), Vendors.Endpoint(server.BaseUrl), new ClientOptions { MaxAttempts = 1 })
            .RunAsync(Vendors.Plan(new AuditBudget(8, 200_000, TimeSpan.FromMinutes(1))));
        Assert.NotEqual("budget: tokens", result.StopReason);
        Assert.True(result.Exchanges.Count > 2, $"stopped after {result.Exchanges.Count} requests: {result.StopReason}");
        Assert.All(result.Exchanges, e => Assert.StartsWith(UsagePlausibility.AnomalyPrefix, e.Error, StringComparison.Ordinal));
        Assert.InRange(result.Cost.PromptTokens, 0, 10_000);
        Assert.InRange(result.Cost.CompletionTokens, 0, 10_000);
        Assert.Null(result.Error);
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class Isolated
{
    public const string Name = "isolated";
}
