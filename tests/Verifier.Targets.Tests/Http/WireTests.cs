namespace Verifier.Targets.Tests.Http;

using System.Text;
using Microsoft.AspNetCore.Http;
using Verifier.Core.Chat;
using Verifier.Core.Probes;
using Verifier.Targets.Http;

/// <summary>How requests leave and replies arrive: bodies with a Content-Length, SSE read while the vendor still writes.</summary>
public class WireTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Request_bodies_go_with_a_content_length_not_chunked(bool stream)
    {
        long? contentLength = null;
        var transferEncoding = "";
        await using var server = await StubServer.StartAsync((ctx, _) =>
        {
            contentLength = ctx.Request.ContentLength;
            transferEncoding = ctx.Request.Headers.TransferEncoding.ToString();
            return StubServer.Json(ctx, StubServer.Completion("ok"));
        });
        var client = new TargetClient(TargetHttp.CreateHandler(Vendors.Loopback), Vendors.Endpoint(server.BaseUrl));
        var call = await client.ChatAsync("p1", ProbeRequest.Chat([ChatMessage.User("Say ok.")], 16, stream: stream), default);

        Assert.Equal("", transferEncoding);
        Assert.Equal(server.Received[0].Body.Length, contentLength);
        Assert.Equal(server.Received[0].Body, call.Exchanges[0].RequestBody);
    }

    [Fact]
    public async Task The_request_is_the_openai_shape_in_snake_case_without_nulls()
    {
        await using var server = await StubServer.StartAsync((ctx, _) => StubServer.Json(ctx, StubServer.Completion("ok")));
        var client = new TargetClient(TargetHttp.CreateHandler(Vendors.Loopback), Vendors.Endpoint(server.BaseUrl));
        var ask = ProbeRequest.Chat([ChatMessage.User("q")], 16, temperature: null, topP: 0.95, stream: true) with { TopLogprobs = 5 };
        await client.ChatAsync("p1", ask, default);

        Assert.Equal("""{"model":"deepseek-r1","messages":[{"role":"user","content":"q"}],"max_tokens":16,"top_p":0.95,"stream":true,"logprobs":true,"top_logprobs":5,"stream_options":{"include_usage":true}}""",
            Encoding.UTF8.GetString(server.Received[0].Body));
    }

    [Fact]
    public async Task Sse_is_read_as_it_arrives()
    {
        var pause = TimeSpan.FromSeconds(2);
        await using var server = await StubServer.StartAsync(async (ctx, _) =>
        {
            ctx.Response.ContentType = "text/event-stream";
            await ctx.Response.WriteAsync("data: {\"choices\":[{\"delta\":{\"content\":\"first\"}}]}\n\n");
            await ctx.Response.Body.FlushAsync();
            await Task.Delay(pause);
            await ctx.Response.WriteAsync("data: {\"choices\":[{\"delta\":{\"content\":\" last\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");
        });
        var client = new TargetClient(TargetHttp.CreateHandler(Vendors.Loopback), Vendors.Endpoint(server.BaseUrl));
        var call = await client.ChatAsync("p1", ProbeRequest.Chat([ChatMessage.User("q")], 16, stream: true), default);

        var ex = Assert.Single(call.Exchanges);
        Assert.Equal("first last", call.Response.Reply!.Content);
        Assert.True(ex.Duration >= pause, $"the stream took {ex.Duration}");
        Assert.True(ex.TimeToFirstToken < ex.Duration - pause / 2, $"first token at {ex.TimeToFirstToken} of {ex.Duration}: the body was buffered before reading");
    }
}
