namespace Verifier.Core.Evidence;

using System.Collections.Immutable;
using Verifier.Core.Audits;
using Verifier.Core.Catalog;
using Verifier.Core.Probes;

/// <summary>
/// The evidence gathered so far, immutable: per hypothesis the summed deterministic and capability log-likelihoods,
/// which hypotheses are judged on capability by the weak published-score prior only (no reference run of their
/// variant), and the observed outcome counts per capability cell (the sequential Dirichlet posterior predictive needs
/// them). <see cref="Apply"/> returns a new ledger.
/// </summary>
public sealed record EvidenceLedger(
    HypothesisSpace Space,
    CapabilityModel Model,
    EvidenceOptions Options,
    ImmutableArray<double> Deterministic,
    ImmutableArray<double> Capability,
    ImmutableArray<bool> WeakOnly,
    ImmutableDictionary<(ProbeCategory Category, string Tier), ImmutableArray<int>> Counts,
    int Observations)
{
    /// <summary>Model of key-only outcomes (behaviour) learned from reference runs; null = such outcomes are not weighed.</summary>
    public KeyedOutcomeModel? Keyed { get; init; }

    /// <summary>Reference fingerprints and the honest noise model; null = fingerprint observations are not weighed.</summary>
    public FingerprintModel? Fingerprints { get; init; }

    /// <summary>Observed counts per key-only cell, indexed like <see cref="KeyedOutcomeModel.Keys"/>.</summary>
    public ImmutableDictionary<(ProbeCategory Category, string Tier), ImmutableArray<int>> KeyedCounts { get; init; } =
        ImmutableDictionary<(ProbeCategory, string), ImmutableArray<int>>.Empty;

    public static EvidenceLedger Create(HypothesisSpace space, CapabilityModel model, EvidenceOptions options, KeyedOutcomeModel? keyed)
        => Create(space, model, options) with { Keyed = keyed };

    public static EvidenceLedger Create(HypothesisSpace space, CapabilityModel model, EvidenceOptions options)
    {
        var zero = ImmutableArray.Create(new double[space.Count]);
        var weak = space.Hypotheses.Select(h => h.Kind switch
        {
            HypothesisKind.Build => !model.HasReference(h.Variant!),
            HypothesisKind.Mixture => !model.HasReference(h.Variant!) || !model.HasReference(h.OtherVariant!),
            _ => false, // the open set's broad Dirichlet is a proper model, not a guess: never clipped
        }).ToImmutableArray();
        return new(space, model, options, zero, zero, weak, ImmutableDictionary<(ProbeCategory, string), ImmutableArray<int>>.Empty, 0);
    }

    /// <summary>
    /// Unnormalised log posterior. A hypothesis judged on capability by the weak prior only never falls more than
    /// <see cref="EvidenceOptions.WeakCapabilityClipNats"/> below the best capability fit, so capability probes
    /// without reference runs cannot refute it on their own.
    /// </summary>
    public double[] LogPosterior()
    {
        var best = double.NegativeInfinity;
        foreach (var c in Capability) best = Math.Max(best, c);
        var lp = new double[Space.Count];
        for (var i = 0; i < lp.Length; i++)
        {
            var capability = WeakOnly[i] ? Math.Max(Capability[i], best - Options.WeakCapabilityClipNats) : Capability[i];
            lp[i] = Space.LogPrior[i] + Deterministic[i] + capability;
        }
        return lp;
    }

    public double[] Posterior() => LogMath.Normalize(LogPosterior());

    /// <summary>Posterior predictive P(pass/fail/no-answer | hypothesis, outcomes seen so far in this cell).</summary>
    public double[] Predict(int hypothesis, ProbeCategory category, string tier)
    {
        var prior = Model.For(Space.Hypotheses[hypothesis], category, tier);
        var n = Counts.TryGetValue((category, tier), out var c) ? c : ImmutableArray.Create(new int[CapabilityModel.OutcomeCount]);
        var total = prior.Total + n.Sum();
        var p = new double[CapabilityModel.OutcomeCount];
        for (var k = 0; k < p.Length; k++) p[k] = (prior.Alpha[k] + n[k]) / total;
        return p;
    }

    /// <summary>Folds one scored outcome into the ledger; returns the new ledger and the evidence item (log-likelihood per hypothesis).</summary>
    public (EvidenceLedger Ledger, EvidenceItem Item) Apply(ProbeOutcome outcome)
    {
        if (outcome.LogLikelihoods is { Count: > 0 } given) return ApplyDeterministic(outcome, given);
        if (outcome.Fingerprint is { } observed)
        {
            var fingerprint = Fingerprints?.LogLikelihoods(outcome.ProbeId, observed);
            if (fingerprint is null) return NotWeighed(outcome, Weighings.NotScoredPrefix + "no reference fingerprint for this prompt");
            var verified = outcome.OutcomeKey != Probes.Fingerprint.FingerprintProbe.ContextUnverifiedOutcome;
            if (Fingerprints!.FitsAReference(outcome.ProbeId, fingerprint, verified)) return ApplyDeterministic(outcome, fingerprint);
            if (!verified) return NotWeighed(outcome, Weighings.NotScoredPrefix + "the answer fits no reference (changed context or an unusual stack; never held against the vendor)");
            var (next, item) = ApplyDeterministic(outcome, WithinClaim(fingerprint));
            return (next, item with { Weighing = Weighings.WithinClaim });
        }
        if (outcome.Repeat is { } pair && Fingerprints is not null) return ApplyRepeat(outcome, Fingerprints.RepeatLogLikelihood(pair));
        if (CapabilityModel.IsCapability(outcome.Category)) return ApplyCapability(outcome);
        if (Keyed is not null && Keyed.Keys(outcome.Category, outcome.Tier).Count > 0) return ApplyKeyed(outcome);
        return NotWeighed(outcome, Weighings.NotScoredPrefix + "no likelihood model for this outcome");
    }

    private (EvidenceLedger, EvidenceItem) NotWeighed(ProbeOutcome outcome, string why) =>
        (this with { Observations = Observations + 1 }, Item(outcome, new double[Space.Count], why));

    private (EvidenceLedger, EvidenceItem) ApplyCapability(ProbeOutcome outcome)
    {
        var k = CapabilityModel.OutcomeIndex(outcome.OutcomeKey);
        var ll = new double[Space.Count];
        var capability = Capability.ToBuilder();
        for (var h = 0; h < Space.Count; h++)
        {
            ll[h] = Math.Log(Predict(h, outcome.Category, outcome.Tier)[k]);
            capability[h] += ll[h];
        }
        var anyReference = WeakOnly.Select((w, h) => !w && Space.Hypotheses[h].Kind != HypothesisKind.Unknown).Any(x => x);
        var key = (outcome.Category, outcome.Tier);
        var counts = (Counts.TryGetValue(key, out var c) ? c : ImmutableArray.Create(new int[CapabilityModel.OutcomeCount])).ToBuilder();
        counts[k]++;
        var next = this with
        {
            Capability = capability.MoveToImmutable(),
            Counts = Counts.SetItem(key, counts.MoveToImmutable()),
            Observations = Observations + 1,
        };
        return (next, Item(outcome, ll, anyReference ? Weighings.CapabilityReference : Weighings.CapabilityWeakPrior));
    }

    /// <summary>Posterior predictive over a key-only cell's outcomes for a hypothesis, or null when the cell has no model.</summary>
    public double[]? PredictKeyed(int hypothesis, ProbeCategory category, string tier)
    {
        if (Keyed is null) return null;
        var keys = Keyed.Keys(category, tier);
        if (keys.Count == 0) return null;
        var prior = Keyed.For(Space.Hypotheses[hypothesis], category, tier);
        var n = KeyedCounts.TryGetValue((category, tier), out var c) ? c : ImmutableArray.Create(new int[keys.Count]);
        var total = prior.Total + n.Sum();
        return prior.Alpha.Select((a, k) => (a + n[k]) / total).ToArray();
    }

    private (EvidenceLedger, EvidenceItem) ApplyKeyed(ProbeOutcome outcome)
    {
        var k = Keyed!.IndexOf(outcome.Category, outcome.Tier, outcome.OutcomeKey);
        var ll = new double[Space.Count];
        var capability = Capability.ToBuilder();
        for (var h = 0; h < Space.Count; h++)
        {
            ll[h] = Math.Log(PredictKeyed(h, outcome.Category, outcome.Tier)![k]);
            capability[h] += ll[h];
        }
        var key = (outcome.Category, outcome.Tier);
        var size = Keyed.Keys(outcome.Category, outcome.Tier).Count;
        var counts = (KeyedCounts.TryGetValue(key, out var c) ? c : ImmutableArray.Create(new int[size])).ToBuilder();
        counts[k]++;
        var next = this with { Capability = capability.MoveToImmutable(), KeyedCounts = KeyedCounts.SetItem(key, counts.MoveToImmutable()), Observations = Observations + 1 };
        return (next, Item(outcome, ll, Weighings.KeyedReference));
    }

    /// <summary>
    /// An answer to the plain prompt that fits no reference: a noisy stack or other weights, never held against the claim
    /// — but dropping it would bias the audit, since only answers that fit were weighed: a build whose reference predicts
    /// fits more often (the native precision, and the mixtures built on it) would gain from every fit and never pay for a
    /// misfit. So every hypothesis outside the claim (other builds, the open set) takes the claim's own marginal value
    /// (its builds' values weighted by their current posterior): the claim as a whole neither gains nor loses, while its
    /// builds and its mixtures are weighed against each other.
    /// </summary>
    private Dictionary<string, double> WithinClaim(IReadOnlyDictionary<string, double> given)
    {
        // The per-probe floor first (as ApplyDeterministic would apply it), so the claim's marginal is what its builds get.
        var (max, floor) = (given.Values.Max(), Math.Log(Options.FloorFor(ProbeCategory.Fingerprint)));
        double Floored(string id) => Math.Max(given.GetValueOrDefault(id) - max, floor);
        // Weighted by the current posterior within the claim (the predictive), so the claim's total is kept exactly.
        var current = LogPosterior();
        var claim = Space.Hypotheses.Select((h, i) => (h, i)).Where(x => Space.IsClaim(x.h)).ToList();
        var marginal = LogMath.LogSumExp(claim.Select(x => current[x.i] + Floored(x.h.Id)).ToArray())
                       - LogMath.LogSumExp(claim.Select(x => current[x.i]).ToArray());
        var within = Space.Hypotheses.Where(h => h.Kind == HypothesisKind.Build)
            .ToDictionary(h => h.Id, h => Space.IsClaim(h) ? Floored(h.Id) : marginal, StringComparer.Ordinal);
        within[Hypothesis.UnknownId] = marginal;
        return within;
    }

    /// <summary>
    /// A self-consistency pair: every single model (each build, and the open set) answers both requests; a mixture sends
    /// them to different models with probability 2s(1−s), and such a split pair scores as two models (0).
    /// </summary>
    private (EvidenceLedger, EvidenceItem) ApplyRepeat(ProbeOutcome outcome, double oneModel)
    {
        var given = Space.Catalog.Variants.ToDictionary(v => v.Id, _ => oneModel, StringComparer.Ordinal);
        given[Hypothesis.UnknownId] = oneModel;
        given[Hypothesis.MixedPairId] = 0;
        var keyed = outcome with { OutcomeKey = oneModel >= 0 ? Probes.Fingerprint.FingerprintProbe.RepeatSameOutcome : Probes.Fingerprint.FingerprintProbe.RepeatDiffersOutcome };
        return ApplyDeterministic(keyed, given, splitsEveryMixture: true);
    }

    private (EvidenceLedger, EvidenceItem) ApplyDeterministic(ProbeOutcome outcome, IReadOnlyDictionary<string, double> given, bool splitsEveryMixture = false)
    {
        var floor = Math.Log(Options.FloorFor(outcome.Category));
        var neutral = LogMeanExp(given.Where(kv => !Hypothesis.IsOpenSetKey(kv.Key) && kv.Key != Hypothesis.MixedPairId).Select(kv => kv.Value).ToArray());
        var max = given.Values.Max();
        double Floored(double v) => Math.Max(v - max, floor);
        double ForBuild(string variant, string precision)
        {
            var v = Space.Catalog.Get(variant);
            foreach (var key in new[] { Hypothesis.BuildId(variant, precision), variant, v.Tokenizer, "tokenizer:" + v.Tokenizer })
                if (given.TryGetValue(key, out var x)) return Floored(x);
            return Floored(neutral);
        }

        // A pair probe under a mixture of two tokenizer families: both requests to the claim, both to the substitute,
        // or one each (then the pair's delta belongs to no family: the scorer's mixed-pair likelihood).
        double ForMixture(Hypothesis hyp)
        {
            double claim = ForBuild(hyp.Variant!, hyp.Precision!), other = ForBuild(hyp.OtherVariant!, hyp.OtherPrecision!), s = hyp.Share;
            if (!given.TryGetValue(Hypothesis.MixedPairId, out var mixed) || !(splitsEveryMixture || Space.MixesTokenizers(hyp)))
                return LogMath.LogAddExp(Math.Log(1 - s) + claim, Math.Log(s) + other);
            // Checked against an anchor whose model is known: only this request's routing is open.
            if (outcome.AnchorFamily is { } anchor && !splitsEveryMixture)
            {
                if (anchor == Space.Catalog.Get(hyp.Variant!).Tokenizer) return Math.Max(floor, LogMath.LogAddExp(Math.Log(1 - s) + claim, Math.Log(s) + mixed - max));
                if (anchor == Space.Catalog.Get(hyp.OtherVariant!).Tokenizer) return Math.Max(floor, LogMath.LogAddExp(Math.Log(s) + other, Math.Log(1 - s) + mixed - max));
            }
            return Math.Max(floor, LogMath.LogSumExp([2 * Math.Log(1 - s) + claim, 2 * Math.Log(s) + other, Math.Log(2 * s * (1 - s)) + mixed - max]));
        }

        var ll = new double[Space.Count];
        var det = Deterministic.ToBuilder();
        for (var h = 0; h < Space.Count; h++)
        {
            var hyp = Space.Hypotheses[h];
            ll[h] = hyp.Kind switch
            {
                HypothesisKind.Build => ForBuild(hyp.Variant!, hyp.Precision!),
                HypothesisKind.Mixture => ForMixture(hyp),
                _ => Floored(given.TryGetValue(hyp.Id, out var t) ? t : given.TryGetValue(Hypothesis.UnknownId, out var u) ? u : given.TryGetValue("other", out var o) ? o : neutral),
            };
            det[h] += ll[h];
        }
        return (this with { Deterministic = det.MoveToImmutable(), Observations = Observations + 1 }, Item(outcome, ll, Weighings.Deterministic));
    }

    private static double LogMeanExp(double[] values) =>
        values.Length == 0 ? 0 : LogMath.LogSumExp(values) - Math.Log(values.Length);

    private EvidenceItem Item(ProbeOutcome outcome, double[] ll, string weighing) =>
        new(outcome.ProbeId, outcome.Category.ToString(), outcome.ExchangeSequences, outcome.Observed,
            Space.Hypotheses.Select((h, i) => (h.Id, ll[i])).ToDictionary(x => x.Id, x => x.Item2, StringComparer.Ordinal))
        {
            Tier = outcome.Tier,
            OutcomeKey = outcome.OutcomeKey,
            Weighing = weighing,
        };

    /// <summary>Deterministic outcome distribution of a probe for a variant (e.g. tokenizer family), used to rank candidates.</summary>
    public delegate IReadOnlyDictionary<string, double>? OutcomePredictor(ProbeInstance instance, Variant variant);
}
