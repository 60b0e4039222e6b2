namespace Verifier.Targets.Tests.Http;

using System.Text;
using Verifier.Core.Chat;
using Verifier.Targets.Http;

public class ReplyParserTests
{
    private const string Sse =
        "data: {\"model\":\"m\",\"choices\":[{\"delta\":{\"content\":\"<think>\\nzwölf \"}}]}\n\n" +
        ": keep-alive comment\n\n" +
        "data: {\"choices\":[{\"delta\":{\"content\":\"mal\\n</think>\\n\\n\\\\boxed{12}\"},\"finish_reason\":\"length\"}]}\r\n\r\n" +
        "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":9}}\n\n" +
        "data: [DONE]\n\n";

    [Fact]
    public void Sse_parses_the_same_whatever_the_chunk_boundaries()
    {
        var whole = new ReplyParser.StreamAccumulator();
        whole.Feed(Sse);
        var expected = whole.Finish(1);

        var split = new ReplyParser.StreamAccumulator();
        foreach (var c in Sse) split.Feed(c.ToString());
        var actual = split.Finish(1);

        Assert.True(expected.Complete);
        Assert.Equal(expected.Reply, actual.Reply);
        Assert.Equal(ReasoningStyle.ThinkTags, actual.Reply!.ReasoningStyle);
        Assert.Equal("zwölf mal", actual.Reply.Reasoning);
        Assert.Equal("\\boxed{12}", actual.Reply.Content);
        Assert.Equal("length", actual.Reply.FinishReason);
        Assert.Equal(9, actual.Reply.Usage!.CompletionTokens);
    }

    [Fact]
    public void Missing_done_is_incomplete_and_a_cut_chunk_is_flagged()
    {
        var acc = new ReplyParser.StreamAccumulator();
        acc.Feed(Sse[..Sse.IndexOf("data: [DONE]", StringComparison.Ordinal)] + "data: {\"choices\":[{\"del");
        var parse = acc.Finish(1);
        Assert.False(parse.Complete);
        Assert.True(parse.Malformed);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"choices\":[]}")]
    [InlineData("[1,2]")]
    [InlineData("{\"choices\":[{\"message\":\"x\"}]}")]
    public void Non_completions_are_rejected(string body) =>
        Assert.Null(ReplyParser.ParseCompletion(Encoding.UTF8.GetBytes(body), 1));

    [Fact]
    public void Empty_think_block_is_recognised()
    {
        var reply = ReplyParser.Build("<think>\n\n</think>\n\nAnswer", null, "stop", null, null, null, 1);
        Assert.Equal(ReasoningStyle.ThinkTags, reply.ReasoningStyle);
        Assert.Equal("", reply.Reasoning);
        Assert.Equal("Answer", reply.Content);
    }
}
