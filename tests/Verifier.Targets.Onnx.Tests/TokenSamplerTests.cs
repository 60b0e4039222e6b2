using Verifier.Targets.Onnx.Generation;

namespace Verifier.Targets.Onnx.Tests;

public sealed class TokenSamplerTests
{
    private static readonly float[] Logits = [2.0f, 1.0f, 0.5f, -1.0f, -3.0f];

    [Fact]
    public void Greedy_takes_the_argmax()
    {
        Assert.Equal(0, TokenSampler.Pick(Logits, GenerationSettings.Greedy(1), new Random(1)));
        Assert.Equal(2, TokenSampler.Pick([0f, 1f, 3f, 3f], GenerationSettings.Greedy(1), new Random(1))); // first of ties
    }

    [Fact]
    public void Sampling_frequencies_follow_the_tempered_softmax()
    {
        const int n = 200_000;
        var s = new GenerationSettings(1, Sample: true, Temperature: 0.8);
        var rng = new Random(1234);
        var counts = new int[Logits.Length];
        for (var i = 0; i < n; i++) counts[TokenSampler.Pick(Logits, s, rng)]++;
        var w = Logits.Select(l => Math.Exp(l / 0.8)).ToArray();
        var z = w.Sum();
        for (var i = 0; i < Logits.Length; i++)
        {
            var p = w[i] / z;
            var sd = Math.Sqrt(p * (1 - p) / n);
            Assert.InRange((double)counts[i] / n, p - 5 * sd - 1e-4, p + 5 * sd + 1e-4);
        }
    }

    [Fact]
    public void Top_p_and_top_k_never_pick_outside_the_nucleus()
    {
        var rng = new Random(99);
        // softmax(Logits) ≈ [0.61, 0.22, 0.14, 0.03, 0.004]: top-p 0.8 keeps ids 0 and 1.
        var nucleus = new GenerationSettings(1, Sample: true, TopP: 0.8);
        var picked = Enumerable.Range(0, 20_000).Select(_ => TokenSampler.Pick(Logits, nucleus, rng)).ToHashSet();
        Assert.Equal([0, 1], picked.Order());
        var topK = new GenerationSettings(1, Sample: true, TopK: 3, Temperature: 5);
        picked = Enumerable.Range(0, 20_000).Select(_ => TokenSampler.Pick(Logits, topK, rng)).ToHashSet();
        Assert.Equal([0, 1, 2], picked.Order());
    }
}
