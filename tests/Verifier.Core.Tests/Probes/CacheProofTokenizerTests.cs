namespace Verifier.Core.Tests.Probes;

using Verifier.Core.Audits;
using Verifier.Core.Chat;
using Verifier.Core.ChatTemplates;
using Verifier.Core.Exchanges;
using Verifier.Core.Probes;
using Verifier.Core.Probes.Tokenizer;

/// <summary>Tokenizer pairs open with nonces, so a prompt cache discounts only a constant and the delta stays exact.</summary>
public class CacheProofTokenizerTests
{
    private static int Full(ProbeInstance i, int request) => ChatTemplates.CountPromptTokens(ChatTemplateId.R1, i.Requests[request].Messages);

    private static ProbeExecution Reported(int b, int a) => new(
    [
        new ProbeResponse(0, true, 200, new ChatReply("OK", null, ReasoningStyle.None, "stop", "m", null, new TokenUsage(b, 1), 1), null, 1),
        new ProbeResponse(1, true, 200, new ChatReply("OK", null, ReasoningStyle.None, "stop", "m", null, new TokenUsage(a, 1), 2), null, 2),
    ], []);

    [Fact]
    public void The_two_requests_of_a_pair_share_no_prefix_beyond_the_template()
    {
        for (var seed = 0; seed < 50; seed++)
        {
            var i = TokenizerProbe.Generate(seed);
            string a = i.Requests[1].Messages[0].Content, b = i.Requests[0].Messages[0].Content;
            Assert.NotEqual(a[1], b[1]); // "[x…]" vs "(y…)": different first nonce characters
            Assert.NotEqual(a[0], b[0]);
        }
    }

    [Fact]
    public void Full_counts_cache_discounted_counts_and_a_cache_collision_are_told_apart()
    {
        var passed = 0;
        for (var seed = 0; seed < 30; seed++)
        {
            var i = TokenizerProbe.Generate(seed);
            var honest = Reported(Full(i, 0), Full(i, 1));
            Assert.Equal("family:deepseek-v3", TokenizerProbe.Score(i, honest).OutcomeKey);
            Assert.False(TokenizerProbe.ShowsCacheDiscount(i, honest));

            var cached = Reported(Full(i, 0) - 2, Full(i, 1) - 2); // BOS and the user tag came from the cache, for both
            Assert.Equal("family:deepseek-v3", TokenizerProbe.Score(i, cached).OutcomeKey);
            var deeper = Reported(Full(i, 0) - 8, Full(i, 1) - 8); // below even the family's most compact template: cache accounting
            Assert.Equal("family:deepseek-v3", TokenizerProbe.Score(i, deeper).OutcomeKey);
            Assert.True(TokenizerProbe.ShowsCacheDiscount(i, deeper));

            var collision = Reported(Full(i, 0) - 4, Full(i, 1) - 2); // the first request also matched the previous prompt's first characters
            var outcome = TokenizerProbe.Score(i, collision);
            if (outcome.OutcomeKey == TokenizerProbe.CollisionOutcome) passed++;
            Assert.DoesNotContain("family:", outcome.OutcomeKey, StringComparison.Ordinal);
        }
        Assert.True(passed >= 28, $"{passed}/30 collisions recognised");
    }

    [Fact]
    public void A_request_sharing_more_than_the_template_with_its_predecessor_is_not_compared()
    {
        var a = new[] { ChatMessage.User("Name a color.") }; // as the fingerprint prompts once began
        var b = new[] { ChatMessage.User("Name a fruit.") };
        var c = new[] { ChatMessage.User("Pick a number between 1 and 100.") };
        Assert.True(UsageConsistency.SharesCachedPrefix(b, a));  // "Name a" would come from a cache
        Assert.False(UsageConsistency.SharesCachedPrefix(c, a)); // only the template's first tokens
        Assert.False(UsageConsistency.SharesCachedPrefix(c, null));
    }
}
