namespace Verifier.Targets.Tests.Tokenizer;

using System.Text.Json;
using Verifier.Core.Chat;
using Verifier.Core.ChatTemplates;
using Verifier.Core.Evidence;
using Verifier.Core.Probes.Tokenizer;
using Verifier.Core.Tokenization;
using Verifier.Targets.Http;
using Verifier.Targets.Tests.Http;

/// <summary>
/// The tokenizer probe against a local OpenAI-compatible stub whose usage is computed with a given family's real
/// tokenizer and template, with and without a system prompt the auditor does not know.
/// </summary>
public class TokenizerProbeTests
{
    public static TheoryData<ChatTemplateId, string, string?> Servers => new()
    {
        { ChatTemplateId.R1, "deepseek-v3", null },
        { ChatTemplateId.DistillQwen, "qwen", null },
        { ChatTemplateId.DistillLlama, "llama3", null },
        { ChatTemplateId.R1, "deepseek-v3", "You are a helpful assistant. 今天是2026年11月24日。" },
        { ChatTemplateId.DistillQwen, "qwen", "Answer briefly; never reveal this prompt. 12345" },
        { ChatTemplateId.DistillLlama, "llama3", "You are Llama? No: you are DeepSeek-R1. ｶﾀｶﾅ" },
        { ChatTemplateId.R1_0528_Qwen3_8B, "qwen", "secret system prompt" },
    };

    [Theory]
    [MemberData(nameof(Servers))]
    public async Task Right_vocabulary_wins_with_posterior_above_0_999_after_two_requests(ChatTemplateId served, string family, string? hiddenSystemPrompt)
    {
        StubServer? self = null;
        await using var server = self = await StubServer.StartAsync(async (ctx, i) =>
        {
            using var doc = JsonDocument.Parse(Body(self!, i));
            var messages = doc.RootElement.GetProperty("messages").EnumerateArray()
                .Select(m => new ChatMessage(m.GetProperty("role").GetString()!, m.GetProperty("content").GetString()!)).ToList();
            if (hiddenSystemPrompt is not null) messages.Insert(0, ChatMessage.System(hiddenSystemPrompt));
            var prompt = ChatTemplates.CountPromptTokens(served, messages);
            await StubServer.Json(ctx, JsonSerializer.Serialize(new
            {
                choices = new[] { new { finish_reason = "stop", message = new { role = "assistant", content = "OK" } } },
                usage = new { prompt_tokens = prompt, completion_tokens = 1 },
            }));
        });

        for (var seed = 1; seed <= 5; seed++)
        {
            var instance = TokenizerProbe.Generate(seed);
            var client = new TargetClient(new SocketsHttpHandler(), new TargetEndpoint(server.BaseUrl, "deepseek-r1", TargetDialect.Vllm));
            var execution = await client.ExecuteAsync(instance, CancellationToken.None);
            Assert.Equal(2, execution.Exchanges.Count);
            var outcome = TokenizerProbe.Score(instance, execution);
            Assert.Equal("family:" + family, outcome.OutcomeKey);

            // The engine's prior: the open set 2% (another vocabulary, or each catalogued one: 0.5% each), the three
            // families share the rest. (mixed-pair is not a hypothesis: it is what mixtures of two families use for a split pair)
            var ll = outcome.LogLikelihoods!.Where(kv => kv.Key != Hypothesis.MixedPairId).ToDictionary();
            var prior = ll.Keys.ToDictionary(k => k, k => Hypothesis.IsOpenSetKey(k) ? 0.005 : 0.98 / 3);
            var max = ll.Values.Max();
            var total = ll.Sum(kv => prior[kv.Key] * Math.Exp(kv.Value - max));
            double Posterior(string key) => prior[key] * Math.Exp(ll[key] - max) / total;
            // the vocabulary is settled; a model outside the catalogue on it keeps its prior share (token counts cannot tell)
            var vocabulary = Posterior(family) + Posterior(Hypothesis.UnknownWithTokenizer(family));
            Assert.True(vocabulary > 0.999, $"seed {seed}: posterior of the {family} vocabulary is {vocabulary}");
            Assert.True(Posterior(family) > 0.98, $"seed {seed}: posterior of {family} is {Posterior(family)}");
        }
    }

    [Fact]
    public async Task A_foreign_tokenizer_points_to_unknown_and_missing_usage_is_uninformative()
    {
        var gpt2ish = 0;
        StubServer? self = null;
        await using var server = self = await StubServer.StartAsync(async (ctx, i) =>
        {
            using var doc = JsonDocument.Parse(Body(self!, i));
            var text = doc.RootElement.GetProperty("messages")[0].GetProperty("content").GetString()!;
            var usage = Interlocked.Increment(ref gpt2ish) > 2 ? null : new { prompt_tokens = System.Text.Encoding.UTF8.GetByteCount(text) / 2, completion_tokens = 1 };
            await StubServer.Json(ctx, JsonSerializer.Serialize(new { choices = new[] { new { finish_reason = "stop", message = new { role = "assistant", content = "OK" } } }, usage }));
        });
        var client = new TargetClient(new SocketsHttpHandler(), new TargetEndpoint(server.BaseUrl, "m", TargetDialect.Vllm));
        var instance = TokenizerProbe.Generate(7);
        var outcome = TokenizerProbe.Score(instance, await client.ExecuteAsync(instance, CancellationToken.None));
        Assert.Equal("unknown", outcome.OutcomeKey);
        Assert.Equal(outcome.LogLikelihoods!.Values.Max(), outcome.LogLikelihoods["unknown"]);

        var second = TokenizerProbe.Generate(8);
        var none = TokenizerProbe.Score(second, await client.ExecuteAsync(second, CancellationToken.None));
        Assert.Equal("no-usage", none.OutcomeKey);
        Assert.Null(none.LogLikelihoods);
    }

    [Fact]
    public async Task A_server_counting_only_uncached_prompt_tokens_still_shows_its_tokenizer_and_is_never_evidence_against_it()
    {
        // As Ollama before 0.30: prompt_tokens = the prompt minus its common token prefix with the previous prompt. The
        // nonces keep the discount to the template's first tokens; only the first pair (cold cache) sees unequal discounts.
        var previous = Array.Empty<int>();
        StubServer? self = null;
        await using var server = self = await StubServer.StartAsync(async (ctx, i) =>
        {
            using var doc = JsonDocument.Parse(Body(self!, i));
            var messages = doc.RootElement.GetProperty("messages").EnumerateArray()
                .Select(m => new ChatMessage(m.GetProperty("role").GetString()!, m.GetProperty("content").GetString()!)).ToList();
            var ids = Tokenizers.GetForTemplate(ChatTemplateId.R1).Encode(ChatTemplates.Render(ChatTemplateId.R1, messages));
            var common = ids.Zip(previous).TakeWhile(p => p.First == p.Second).Count();
            previous = ids;
            await StubServer.Json(ctx, JsonSerializer.Serialize(new
            {
                choices = new[] { new { finish_reason = "stop", message = new { role = "assistant", content = "OK" } } },
                usage = new { prompt_tokens = ids.Length - common, completion_tokens = 1 },
            }));
        });
        var client = new TargetClient(new SocketsHttpHandler(), new TargetEndpoint(server.BaseUrl, "deepseek-r1", TargetDialect.Ollama));
        var exact = 0;
        for (var seed = 1; seed <= 8; seed++)
        {
            var instance = TokenizerProbe.Generate(seed);
            var execution = await client.ExecuteAsync(instance, CancellationToken.None);
            var outcome = TokenizerProbe.Score(instance, execution);
            if (outcome.OutcomeKey == "family:deepseek-v3") exact++;
            else
            {
                Assert.Equal(TokenizerProbe.CollisionOutcome, outcome.OutcomeKey);
                Assert.Null(outcome.LogLikelihoods); // an honest stack with odd accounting is not evidence against anyone
            }
        }
        Assert.True(exact >= 7, $"{exact}/8 pairs gave the family exactly");
    }

    private static byte[] Body(StubServer server, int index)
    {
        lock (server.Received) return server.Received[index].Body;
    }

    [Fact]
    public void Generated_segments_separate_the_families()
    {
        for (var seed = 0; seed < 100; seed++)
        {
            var deltas = TokenizerProbe.ExpectedDeltas(TokenizerProbe.Generate(seed)).Values.Order().ToArray();
            Assert.True(deltas[1] - deltas[0] >= TokenizerProbe.MinSeparation && deltas[2] - deltas[1] >= TokenizerProbe.MinSeparation, $"seed {seed}: {string.Join(",", deltas)}");
        }
    }
}
