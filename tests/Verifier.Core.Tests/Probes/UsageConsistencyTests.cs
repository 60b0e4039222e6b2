namespace Verifier.Core.Tests.Probes;

using Verifier.Core.Audits;
using Verifier.Core.Catalog;
using Verifier.Core.Chat;
using Verifier.Core.ChatTemplates;
using Verifier.Core.Evidence;
using Verifier.Core.Exchanges;
using Verifier.Core.Probes;
using Verifier.Core.Probes.Tokenizer;

public class UsageConsistencyTests
{
    private const string Hidden = "You are a helpful assistant. 今天是2026年12月1日。";

    private static ProbeInstance Instance(string id, ProbeCategory category, params IReadOnlyList<ChatMessage>[] requests) =>
        new(id, "test", category, "t1", 1, requests.Select(m => ProbeRequest.Chat(m, 64)).ToList(), "", 100);

    // What a server running the template reports: the rendered prompt, with its hidden system prompt, under its tokenizer.
    private static ProbeExecution Served(ChatTemplateId template, ProbeInstance instance, int sequence) =>
        new(instance.Requests.Select((r, i) => new ProbeResponse(i, true, 200,
                new ChatReply("OK", null, ReasoningStyle.None, "stop", null, null,
                    new TokenUsage(ChatTemplates.CountPromptTokens(template, [ChatMessage.System(Hidden), .. r.Messages]), 1), sequence + i),
                "{}", sequence + i)).ToList(), []);

    private static readonly IReadOnlyList<ChatMessage> First = [ChatMessage.User("What is 12345678 + 87654321? 数学题目")];
    private static readonly IReadOnlyList<ChatMessage> Later = [ChatMessage.User("Compute 2^100 mod 1000003: 31415926535897932384626 ｶﾀｶﾅﾃｷｽﾄ 人工智能模型 ひらがなカタカナ 😀🚀 <｜User｜>")];

    [Theory]
    [InlineData(ChatTemplateId.R1, "deepseek-v3")]
    [InlineData(ChatTemplateId.R1_0528, "deepseek-v3")]
    [InlineData(ChatTemplateId.DistillQwen, "qwen")]
    [InlineData(ChatTemplateId.DistillLlama, "llama3")]
    public void One_model_behind_every_request_matches_its_family_whatever_its_template_and_system_prompt(ChatTemplateId served, string family)
    {
        var a = Instance("a", ProbeCategory.Reasoning, First);
        var anchor = UsageConsistency.TryAnchor(a, Served(served, a, 1));
        Assert.NotNull(anchor);
        var b = Instance("b", ProbeCategory.Code, Later);
        var outcome = UsageConsistency.Check(anchor, null, b, Served(served, b, 2));
        Assert.NotNull(outcome);
        Assert.Equal("family:" + family, outcome.OutcomeKey);
        Assert.Equal([1, 2], outcome.ExchangeSequences);
        Assert.True(outcome.LogLikelihoods![family] > outcome.LogLikelihoods.Where(kv => kv.Key != family && kv.Key != Hypothesis.UnknownWithTokenizer(family)).Max(kv => kv.Value) + 2, outcome.Observed);
        // a model outside the catalogue on this vocabulary counts alike; one on another vocabulary does not
        Assert.Equal(outcome.LogLikelihoods[family], outcome.LogLikelihoods[Hypothesis.UnknownWithTokenizer(family)]);
        Assert.True(outcome.LogLikelihoods[Hypothesis.UnknownId] < outcome.LogLikelihoods[family] - 2);
    }

    [Fact]
    public void A_request_answered_by_another_model_fits_no_family_and_points_to_partial_traffic()
    {
        var a = Instance("a", ProbeCategory.Reasoning, First);
        var anchor = UsageConsistency.TryAnchor(a, Served(ChatTemplateId.R1, a, 1))!;
        var b = Instance("b", ProbeCategory.Reasoning, Later);
        var outcome = UsageConsistency.Check(anchor, null, b, Served(ChatTemplateId.DistillQwen, b, 2))!;
        Assert.Equal("unknown", outcome.OutcomeKey);

        var options = EvidenceOptions.Default;
        var space = HypothesisSpace.Create(VariantCatalog.Default, "deepseek-r1", options);
        var (_, item) = EvidenceLedger.Create(space, new CapabilityModel(VariantCatalog.Default, options), options).Apply(outcome);
        Assert.True(item.LogLikelihoods["mix:deepseek-r1+r1-distill-qwen-7b@0.2"] > item.LogLikelihoods["deepseek-r1@fp8"] + 4);
    }

    [Fact]
    public void The_check_runs_only_after_a_pair_matched_a_family_and_never_after_a_discounted_pair()
    {
        var a = Instance("a", ProbeCategory.Tokenizer, First, Later);
        var executed = Served(ChatTemplateId.R1, a, 1);
        var fresh = new UsageConsistency.Tracker().After(a, executed, "unknown");
        Assert.NotNull(fresh.Anchor);
        Assert.False(fresh.Active); // counts not yet shown to be a tokenizer's
        var verified = fresh.After(a, executed, "family:deepseek-v3");
        Assert.True(verified.Active);
        Assert.Same(fresh.Anchor, verified.Anchor); // the first anchor stays
        Assert.False(verified.After(a, executed, TokenizerProbe.DiscountedOutcome).Active);
        Assert.False(verified.After(a, executed, TokenizerProbe.DiscountedOutcome).After(a, executed, "family:deepseek-v3").Active);
        // outcomes of other categories never verify
        var reasoning = Instance("r", ProbeCategory.Reasoning, First);
        Assert.False(new UsageConsistency.Tracker().After(reasoning, Served(ChatTemplateId.R1, reasoning, 1), "family:qwen").Active);
    }

    [Fact]
    public void Tokenizer_pairs_multi_message_requests_and_missing_usage_give_no_check()
    {
        var a = Instance("a", ProbeCategory.Reasoning, First);
        var anchor = UsageConsistency.TryAnchor(a, Served(ChatTemplateId.R1, a, 1))!;
        var pair = Instance("p", ProbeCategory.Tokenizer, First, Later);
        Assert.Null(UsageConsistency.Check(anchor, null, pair, Served(ChatTemplateId.R1, pair, 2)));
        var dialogue = Instance("d", ProbeCategory.Behaviour, [ChatMessage.System("be brief"), ChatMessage.User("hi")]);
        Assert.Null(UsageConsistency.Check(anchor, null, dialogue, Served(ChatTemplateId.R1, dialogue, 3)));
        Assert.Null(UsageConsistency.TryAnchor(dialogue, Served(ChatTemplateId.R1, dialogue, 3)));
        var silent = new ProbeExecution([new ProbeResponse(0, true, 200, new ChatReply("OK", null, ReasoningStyle.None, "stop", null, null, null, 4), "{}", 4)], []);
        Assert.Null(UsageConsistency.Check(anchor, null, Instance("s", ProbeCategory.Code, Later), silent));
    }
}
