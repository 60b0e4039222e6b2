namespace Verifier.Targets.Onnx.Tests;

using Verifier.Core.Catalog;
using Verifier.Core.Chat;
using Verifier.Core.Evidence;
using Verifier.Core.Probes.Fingerprint;
using Verifier.Core.References;
using Verifier.Targets.Onnx.Building;
using Verifier.Targets.Onnx.Generation;
using Verifier.Targets.Onnx.Runtime;

/// <summary>
/// The fingerprint model on real ONNX Runtime inference (no simulator): a tiny Qwen2-shaped decoder at fp32, with its
/// projection weights quantized to 8 and 4 bits, and a second weight set. The references are the fp32 weights (as
/// "r1-distill-qwen-1.5b@bf16") and the second set (as "r1-distill-qwen-7b@bf16"), recorded with one intra-op thread;
/// every build's greedy top-20 answers are then scored. Real floating-point nondeterminism: the honest build runs with
/// another thread count.
/// </summary>
[Collection("onnx-process-memory")]
public sealed class FingerprintRealNumericsTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("verifier-fingerprint-").FullName;
    private const int Prompts = 12;

    public void Dispose() => Directory.Delete(dir, true);

    private string Build(int seed, int bits)
    {
        var path = Path.Combine(dir, $"qwen2-{seed}-{bits}.onnx");
        new RunnableDecoderBuilder(new TinyDecoderShape(), DecoderFamily.Qwen2, seed) { WeightBits = bits }.Build().Save(path);
        return path;
    }

    /// <summary>Greedy answer of 6 tokens with the top-20 log probabilities at every position (log-softmax of real logits).</summary>
    private static FingerprintObservation Answer(OnnxDecoder decoder, int prompt)
    {
        var random = new Random(prompt);
        var ids = Enumerable.Range(0, 6).Select(_ => random.Next(256)).ToList();
        var tokens = new List<TokenLogprob>();
        for (var t = 0; t < 6; t++)
        {
            var logits = decoder.LastLogits([.. ids]);
            var max = logits.Max();
            var z = max + Math.Log(logits.Sum(l => Math.Exp(l - max)));
            var order = Enumerable.Range(0, logits.Length).OrderByDescending(i => logits[i]).ToArray();
            tokens.Add(new TokenLogprob($"t{order[0]}", logits[order[0]] - z, order.Take(20).Select(i => new TopLogprob($"t{i}", logits[i] - z)).ToList()));
            ids.Add(order[0]);
        }
        return new FingerprintObservation(tokens, string.Concat(tokens.Select(x => x.Token)));
    }

    private static ReferenceRun Reference(string build, OnnxDecoder decoder) =>
        ReferenceRecorder.Empty(build, build, "onnx://test", DateTimeOffset.UnixEpoch, "v", "h") with
        {
            Fingerprints = Enumerable.Range(0, Prompts).Select(p => new FingerprintSample($"fingerprint-{p:00}", Answer(decoder, p))).ToList(),
        };

    /// <summary>Summed log likelihood per build over all prompts.</summary>
    private static Dictionary<string, double> Score(FingerprintModel model, OnnxDecoder decoder)
    {
        var total = new Dictionary<string, double>(StringComparer.Ordinal);
        for (var p = 0; p < Prompts; p++)
            foreach (var (build, ll) in model.LogLikelihoods($"fingerprint-{p:00}", Answer(decoder, p))!)
                total[build] = total.GetValueOrDefault(build) + ll;
        return total;
    }

    [Fact]
    public void Real_inference_tells_weights_and_four_bit_quantization_apart_and_thread_counts_do_not_matter()
    {
        var fp32 = Build(5, 0);
        using var reference = OnnxDecoder.Open(fp32, new OnnxSessionSettings(1, 1));
        using var other = OnnxDecoder.Open(Build(6, 0), new OnnxSessionSettings(1, 1));
        var model = new FingerprintModel(VariantCatalog.Default, new ReferenceSet(
            [Reference("r1-distill-qwen-1.5b@bf16", reference), Reference("r1-distill-qwen-7b@bf16", other)], "h"), EvidenceOptions.Default);

        using var honest = OnnxDecoder.Open(fp32, new OnnxSessionSettings(2, 1));
        using var int8 = OnnxDecoder.Open(Build(5, 8), new OnnxSessionSettings(2, 1));
        using var int4 = OnnxDecoder.Open(Build(5, 4), new OnnxSessionSettings(2, 1));

        static string Best(Dictionary<string, double> s) => s.MaxBy(kv => kv.Value).Key;
        var h = Score(model, honest);
        Assert.Equal("r1-distill-qwen-1.5b@bf16", Best(h));
        Assert.True(h["r1-distill-qwen-1.5b@bf16"] - h["r1-distill-qwen-7b@bf16"] > 50, $"honest: {h["r1-distill-qwen-1.5b@bf16"]} vs {h["r1-distill-qwen-7b@bf16"]}");

        var q8 = Score(model, int8);
        Assert.StartsWith("r1-distill-qwen-1.5b@", Best(q8), StringComparison.Ordinal);
        Assert.True(VariantCatalog.Default.FindPrecision(Best(q8).Split('@')[1])!.Bits >= 8, $"int8 scored as {Best(q8)}");

        var q4 = Score(model, int4);
        Assert.True(Best(q4) is "r1-distill-qwen-1.5b@int4" or "r1-distill-qwen-1.5b@gguf-q4_k_m", Best(q4));
        Assert.True(q4[Best(q4)] - q4["r1-distill-qwen-1.5b@bf16"] > 10, $"int4: {q4[Best(q4)]} vs bf16 {q4["r1-distill-qwen-1.5b@bf16"]}");

        Assert.Equal("r1-distill-qwen-7b@bf16", Best(Score(model, other)));
    }
}
