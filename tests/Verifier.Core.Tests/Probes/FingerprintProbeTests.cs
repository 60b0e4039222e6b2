namespace Verifier.Core.Tests.Probes;

using Verifier.Core.Audits;
using Verifier.Core.Chat;
using Verifier.Core.ChatTemplates;
using Verifier.Core.Exchanges;
using Verifier.Core.Probes;
using Verifier.Core.Probes.Fingerprint;

public class FingerprintProbeTests
{
    private static ProbeExecution Execution(ChatReply? reply, int status = 200, string? body = null) =>
        new([new ProbeResponse(0, true, status, reply, body, 1)], []);

    private static ChatReply Reply(int promptTokens, IReadOnlyList<TokenLogprob>? logprobs, string content = " blue sky") =>
        new(content, null, ReasoningStyle.None, "length", "m", null, new TokenUsage(promptTokens, 2, null), 1) { Logprobs = logprobs };

    private static int PlainCount(ProbeInstance i) => ChatTemplates.CountPromptTokens(ChatTemplateId.DistillQwen, i.Requests[0].Messages);

    [Fact]
    public void Fixed_prompts_ask_for_greedy_tokens_with_top_logprobs()
    {
        var i = FingerprintProbe.Generate(3);
        Assert.Equal(i.ProbeId, FingerprintProbe.Generate(3 + FingerprintProbe.Prompts.Count).ProbeId);
        Assert.Equal(0, i.Requests[0].Temperature);
        Assert.Equal(FingerprintProbe.TopK, i.Requests[0].TopLogprobs);
        Assert.Null(FingerprintProbe.WithoutLogprobs(i).Requests[0].TopLogprobs);
        Assert.Equal(3, FingerprintProbe.IndexOf(FingerprintProbe.Prompts[3]));
    }

    [Fact]
    public void An_answer_to_the_plain_prompt_is_an_observation_with_or_without_logprobs()
    {
        var i = FingerprintProbe.Generate(0);
        var top = new TokenLogprob(" blue", -0.2, [new(" blue", -0.2), new(" red", -1.9)]);
        var withLogprobs = FingerprintProbe.Score(i, Execution(Reply(PlainCount(i), [top])));
        Assert.Equal(FingerprintProbe.LogprobsOutcome, withLogprobs.OutcomeKey);
        Assert.Same(top, withLogprobs.Fingerprint!.Tokens![0]);
        var text = FingerprintProbe.Score(i, Execution(Reply(PlainCount(i), null, "<think>\n blue  sky")));
        Assert.Equal(FingerprintProbe.TextOutcome, text.OutcomeKey);
        Assert.Equal("blue sky", text.Fingerprint!.Text);
    }

    [Fact]
    public void A_changed_context_or_a_refusal_is_recorded_and_not_weighed()
    {
        var i = FingerprintProbe.Generate(0);
        var hidden = FingerprintProbe.Score(i, Execution(Reply(PlainCount(i) + 17, null)));
        Assert.Equal(FingerprintProbe.ContextUnverifiedOutcome, hidden.OutcomeKey);
        Assert.Null(hidden.Fingerprint); // text only: not weighed
        var noUsage = FingerprintProbe.Score(i, Execution(Reply(PlainCount(i), null) with { Usage = null }));
        Assert.Null(noUsage.Fingerprint);
        var refused = FingerprintProbe.Score(i, Execution(null, 400, """{"error":{"message":"logprobs is not supported"}}"""));
        Assert.Equal(FingerprintProbe.RefusedOutcome, refused.OutcomeKey);
    }
}
