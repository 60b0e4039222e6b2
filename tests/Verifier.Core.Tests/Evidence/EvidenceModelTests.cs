namespace Verifier.Core.Tests.Evidence;

using Verifier.Core.Chat;
using Verifier.Core.Evidence;
using Verifier.Core.Probes;
using Verifier.Core.Probes.Fingerprint;
using Verifier.Core.References;
using Verifier.Core.Tests.Audits;

public class EvidenceModelTests
{
    private static readonly EvidenceOptions Options = EvidenceOptions.Default;

    [Fact]
    public void Hypothesis_space_has_builds_mixtures_and_unknown_with_a_structured_prior()
    {
        var space = HypothesisSpace.Create(Sim.Catalog, "r1-distill-qwen-7b@int4", Options);
        var builds = Sim.Catalog.Variants.Sum(v => v.Precisions.Count);
        var mixtures = (Sim.Catalog.Variants.Count - 1) * Options.MixtureShares.Count;
        var tokenizers = Sim.Catalog.Variants.Select(v => v.Tokenizer).Distinct().Count();
        Assert.Equal(builds + mixtures + 1 + tokenizers, space.Count); // the open set: another vocabulary, or each catalogued one
        Assert.Equal("r1-distill-qwen-7b", space.ClaimedVariant);
        Assert.Equal(1.0, space.LogPrior.Sum(Math.Exp), 9);
        Assert.Equal(Options.UnknownPrior, space.Hypotheses.Select((h, i) => (h, i)).Where(x => x.h.Kind == HypothesisKind.Unknown).Sum(x => Math.Exp(space.LogPrior[x.i])), 9);
        Assert.True(space.IndexOf("unknown@qwen") >= 0 && space.Hypotheses[space.IndexOf("unknown@qwen")].Entity == "unknown");
        Assert.Equal(Options.MixturePrior, space.Hypotheses.Select((h, i) => (h, i)).Where(x => x.h.Kind == HypothesisKind.Mixture).Sum(x => Math.Exp(space.LogPrior[x.i])), 9);
        Assert.Equal((1 - 0.07) / Sim.Catalog.Variants.Count, space.ClaimPrior, 9);
        Assert.True(space.IndexOf("mix:r1-distill-qwen-7b+deepseek-r1@0.2") >= 0);
        Assert.True(space.LogPrior[space.IndexOf("r1-distill-qwen-7b@bf16")] > space.LogPrior[space.IndexOf("r1-distill-qwen-7b@int4")]);
    }

    [Fact]
    public void Weak_pass_rates_follow_published_scores_tiers_and_precision()
    {
        var r1 = Sim.Catalog.Get("deepseek-r1");
        var small = Sim.Catalog.Get("r1-distill-qwen-1.5b");
        double Rate(Verifier.Core.Catalog.Variant v, string p, string tier) => CapabilityModel.WeakPassRate(v, Sim.Catalog.FindPrecision(p), ProbeCategory.Reasoning, tier);
        Assert.True(Rate(r1, "fp8", "t3") > Rate(small, "bf16", "t3"));
        Assert.True(Rate(r1, "fp8", "t1") > Rate(r1, "fp8", "t2"));
        Assert.True(Rate(r1, "fp8", "t3") > Rate(r1, "fp8", "t4"));
        Assert.True(Rate(r1, "gguf-iq1_s", "t3") < Rate(r1, "fp8", "t3"));
        Assert.Equal(Rate(small, "bf16", "t3") * 0.94, Rate(small, "int4", "t3"), 9); // small-model recovery
    }

    [Fact]
    public void Reference_counts_sharpen_the_predictive_and_other_precisions_borrow_them()
    {
        var refs = new Verifier.Core.References.ReferenceSet([Sim.Reference("r1-distill-llama-8b", "bf16", 1000, new Random(3))], "hash-1");
        var model = new CapabilityModel(Sim.Catalog, Options, refs);
        var native = model.ForBuild("r1-distill-llama-8b", "bf16", ProbeCategory.Reasoning, "t3");
        var int4 = model.ForBuild("r1-distill-llama-8b", "int4", ProbeCategory.Reasoning, "t3");
        var weak = model.ForBuild("r1-distill-llama-70b", "bf16", ProbeCategory.Reasoning, "t3");
        Assert.False(native.Weak);
        Assert.False(int4.Weak);
        Assert.True(weak.Weak);
        Assert.Equal(Options.WeakPseudoCount + Options.ReferenceCountCap, native.Total, 6); // 1000 outcomes, capped
        Assert.Equal(Options.WeakPseudoCount, weak.Total, 9);
        Assert.True(int4.Alpha[0] / int4.Total < native.Alpha[0] / native.Total);
    }

    [Fact]
    public void Log_space_posterior_survives_thousands_of_extreme_observations()
    {
        var space = HypothesisSpace.Create(Sim.Catalog, "deepseek-r1", Options);
        var ledger = EvidenceLedger.Create(space, new CapabilityModel(Sim.Catalog, Options), Options);
        for (var i = 0; i < 3000; i++)
        {
            var family = i % 3 == 0 ? "qwen" : "llama3";
            (ledger, _) = ledger.Apply(new ProbeOutcome($"t{i}", ProbeCategory.Tokenizer, "family", "family:" + family, family, [i], Sim.TokenizerLikelihoods(family)));
            (ledger, _) = ledger.Apply(new ProbeOutcome($"c{i}", ProbeCategory.Reasoning, "t4", i % 2 == 0 ? "pass" : "fail", "", [i]));
        }
        var posterior = ledger.Posterior();
        Assert.All(posterior, p => Assert.True(double.IsFinite(p) && p >= 0));
        Assert.Equal(1.0, posterior.Sum(), 9);
        Assert.All(ledger.LogPosterior(), lp => Assert.False(double.IsNaN(lp)));
        // a 1:2 mix of qwen and llama tokenizers: a mixture or unknown must explain it, not a pure build
        var top = space.Hypotheses[Array.IndexOf(posterior, posterior.Max())];
        Assert.NotEqual(HypothesisKind.Build, top.Kind);
    }

    [Fact]
    public void LogSumExp_is_stable()
    {
        Assert.Equal(1000 + Math.Log(2), LogMath.LogSumExp([1000, 1000]), 9);
        Assert.Equal(-1000 + Math.Log(2), LogMath.LogSumExp([-1000, -1000]), 9);
        Assert.Equal(double.NegativeInfinity, LogMath.LogSumExp([double.NegativeInfinity, double.NegativeInfinity]));
        Assert.Equal([0.5, 0.5], LogMath.Normalize([-1e6, -1e6]));
    }

    [Fact]
    public void Deterministic_evidence_is_floored_and_mixtures_combine_per_exchange()
    {
        var space = HypothesisSpace.Create(Sim.Catalog, "deepseek-r1", Options);
        var ledger = EvidenceLedger.Create(space, new CapabilityModel(Sim.Catalog, Options), Options);
        var (_, item) = ledger.Apply(new ProbeOutcome("t", ProbeCategory.Tokenizer, "family", "family:qwen", "qwen", [1], Sim.TokenizerLikelihoods("qwen")));
        var floor = Options.FloorFor(ProbeCategory.Tokenizer);
        Assert.Equal(Math.Log(floor), item.LogLikelihoods["deepseek-r1@fp8"], 9);  // floor, not -30
        Assert.Equal(0, item.LogLikelihoods["r1-distill-qwen-7b@bf16"], 9);
        Assert.Equal(Math.Log(0.7 * floor + 0.3), item.LogLikelihoods["mix:deepseek-r1+r1-distill-qwen-7b@0.3"], 9);
        Assert.Equal(Math.Log(0.25), item.LogLikelihoods["unknown"], 9);
    }

    [Fact]
    public void A_tokenizer_pair_split_between_two_models_favours_mixtures_of_two_families()
    {
        var space = HypothesisSpace.Create(Sim.Catalog, "deepseek-r1", Options);
        var ledger = EvidenceLedger.Create(space, new CapabilityModel(Sim.Catalog, Options), Options);
        // the delta matched no family (one request went to each model); range 201 for families, 401 for a mixed pair
        var given = new Dictionary<string, double>
        {
            ["deepseek-v3"] = Math.Log(1e-3 / 201), ["qwen"] = Math.Log(1e-3 / 201), ["llama3"] = Math.Log(1e-3 / 201),
            ["unknown"] = Math.Log(1.0 / 201), [Hypothesis.MixedPairId] = Math.Log(1.0 / 401),
        };
        var (_, item) = ledger.Apply(new ProbeOutcome("t", ProbeCategory.Tokenizer, "family", "unknown", "delta 17", [1, 2], given));
        var pure = item.LogLikelihoods["deepseek-r1@fp8"];
        Assert.Equal(Math.Log(1e-3), pure, 9);
        // 2s(1-s) of the pairs are split; the split delta is uniform over the broader range
        Assert.Equal(Math.Log(0.64e-3 + 0.04e-3 + 0.32 * 201 / 401.0), item.LogLikelihoods["mix:deepseek-r1+r1-distill-qwen-7b@0.2"], 9);
        // the same tokenizer on both sides cannot split a pair: no better than the claim alone
        Assert.Equal(pure, item.LogLikelihoods["mix:deepseek-r1+deepseek-v3@0.2"], 9);

        // and a pair matching the claim's family costs a two-family mixture the chance of a split: (1-s)^2 + s^2·floor
        var match = new Dictionary<string, double>(given) { ["deepseek-v3"] = Math.Log(1 - 1e-3) };
        var (_, agree) = ledger.Apply(new ProbeOutcome("u", ProbeCategory.Tokenizer, "family", "family:deepseek-v3", "delta 9", [3, 4], match));
        Assert.Equal(0, agree.LogLikelihoods["deepseek-r1@fp8"], 9);
        Assert.InRange(agree.LogLikelihoods["mix:deepseek-r1+r1-distill-qwen-7b@0.2"], Math.Log(0.64), Math.Log(0.65));
    }

    [Fact]
    public void A_request_checked_against_an_anchor_of_known_family_costs_a_mixture_its_share_once_not_twice()
    {
        var space = HypothesisSpace.Create(Sim.Catalog, "deepseek-r1", Options);
        var ledger = EvidenceLedger.Create(space, new CapabilityModel(Sim.Catalog, Options), Options);
        var match = new Dictionary<string, double>
        {
            ["deepseek-v3"] = Math.Log(1 - 1e-3), ["qwen"] = Math.Log(1e-3 / 201), ["llama3"] = Math.Log(1e-3 / 201),
            ["unknown"] = Math.Log(1.0 / 201), [Hypothesis.MixedPairId] = Math.Log(1.0 / 401),
        };
        ProbeOutcome Usage(Dictionary<string, double> ll, string? anchor) => new("usage:x", ProbeCategory.Tokenizer, "usage", "family:deepseek-v3", "", [1, 2], ll) { AnchorFamily = anchor };
        // the anchor answered by R1 (its pair matched deepseek-v3): only this request's routing is open, (1-s) not (1-s)^2
        var (_, known) = ledger.Apply(Usage(match, "deepseek-v3"));
        Assert.InRange(known.LogLikelihoods["mix:deepseek-r1+r1-distill-qwen-7b@0.1"] - known.LogLikelihoods["deepseek-r1@fp8"], Math.Log(0.9) - 1e-3, Math.Log(0.9) + 1e-3);
        var (_, unknownAnchor) = ledger.Apply(Usage(match, null));
        Assert.InRange(unknownAnchor.LogLikelihoods["mix:deepseek-r1+r1-distill-qwen-7b@0.1"] - unknownAnchor.LogLikelihoods["deepseek-r1@fp8"], Math.Log(0.81) - 1e-3, Math.Log(0.82));
        // a split (the count fits no family): the request went to the substitute, probability s
        var split = new Dictionary<string, double>(match) { ["deepseek-v3"] = Math.Log(1e-3 / 201) };
        var (_, item) = ledger.Apply(Usage(split, "deepseek-v3") with { OutcomeKey = "unknown" });
        Assert.InRange(item.LogLikelihoods["mix:deepseek-r1+r1-distill-qwen-7b@0.1"], Math.Log(0.1 * 201 / 401.0), Math.Log(0.1 * 201 / 401.0 + 0.9e-3) + 1e-9);
    }

    [Fact]
    public void A_repeat_pair_that_agrees_costs_every_mixture_its_chance_of_a_split_and_a_split_counts_at_most_twenty_times()
    {
        var space = HypothesisSpace.Create(Sim.Catalog, "r1-distill-llama-70b", Options);
        var ledger = EvidenceLedger.Create(space, new CapabilityModel(Sim.Catalog, Options), Options)
            with { Fingerprints = new FingerprintModel(Sim.Catalog, ReferenceSet.Empty, Options) };
        var tokens = Enumerable.Range(0, 8).Select(t => new TokenLogprob($" a{t}", -0.5, [new($" a{t}", -0.5), new($" b{t}", -1.5), new($" c{t}", -2.5)])).ToList();
        var answer = new FingerprintObservation(tokens, "a");
        var (_, same) = ledger.Apply(new ProbeOutcome("fingerprint-repeat-47", ProbeCategory.Fingerprint, FingerprintProbe.RepeatTier, FingerprintProbe.RepeatOutcome, "", [1, 2])
            { Repeat = new FingerprintPair(answer, answer) });
        Assert.Equal(FingerprintProbe.RepeatSameOutcome, same.OutcomeKey);
        Assert.Equal(0, same.LogLikelihoods["r1-distill-llama-70b@bf16"], 9);
        Assert.Equal(0, same.LogLikelihoods["unknown@llama3"], 9); // one model too
        // same family, so no token count could have shown it: (1-s)^2 + s^2 (+ a split pair's vanishing fit)
        Assert.InRange(same.LogLikelihoods["mix:r1-distill-llama-70b+r1-distill-llama-8b@0.1"], Math.Log(0.82), Math.Log(0.83));
        Assert.InRange(same.LogLikelihoods["mix:r1-distill-llama-70b+r1-distill-llama-8b@0.5"], Math.Log(0.5), Math.Log(0.51));

        var shifted = new FingerprintObservation(tokens.Select(t => t with { Top = [t.Top[0], t.Top[1] with { Logprob = -0.6 }, t.Top[2]] }).ToList(), "a");
        var (_, split) = ledger.Apply(new ProbeOutcome("fingerprint-repeat-47", ProbeCategory.Fingerprint, FingerprintProbe.RepeatTier, FingerprintProbe.RepeatOutcome, "", [1, 2])
            { Repeat = new FingerprintPair(answer, shifted) });
        Assert.Equal(FingerprintProbe.RepeatDiffersOutcome, split.OutcomeKey);
        var gain = split.LogLikelihoods["mix:r1-distill-llama-70b+r1-distill-llama-8b@0.5"] - split.LogLikelihoods["r1-distill-llama-70b@bf16"];
        Assert.InRange(gain, 0.5, Math.Log(20) + 1e-9);
    }

    [Fact]
    public void A_model_outside_the_catalogue_on_a_catalogued_vocabulary_is_not_ruled_out_by_token_counts()
    {
        var space = HypothesisSpace.Create(Sim.Catalog, "r1-distill-qwen-7b", Options);
        var ledger = EvidenceLedger.Create(space, new CapabilityModel(Sim.Catalog, Options), Options);
        var given = new Dictionary<string, double>
        {
            ["deepseek-v3"] = -30, ["qwen"] = 0, ["llama3"] = -30, ["unknown"] = Math.Log(1.0 / 201),
            ["unknown@deepseek-v3"] = -30, ["unknown@qwen"] = 0, ["unknown@llama3"] = -30,
        };
        for (var i = 0; i < 10; i++) (ledger, _) = ledger.Apply(new ProbeOutcome($"t{i}", ProbeCategory.Tokenizer, "family", "family:qwen", "", [i], given));
        var lp = ledger.LogPosterior();
        // relative to a qwen build, the qwen-vocabulary open set keeps its prior ratio; the other-vocabulary one does not
        double Relative(string id) => lp[space.IndexOf(id)] - space.LogPrior[space.IndexOf(id)] - (lp[space.IndexOf("r1-distill-qwen-7b@bf16")] - space.LogPrior[space.IndexOf("r1-distill-qwen-7b@bf16")]);
        Assert.Equal(0, Relative("unknown@qwen"), 9);
        Assert.True(Relative("unknown") < -40);
        Assert.True(Relative("unknown@llama3") < -100);
    }

    [Fact]
    public void Expected_information_prefers_a_cheap_tokenizer_probe_at_the_start()
    {
        var space = HypothesisSpace.Create(Sim.Catalog, "deepseek-r1", Options);
        var ledger = EvidenceLedger.Create(space, new CapabilityModel(Sim.Catalog, Options), Options);
        var candidates = Sim.Candidates(3, 1, 1);
        var pick = ProbeSelection.Choose(ledger, candidates, ProbeSelection.DefaultPredictor, _ => true);
        Assert.Equal(ProbeCategory.Tokenizer, candidates[pick].Category);
        var posterior = ledger.Posterior();
        var tokInfo = ProbeSelection.ExpectedInformation(ledger, posterior, candidates[pick], ProbeSelection.DefaultPredictor);
        Assert.InRange(tokInfo, 0.5, Math.Log(4)); // three families + other: at most ln 4 nats
    }
}
