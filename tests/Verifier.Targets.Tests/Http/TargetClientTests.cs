namespace Verifier.Targets.Tests.Http;

using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Http;
using Verifier.Core.Chat;
using Verifier.Core.Exchanges;
using Verifier.Core.Probes;
using Verifier.Targets.Http;

public class TargetClientTests
{
    private const string Key = "sk-secret-test-key-123";
    private static readonly ProbeRequest Ask = ProbeRequest.Chat([ChatMessage.User("What is 6*7? Put the answer in \\boxed{}.")], 256);

    private static (TargetClient Client, InstantDelays Delays) Client(Uri baseUrl, TargetDialect dialect, ClientOptions? options = null, AttemptBudget? budget = null)
    {
        var delays = new InstantDelays();
        var client = new TargetClient(new SocketsHttpHandler(), new TargetEndpoint(baseUrl, "deepseek-r1", dialect, Key),
            options ?? new ClientOptions { MaxAttempts = 3, BaseDelay = TimeSpan.FromMilliseconds(100) }, budget: budget, time: delays);
        return (client, delays);
    }

    [Theory]
    [InlineData(TargetDialect.DeepSeekApi, "reasoning_content", ReasoningStyle.ReasoningField)]
    [InlineData(TargetDialect.Vllm, "reasoning_content", ReasoningStyle.ReasoningField)]
    [InlineData(TargetDialect.Sglang, "reasoning", ReasoningStyle.ReasoningField)]
    public async Task Reasoning_field_dialects_are_parsed(TargetDialect dialect, string field, ReasoningStyle style)
    {
        await using var server = await StubServer.StartAsync((ctx, _) => StubServer.Json(ctx, StubServer.Completion("\\boxed{42}", "6 times 7 is 42", field)));
        var (client, _) = Client(server.BaseUrl, dialect);
        var call = await client.ChatAsync("p1", Ask, default);
        Assert.True(call.Response.Delivered);
        Assert.Equal(style, call.Response.Reply!.ReasoningStyle);
        Assert.Equal("6 times 7 is 42", call.Response.Reply.Reasoning);
        Assert.Equal("\\boxed{42}", call.Response.Reply.Content);
        Assert.Equal(new TokenUsage(12, 34, 20), call.Response.Reply.Usage);
        Assert.Equal("fp_test", call.Response.Reply.SystemFingerprint);
    }

    [Theory]
    [InlineData(TargetDialect.Vllm, "6 times 7 is 42</think>\n\n\\boxed{42}", ReasoningStyle.ClosingTagOnly)]
    [InlineData(TargetDialect.LlamaCpp, "<think>\n6 times 7 is 42\n</think>\n\\boxed{42}", ReasoningStyle.ThinkTags)]
    [InlineData(TargetDialect.Ollama, "<think>\n6 times 7 is 42\n</think>\n\n\\boxed{42}", ReasoningStyle.ThinkTags)]
    [InlineData(TargetDialect.Sglang, "\\boxed{42}", ReasoningStyle.None)]
    public async Task Think_tags_in_content_are_split(TargetDialect dialect, string content, ReasoningStyle style)
    {
        await using var server = await StubServer.StartAsync((ctx, _) => StubServer.Json(ctx, StubServer.Completion(content)));
        var (client, _) = Client(server.BaseUrl, dialect);
        var reply = (await client.ChatAsync("p1", Ask, default)).Response.Reply!;
        Assert.Equal(style, reply.ReasoningStyle);
        Assert.Equal("\\boxed{42}", reply.Content);
        if (style != ReasoningStyle.None) Assert.Equal("6 times 7 is 42", reply.Reasoning);
    }

    [Fact]
    public async Task Exchange_keeps_exact_bytes_and_never_the_key()
    {
        var body = StubServer.Completion("\\boxed{42}", "r");
        await using var server = await StubServer.StartAsync((ctx, _) => StubServer.Json(ctx, body));
        var (client, _) = Client(server.BaseUrl, TargetDialect.Vllm);
        var call = await client.ChatAsync("p1", Ask, default);
        var ex = Assert.Single(call.Exchanges);
        Assert.Equal(server.Received[0].Body, ex.RequestBody);               // exactly as sent
        Assert.Equal(Encoding.UTF8.GetBytes(body), ex.ResponseBody);         // exactly as received
        Assert.Equal("Bearer " + Key, server.Received[0].Authorization);      // the key went in the header...
        Assert.Equal("[redacted]", ex.RequestHeaders["Authorization"]);      // ...and nowhere in the record
        Assert.DoesNotContain(Key, Encoding.UTF8.GetString(ex.RequestBody));
        Assert.DoesNotContain(Key, string.Join("", ex.RequestHeaders.Values) + ex.Url + ex.Error + client.Endpoint);
        Assert.Equal("/v1/chat/completions", server.Received[0].Path);
        Assert.Equal(ExchangeOutcome.Ok, ex.Outcome);
        Assert.Equal(1, ex.Attempt);
    }

    [Fact]
    public async Task Streaming_collects_deltas_usage_and_timings()
    {
        await using var server = await StubServer.StartAsync(async (ctx, _) =>
        {
            ctx.Response.ContentType = "text/event-stream";
            string[] chunks =
            [
                """{"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}""",
                """{"model":"m","choices":[{"index":0,"delta":{"reasoning_content":"six times "}}]}""",
                """{"model":"m","choices":[{"index":0,"delta":{"reasoning_content":"seven"}}]}""",
                """{"model":"m","choices":[{"index":0,"delta":{"content":"\\boxed{"}}]}""",
                """{"model":"m","choices":[{"index":0,"delta":{"content":"42}"},"finish_reason":"stop"}]}""",
                """{"model":"m","choices":[],"usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15}}""",
            ];
            foreach (var c in chunks)
            {
                await ctx.Response.WriteAsync("data: " + c + "\n\n");
                await ctx.Response.Body.FlushAsync();
                await Task.Delay(20);
            }
            await ctx.Response.WriteAsync("data: [DONE]\n\n");
        });
        var (client, _) = Client(server.BaseUrl, TargetDialect.DeepSeekApi);
        var call = await client.ChatAsync("p1", ProbeRequest.Chat([ChatMessage.User("q")], 100, stream: true), default);
        var reply = call.Response.Reply!;
        Assert.Equal("\\boxed{42}", reply.Content);
        Assert.Equal("six times seven", reply.Reasoning);
        Assert.Equal(ReasoningStyle.ReasoningField, reply.ReasoningStyle);
        Assert.Equal("stop", reply.FinishReason);
        Assert.Equal(new TokenUsage(10, 5), reply.Usage);
        Assert.NotNull(call.Response.TimeToFirstToken);
        Assert.True(call.Response.TokensPerSecond > 0);
        Assert.Contains("\"include_usage\":true", Encoding.UTF8.GetString(server.Received[0].Body), StringComparison.Ordinal);
        Assert.Contains("data: [DONE]", Encoding.UTF8.GetString(call.Exchanges[0].ResponseBody), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rate_limit_429_honours_retry_after_then_succeeds()
    {
        await using var server = await StubServer.StartAsync((ctx, i) =>
        {
            if (i < 2)
            {
                ctx.Response.Headers.RetryAfter = "2";
                return StubServer.Json(ctx, """{"error":{"message":"Rate limit reached"}}""", 429);
            }
            return StubServer.Json(ctx, StubServer.Completion("\\boxed{42}"));
        });
        var (client, delays) = Client(server.BaseUrl, TargetDialect.DeepSeekApi);
        var call = await client.ChatAsync("p1", Ask, default);
        Assert.True(call.Response.Delivered);
        Assert.Equal([ExchangeOutcome.HttpError, ExchangeOutcome.HttpError, ExchangeOutcome.Ok], call.Exchanges.Select(e => e.Outcome));
        Assert.Equal([1, 2, 3], call.Exchanges.Select(e => e.Attempt));
        Assert.Equal([TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2)], delays.Delays);
        Assert.Equal(3, call.Exchanges.Select(e => e.Sequence).Distinct().Count());
    }

    [Fact]
    public async Task Retry_after_beyond_the_limit_fails_without_waiting()
    {
        await using var server = await StubServer.StartAsync((ctx, _) =>
        {
            ctx.Response.Headers.RetryAfter = "3600";
            return StubServer.Json(ctx, "{}", 429);
        });
        var (client, delays) = Client(server.BaseUrl, TargetDialect.Vllm);
        var call = await client.ChatAsync("p1", Ask, default);
        Assert.False(call.Response.Delivered);
        Assert.Single(call.Exchanges);
        Assert.Empty(delays.Delays);
    }

    [Fact]
    public async Task Retry_after_past_the_wall_time_deadline_fails_without_waiting()
    {
        await using var server = await StubServer.StartAsync((ctx, _) =>
        {
            ctx.Response.Headers.RetryAfter = "30"; // within MaxRetryAfter, but the audit ends in 10 s
            return StubServer.Json(ctx, "{}", 503);
        });
        var budget = new AttemptBudget(10, DateTimeOffset.UtcNow.AddSeconds(10));
        var (client, delays) = Client(server.BaseUrl, TargetDialect.Vllm, budget: budget);
        var call = await client.ChatAsync("p1", Ask, default);
        Assert.False(call.Response.Delivered);
        Assert.Single(call.Exchanges);
        Assert.Empty(delays.Delays);
        Assert.Equal(9, budget.Remaining);
    }

    [Fact]
    public async Task Server_errors_are_retried_with_backoff_then_reported_failed()
    {
        await using var server = await StubServer.StartAsync((ctx, _) => StubServer.Json(ctx, """{"error":"boom"}""", 500));
        var (client, delays) = Client(server.BaseUrl, TargetDialect.Sglang, new ClientOptions { MaxAttempts = 4, BaseDelay = TimeSpan.FromMilliseconds(100), JitterSeed = 7 });
        var call = await client.ChatAsync("p1", Ask, default);
        Assert.False(call.Response.Delivered);
        Assert.Equal(4, call.Exchanges.Count);
        Assert.All(call.Exchanges, e => Assert.Equal(500, e.StatusCode));
        Assert.Equal(3, delays.Delays.Count);
        Assert.True(delays.Delays[2] > delays.Delays[0], "exponential backoff grows");
        Assert.Equal(4, server.Calls);
    }

    [Fact]
    public async Task Budget_caps_attempts()
    {
        await using var server = await StubServer.StartAsync((ctx, _) => StubServer.Json(ctx, "{}", 503));
        var budget = new AttemptBudget(2, DateTimeOffset.MaxValue);
        var (client, _) = Client(server.BaseUrl, TargetDialect.Vllm, new ClientOptions { MaxAttempts = 10, BaseDelay = TimeSpan.FromMilliseconds(1) }, budget);
        var first = await client.ChatAsync("p1", Ask, default);
        var second = await client.ChatAsync("p2", Ask, default);
        Assert.Equal(2, first.Exchanges.Count);
        Assert.Empty(second.Exchanges);
        Assert.Contains("budget", second.Response.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Timeout_is_a_failed_exchange_not_an_exception()
    {
        await using var server = await StubServer.StartAsync(async (ctx, _) =>
        {
            try { await Task.Delay(3000, ctx.RequestAborted); } catch (OperationCanceledException) { }
        });
        var (client, _) = Client(server.BaseUrl, TargetDialect.LlamaCpp, new ClientOptions { MaxAttempts = 2, BaseDelay = TimeSpan.FromMilliseconds(1), AttemptTimeout = TimeSpan.FromMilliseconds(200) });
        var call = await client.ChatAsync("p1", Ask, default);
        Assert.False(call.Response.Delivered);
        Assert.Equal([ExchangeOutcome.Timeout, ExchangeOutcome.Timeout], call.Exchanges.Select(e => e.Outcome));
    }

    [Fact]
    public async Task Malformed_json_is_retried()
    {
        await using var server = await StubServer.StartAsync((ctx, i) => StubServer.Json(ctx, i == 0 ? "{\"choices\": [ {\"message\": " : StubServer.Completion("ok")));
        var (client, _) = Client(server.BaseUrl, TargetDialect.Vllm);
        var call = await client.ChatAsync("p1", Ask, default);
        Assert.Equal([ExchangeOutcome.Malformed, ExchangeOutcome.Ok], call.Exchanges.Select(e => e.Outcome));
        Assert.Equal("ok", call.Response.Reply!.Content);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Truncated_streams_are_detected(bool cutMidChunk)
    {
        await using var server = await StubServer.StartAsync(async (ctx, _) =>
        {
            ctx.Response.ContentType = "text/event-stream";
            await ctx.Response.WriteAsync("data: {\"choices\":[{\"delta\":{\"content\":\"hel\"}}]}\n\n");
            if (cutMidChunk) await ctx.Response.WriteAsync("data: {\"choices\":[{\"delta\":{\"con");
        });
        var (client, _) = Client(server.BaseUrl, TargetDialect.Vllm, new ClientOptions { MaxAttempts = 2, BaseDelay = TimeSpan.FromMilliseconds(1) });
        var call = await client.ChatAsync("p1", ProbeRequest.Chat([ChatMessage.User("q")], 10, stream: true), default);
        Assert.False(call.Response.Delivered);
        Assert.Equal([ExchangeOutcome.Truncated, ExchangeOutcome.Truncated], call.Exchanges.Select(e => e.Outcome));
    }

    [Fact]
    public async Task Connection_refused_is_recorded_and_retried()
    {
        int port;
        using (var l = new TcpListener(IPAddress.Loopback, 0)) { l.Start(); port = ((IPEndPoint)l.LocalEndpoint).Port; }
        var (client, _) = Client(new Uri($"http://127.0.0.1:{port}/"), TargetDialect.Ollama);
        var call = await client.ChatAsync("p1", Ask, default);
        Assert.False(call.Response.Delivered);
        Assert.Equal(3, call.Exchanges.Count);
        Assert.All(call.Exchanges, e => Assert.Equal(ExchangeOutcome.Refused, e.Outcome));
    }

    [Fact]
    public async Task Metadata_get_and_post_and_client_errors_are_delivered_without_retry()
    {
        await using var server = await StubServer.StartAsync((ctx, _) => ctx.Request.Path.Value switch
        {
            "/props" => StubServer.Json(ctx, """{"model_path":"/models/DeepSeek-R1-Distill-Qwen-7B-Q4_K_M.gguf","default_generation_settings":{"n_ctx":8192}}"""),
            "/api/show" => StubServer.Json(ctx, """{"details":{"family":"qwen2","parameter_size":"7.6B"}}"""),
            _ => StubServer.Json(ctx, """{"error":{"code":400,"message":"request (13392 tokens) exceeds the available context size (8192 tokens), try increasing it","type":"exceed_context_size_error"}}""", 400),
        });
        var (client, _) = Client(server.BaseUrl, TargetDialect.LlamaCpp);
        var props = await client.SendAsync("meta", ProbeRequest.Get("/props"), default);
        Assert.Contains("Q4_K_M", props.Response.Body, StringComparison.Ordinal);
        var show = await client.SendAsync("meta", new ProbeRequest(ProbeRequestKind.PostJson, [], Path: "/api/show", JsonBody: """{"model":"deepseek-r1:7b"}"""), default);
        Assert.Contains("qwen2", show.Response.Body, StringComparison.Ordinal);
        Assert.Equal("""{"model":"deepseek-r1:7b"}""", Encoding.UTF8.GetString(server.Received[1].Body));
        var tooLong = await client.ChatAsync("ctx", Ask, default);
        Assert.True(tooLong.Response.Delivered);
        Assert.Equal(400, tooLong.Response.StatusCode);
        Assert.Contains("8192", tooLong.Response.Body, StringComparison.Ordinal);
        Assert.Single(tooLong.Exchanges);
        Assert.Equal([1, 2, 3], client.Log.Snapshot().Select(e => e.Sequence));
    }
}

public class TargetClientSharedHandlerTests
{
    [Fact]
    public async Task A_shared_handler_that_already_sent_requests_can_be_reused()
    {
        await using var server = await StubServer.StartAsync((ctx, _) => StubServer.Json(ctx, StubServer.Completion("ok")));
        using var handler = new SocketsHttpHandler();
        var endpoint = new TargetEndpoint(server.BaseUrl, "m", TargetDialect.Vllm);
        var first = await new TargetClient(handler, endpoint).ChatAsync("a", ProbeRequest.Chat([ChatMessage.User("q")], 5), default);
        var second = await new TargetClient(handler, endpoint).ChatAsync("b", ProbeRequest.Chat([ChatMessage.User("q")], 5), default);
        Assert.True(first.Response.Delivered);
        Assert.True(second.Response.Delivered);
    }
}
