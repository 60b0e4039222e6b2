namespace Verifier.Core.Tests.Evidence;

using Verifier.Core.Catalog;
using Verifier.Core.Chat;
using Verifier.Core.Evidence;
using Verifier.Core.Probes;
using Verifier.Core.Probes.Fingerprint;
using Verifier.Core.References;

/// <summary>The fingerprint likelihoods on synthetic top-k lists: same weights, other weights, a quantized build, text only.</summary>
public class FingerprintModelTests
{
    private const string Probe = "fingerprint-00";
    private static readonly string[] Vocabulary = Enumerable.Range(0, 40).Select(i => $" w{i}").ToArray();

    /// <summary>Logits of one weight set at 8 positions (seeded), plus Gaussian noise; greedy path with top-20 lists.</summary>
    private static FingerprintObservation Answer(int weights, double noise, Random random)
    {
        var tokens = new List<TokenLogprob>();
        for (var t = 0; t < 8; t++)
        {
            var w = new Random(weights * 1000 + t);
            var logits = Vocabulary.Select(_ => 2.5 * Normal(w) + noise * Normal(random)).ToArray();
            var z = Math.Log(logits.Sum(Math.Exp));
            var order = Enumerable.Range(0, logits.Length).OrderByDescending(i => logits[i]).ToArray();
            tokens.Add(new TokenLogprob(Vocabulary[order[0]], logits[order[0]] - z, order.Take(20).Select(i => new TopLogprob(Vocabulary[i], logits[i] - z)).ToList()));
        }
        return new FingerprintObservation(tokens, string.Concat(tokens.Select(x => x.Token)).Trim());
    }

    private static double Normal(Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());

    private static ReferenceRun Run(string build, params FingerprintObservation[] answers) =>
        ReferenceRecorder.Empty(build + ":test", build, "http://reference", DateTimeOffset.UnixEpoch, "v", "h") with
        {
            Fingerprints = answers.Select(a => new FingerprintSample(Probe, a)).ToList(),
        };

    private static FingerprintModel Model(Random random) => new(VariantCatalog.Default, new ReferenceSet(
    [
        Run("r1-distill-qwen-7b@bf16", Answer(7, 0.02, random), Answer(7, 0.02, random)),
        Run("r1-distill-qwen-32b@bf16", Answer(32, 0.02, random)),
    ], "h"), EvidenceOptions.Default);

    [Fact]
    public void Missing_tokens_take_the_other_lists_minimum()
    {
        var a = new TokenLogprob(" x", -0.1, [new(" x", -0.1), new(" y", -2.0)]);
        var b = new TokenLogprob(" x", -0.2, [new(" x", -0.2), new(" z", -3.0)]);
        var residuals = FingerprintModel.Residuals(a, b).Order().ToArray();
        Assert.Equal([0.1, 1.0, 1.0], residuals, new Tolerance(1e-9)); // x: -0.1 - -0.2; y: -2.0 - min(b) = -3.0; z: min(a) = -2.0 - -3.0
    }

    [Fact]
    public void Same_weights_fit_their_reference_and_other_weights_do_not()
    {
        var random = new Random(1);
        var model = Model(random);
        for (var trial = 0; trial < 50; trial++)
        {
            var honest = model.LogLikelihoods(Probe, Answer(7, 0.02, random))!;
            Assert.True(honest["r1-distill-qwen-7b@bf16"] > 20, $"trial {trial}: {honest["r1-distill-qwen-7b@bf16"]}");
            Assert.True(honest["r1-distill-qwen-32b@bf16"] < -20);
            var other = model.LogLikelihoods(Probe, Answer(14, 0.02, random))!;
            Assert.True(other["r1-distill-qwen-7b@bf16"] < -20 && other["r1-distill-qwen-32b@bf16"] < -20, $"trial {trial}");
            Assert.Equal(0, other[Hypothesis.UnknownId]);
            Assert.Equal(0, other["deepseek-r1@fp8"]); // no reference of the variant: scores like the open set
        }
    }

    [Fact]
    public void A_four_bit_perturbation_fits_the_borrowed_int4_build_better_than_the_reference_precision()
    {
        var random = new Random(2);
        var model = Model(random);
        var wins = 0;
        for (var trial = 0; trial < 50; trial++)
        {
            // A fixed per-weights perturbation, as quantization is: σ 0.2 on the logits.
            var quantized = Answer(7, 0.2, new Random(500 + trial));
            var ll = model.LogLikelihoods(Probe, quantized)!;
            if (ll["r1-distill-qwen-7b@int4"] > ll["r1-distill-qwen-7b@bf16"] + 2 && ll["r1-distill-qwen-7b@int4"] > ll["r1-distill-qwen-7b@int8"]) wins++;
        }
        Assert.True(wins >= 45, $"int4 preferred in {wins}/50");
    }

    [Fact]
    public void Honest_noise_is_estimated_from_repeated_reference_answers()
    {
        var random = new Random(3);
        var (sigma, flip) = FingerprintModel.EstimateNoise([[Answer(7, 0.05, random), Answer(7, 0.05, random)]]);
        Assert.InRange(sigma!.Value, 0.02, 0.12);
        Assert.InRange(flip!.Value, 0, 0.5);
        Assert.Equal((null, null), FingerprintModel.EstimateNoise([]));
    }

    [Fact]
    public void Text_only_answers_compare_the_greedy_text()
    {
        var random = new Random(4);
        var model = Model(random);
        var same = Answer(7, 0.02, random) with { Tokens = null };
        var other = Answer(14, 0.02, random) with { Tokens = null };
        var a = model.LogLikelihoods(Probe, same)!;
        var b = model.LogLikelihoods(Probe, other)!;
        Assert.True(a["r1-distill-qwen-7b@bf16"] > 1, $"{a["r1-distill-qwen-7b@bf16"]}");
        Assert.True(b["r1-distill-qwen-7b@bf16"] < -1, $"{b["r1-distill-qwen-7b@bf16"]}");
        Assert.Null(model.LogLikelihoods("fingerprint-47", same)); // no reference answered that prompt
    }

    [Fact]
    public void With_the_context_unverified_only_a_fit_to_a_builds_own_reference_opens_the_gate()
    {
        var random = new Random(5);
        var model = Model(random);
        int borrowedOnly = 0;
        for (var trial = 0; trial < 50; trial++)
        {
            // Close to the 7B's weights but not them: fits a borrowed 4-bit build at best, never the 7B's own reference.
            var relative = Answer(7, 0.3, new Random(900 + trial));
            var ll = model.LogLikelihoods(Probe, relative)!;
            Assert.True(ll["r1-distill-qwen-7b@bf16"] < 0, $"trial {trial}");
            if (model.FitsAReference(Probe, ll, contextVerified: true)) borrowedOnly++;
            Assert.False(model.FitsAReference(Probe, ll, contextVerified: false), $"trial {trial}");
        }
        Assert.True(borrowedOnly > 0, "the case the gate exists for never occurred");
        var honest = model.LogLikelihoods(Probe, Answer(7, 0.02, random))!;
        Assert.True(model.FitsAReference(Probe, honest, contextVerified: false));
    }

    [Fact]
    public void A_repeat_pair_tells_one_model_from_two_without_a_reference()
    {
        var random = new Random(6);
        var model = Model(random);
        for (var trial = 0; trial < 50; trial++)
        {
            // prompt 47 has no reference: the pair is compared with itself
            var one = model.RepeatLogLikelihood(new FingerprintPair(Answer(40 + trial, 0.02, random), Answer(40 + trial, 0.02, random)));
            var two = model.RepeatLogLikelihood(new FingerprintPair(Answer(40 + trial, 0.02, random), Answer(90 + trial, 0.02, random)));
            Assert.True(one > 5, $"trial {trial}: {one}");
            Assert.Equal(Math.Log(EvidenceOptions.Default.RepeatSplitFloor), two, 9); // a split counts at most 20x
        }
        var text = model.RepeatLogLikelihood(new FingerprintPair(Answer(3, 0.02, random) with { Tokens = null }, Answer(3, 0.02, random) with { Tokens = null }));
        Assert.True(text > 1, $"{text}");
    }

    [Fact]
    public void A_misfit_to_the_plain_prompt_is_weighed_within_the_claim_and_never_moves_the_claim_as_a_whole()
    {
        var random = new Random(7);
        var (space, ledger) = Ledger("r1-distill-qwen-7b", random);
        var before = ledger.Posterior();
        for (var trial = 0; trial < 20; trial++)
        {
            (ledger, var item) = ledger.Apply(TextMisfit(trial, random));
            Assert.Equal(Weighings.WithinClaim, item.Weighing);
        }
        var after = ledger.Posterior();
        double Sum(double[] p, Func<Hypothesis, bool> which) => space.Hypotheses.Select((h, i) => which(h) ? p[i] : 0).Sum();
        bool IsClaim(Hypothesis h) => space.IsClaim(h);
        bool Unknown(Hypothesis h) => h.Kind == HypothesisKind.Unknown;
        bool Mixture(Hypothesis h) => h.Kind == HypothesisKind.Mixture;
        bool Other(Hypothesis h) => h.Kind == HypothesisKind.Build && !space.IsClaim(h);
        // the claim against everything outside it that is not a mixture of it: unchanged
        Assert.Equal(Sum(before, IsClaim) / Sum(before, Other), Sum(after, IsClaim) / Sum(after, Other), 6);
        Assert.Equal(Sum(before, IsClaim) / Sum(before, Unknown), Sum(after, IsClaim) / Sum(after, Unknown), 6);
        // the claim's native-precision mixtures pay; within the claim, mass moves off the native precision
        Assert.True(Sum(after, Mixture) < Sum(before, Mixture) / 2, $"{Sum(before, Mixture)} -> {Sum(after, Mixture)}");
        var native = space.IndexOf("r1-distill-qwen-7b@bf16");
        Assert.True(after[native] / Sum(after, IsClaim) < before[native] / Sum(before, IsClaim));
    }

    [Fact]
    public void With_a_precision_claim_a_misfit_cannot_shift_the_claim_to_a_four_bit_build()
    {
        var random = new Random(8);
        var (space, ledger) = Ledger("r1-distill-qwen-7b@bf16", random);
        var claimBefore = space.Hypotheses.Select((h, i) => space.IsClaim(h) ? ledger.Posterior()[i] : 0).Sum();
        for (var trial = 0; trial < 20; trial++)
            (ledger, _) = ledger.Apply(TextMisfit(trial, random));
        var after = ledger.Posterior();
        var claimAfter = space.Hypotheses.Select((h, i) => space.IsClaim(h) ? after[i] : 0).Sum();
        Assert.True(claimAfter >= claimBefore * 0.999, $"{claimBefore} -> {claimAfter}"); // no drift toward a "mismatch of precision"
    }

    private static (HypothesisSpace Space, EvidenceLedger Ledger) Ledger(string claim, Random random)
    {
        var options = EvidenceOptions.Default;
        var space = HypothesisSpace.Create(VariantCatalog.Default, claim, options);
        return (space, EvidenceLedger.Create(space, new CapabilityModel(VariantCatalog.Default, options), options) with { Fingerprints = Model(random) });
    }

    /// <summary>Greedy text that differs from every reference: likelier under a noisier (quantized) build than the native one.</summary>
    private static ProbeOutcome TextMisfit(int trial, Random random) =>
        new(Probe, ProbeCategory.Fingerprint, FingerprintProbe.Tier, FingerprintProbe.TextOutcome, "", [trial]) { Fingerprint = Answer(300 + trial, 0.02, random) with { Tokens = null } };

    private sealed class Tolerance(double epsilon) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) < epsilon;
        public int GetHashCode(double obj) => 0;
    }
}
