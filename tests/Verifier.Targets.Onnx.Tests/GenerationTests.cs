using Verifier.Targets.Onnx.Building;
using Verifier.Targets.Onnx.Generation;
using Verifier.Targets.Onnx.Inspection;
using Microsoft.ML.OnnxRuntime.Tensors;
using Verifier.Targets.Onnx.Runtime;

namespace Verifier.Targets.Onnx.Tests;

public sealed class GenerationTests : IDisposable
{
    private static readonly OnnxSessionSettings Deterministic = new(IntraOpThreads: 1, InterOpThreads: 1);
    private readonly string dir = Directory.CreateTempSubdirectory("verifier-gen-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>(Head size 16: ORT's CPU GroupQueryAttention needs a multiple of 16.) gpt2: the GenAI test export; llama: tiny-random-llama's real builder graph with generated weights;
    /// qwen2-built / llama-built: decoders written by RunnableDecoderBuilder (Qwen2 with q/k/v biases, Llama without);
    /// qwen2-optimum: int32 ids/mask plus a position_ids input that feeds a learned position embedding.</summary>
    public static TheoryData<string> Models() => new() { "gpt2", "llama", "qwen2-built", "llama-built", "qwen2-optimum" };

    private OnnxDecoder Open(string model) => model switch
    {
        "gpt2" => OnnxDecoder.Open(TestModels.Gpt2Folder, Deterministic),
        "llama" => OnnxDecoder.Open(TinyLlamaWeights.Materialize(dir, seed: 7), Deterministic),
        "qwen2-optimum" => OnnxDecoder.Open(Built(DecoderFamily.Qwen2, optimum: true), Deterministic),
        _ => OnnxDecoder.Open(Built(model == "qwen2-built" ? DecoderFamily.Qwen2 : DecoderFamily.Llama), Deterministic),
    };

    private string Built(DecoderFamily family, bool optimum = false)
    {
        var path = Path.Combine(dir, $"{family}{(optimum ? "-optimum" : "")}.onnx");
        new RunnableDecoderBuilder(new TinyDecoderShape(), family, seed: 5)
        {
            PositionIds = optimum,
            IdsType = optimum ? Verifier.Targets.Onnx.Graph.OnnxDataType.Int32 : Verifier.Targets.Onnx.Graph.OnnxDataType.Int64,
        }.Build().Save(path);
        return path;
    }

    [Fact]
    public void Built_qwen2_decoder_is_inspected_with_its_own_shape()
    {
        var r = OnnxInspector.Inspect(Built(DecoderFamily.Qwen2));
        Assert.Equal(new ModelShape(2, 64, 128, 4, 2, 16, 256, 128, r.FromGraph.Parameters), r.FromGraph);
        // embed + lm_head + per layer (q,k,v with biases, o, 3 MLP, 2 norms) + final norm
        long perLayer = 64 * 64 + 64 + 2 * (64 * 32 + 32) + 64 * 64 + 3 * 64 * 128 + 2 * 64;
        Assert.Equal(2 * 256 * 64 + 2 * perLayer + 64, r.FromGraph.Parameters);
        Assert.Equal("GroupQueryAttention", r.AttentionOperator);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Greedy_generation_with_the_cache_equals_full_recompute_without_it(string model)
    {
        using var decoder = Open(model);
        int[] prompt = model switch { "gpt2" => [98, 12, 500, 7], "llama" => [1, 306, 4700, 29871, 13], _ => [1, 30, 47, 200, 13] };

        var cached = decoder.Generate(prompt, GenerationSettings.Greedy(24)).ToList();

        var reference = new List<int>();
        var seq = prompt.ToList();
        for (var i = 0; i < 24; i++)
        {
            var next = TokenSampler.ArgMax(decoder.LastLogits(seq.ToArray()));
            reference.Add(next);
            seq.Add(next);
        }
        Assert.Equal(reference, cached);
        Assert.True(cached.Distinct().Count() > 1, "degenerate generation would not test the cache");
    }

    [Fact]
    public void Layouts_are_read_from_the_sessions()
    {
        using var gpt2 = Open("gpt2");
        Assert.Equal(TensorElementType.Int32, gpt2.Layout.IdsType);
        Assert.NotNull(gpt2.Layout.PositionIds);
        Assert.Equal(5, gpt2.Layout.Kv.Count);
        Assert.Equal("present_3", gpt2.Layout.Kv.Single(k => k.PastName == "past_3").PresentName);
        Assert.Equal([2, 1, 4, 0, 8], gpt2.Layout.Kv[0].EmptyShape);

        using var llama = Open("llama");
        Assert.Equal(TensorElementType.Int64, llama.Layout.IdsType);
        Assert.Null(llama.Layout.PositionIds);
        Assert.Equal(4, llama.Layout.Kv.Count);
        Assert.Equal("present.1.value", llama.Layout.Kv.Single(k => k.PastName == "past_key_values.1.value").PresentName);
        Assert.Equal([1, 1, 0, 16], llama.Layout.Kv[0].EmptyShape);

        using var optimum = Open("qwen2-optimum");
        Assert.Equal(TensorElementType.Int32, optimum.Layout.IdsType);
        Assert.Equal(TensorElementType.Int32, optimum.Layout.PositionType);
        Assert.Equal("position_ids", optimum.Layout.PositionIds);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Sampling_is_reproducible_per_seed_and_varies_across_seeds(string model)
    {
        using var decoder = Open(model);
        int[] prompt = [5, 6, 7];
        var s = new GenerationSettings(16, Sample: true, Temperature: 1.5, TopP: 0.98, Seed: 11);
        var a = decoder.Generate(prompt, s).ToList();
        var b = decoder.Generate(prompt, s).ToList();
        Assert.Equal(a, b);
        var others = Enumerable.Range(100, 5).Select(seed => decoder.Generate(prompt, s with { Seed = seed }).ToList()).ToList();
        Assert.Contains(others, o => !o.SequenceEqual(a));
    }

    [Fact]
    public void Stop_tokens_and_cancellation_end_generation()
    {
        using var decoder = Open("gpt2");
        int[] prompt = [98, 12, 500, 7];
        var free = decoder.Generate(prompt, GenerationSettings.Greedy(10)).ToList();
        var stopped = decoder.Generate(prompt, GenerationSettings.Greedy(10, stop: [free[3]])).ToList();
        Assert.Equal(free.Take(free.IndexOf(free[3]) + 1), stopped);

        using var cts = new CancellationTokenSource();
        var seen = new List<int>();
        Assert.Throws<OperationCanceledException>(() =>
        {
            foreach (var t in decoder.Generate(prompt, GenerationSettings.Greedy(50), cts.Token))
            {
                seen.Add(t);
                if (seen.Count == 3) cts.Cancel();
            }
        });
        Assert.Equal(3, seen.Count);
    }
}

public sealed class TextGeneratorTests
{
    [Fact]
    public void Completion_reports_tokens_and_finish_reason_through_the_supplied_tokenizer()
    {
        using var decoder = OnnxDecoder.Open(TestModels.Gpt2Folder, new OnnxSessionSettings(1, 1));
        // A stand-in tokenizer over the 1000-token GPT-2 test vocabulary: one id per character.
        string Render(IReadOnlyList<Verifier.Core.Chat.ChatMessage> m) => string.Concat(m.Select(x => $"<{x.Role}>{x.Content}"));
        int[] Encode(string s) => s.Select(c => c % 1000).ToArray();
        string Decode(IReadOnlyList<int> ids) => string.Join(",", ids);
        var generator = new OnnxTextGenerator(decoder, Render, Encode, Decode);
        var messages = new[] { Verifier.Core.Chat.ChatMessage.User("hi") };

        var free = generator.Complete(messages, GenerationSettings.Greedy(8));
        Assert.Equal("length", free.FinishReason);
        Assert.Equal(8, free.CompletionTokens);
        Assert.Equal("<user>hi".Length, free.PromptTokens);
        Assert.Equal(decoder.Generate(Encode("<user>hi"), GenerationSettings.Greedy(8)), free.TokenIds);
        Assert.Equal(string.Join(",", free.TokenIds), free.Text);

        var stop = free.TokenIds[2];
        var stopped = generator.Complete(messages, GenerationSettings.Greedy(8, stop: [stop]));
        Assert.Equal("stop", stopped.FinishReason);
        Assert.Equal(free.TokenIds.Take(free.TokenIds.ToList().IndexOf(stop)), stopped.TokenIds);
    }
}
