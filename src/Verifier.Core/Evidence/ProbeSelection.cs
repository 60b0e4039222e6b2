namespace Verifier.Core.Evidence;

using Verifier.Core.Catalog;
using Verifier.Core.Probes;
using Verifier.Core.Probes.Fingerprint;

/// <summary>
/// Chooses the next probe by expected information gain (mutual information between the outcome and the hypothesis,
/// in nats) per estimated token. Capability outcomes are predicted by the ledger's pass-rate model; deterministic
/// probes by an <see cref="EvidenceLedger.OutcomePredictor"/> (tokenizer probes: the variant's tokenizer family by default).
/// </summary>
public static class ProbeSelection
{
    /// <summary>Default prediction: a tokenizer probe reveals the variant's tokenizer family ("family:qwen").</summary>
    public static IReadOnlyDictionary<string, double>? DefaultPredictor(ProbeInstance instance, Variant variant) =>
        instance.Category == ProbeCategory.Tokenizer ? new Dictionary<string, double> { ["family:" + variant.Tokenizer] = 1.0 } : null;

    public static double ExpectedInformation(EvidenceLedger ledger, double[] posterior, ProbeInstance instance, EvidenceLedger.OutcomePredictor predictor)
    {
        var space = ledger.Space;
        double[][] perHypothesis;
        if (CapabilityModel.IsCapability(instance.Category))
        {
            perHypothesis = new double[space.Count][];
            for (var h = 0; h < space.Count; h++) perHypothesis[h] = ledger.Predict(h, instance.Category, instance.Tier);
        }
        else if (ledger.PredictKeyed(0, instance.Category, instance.Tier) is not null)
        {
            perHypothesis = new double[space.Count][];
            for (var h = 0; h < space.Count; h++) perHypothesis[h] = ledger.PredictKeyed(h, instance.Category, instance.Tier)!;
        }
        else
        {
            var byVariant = space.Catalog.Variants.ToDictionary(v => v.Id, v => predictor(instance, v), StringComparer.Ordinal);
            if (byVariant.Values.Any(p => p is null)) return ledger.Options.DefaultInformationNats;
            var keys = byVariant.Values.SelectMany(d => d!.Keys).Append("other").Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            var floor = ledger.Options.FloorFor(instance.Category);
            double[] Dist(string variant)
            {
                var d = byVariant[variant]!;
                return keys.Select(k => (1 - floor) * d.GetValueOrDefault(k) + floor / keys.Length).ToArray();
            }
            // A self-consistency pair: any one model, the open set too, answers both requests alike; every mixture can split it.
            var repeat = FingerprintProbe.IsRepeat(instance);
            var uniform = keys.Select(_ => 1.0 / keys.Length).ToArray();
            var pair = (instance.Category == ProbeCategory.Tokenizer && instance.Requests.Count == 2) || repeat;
            var otherKey = Array.IndexOf(keys, "other");
            double[] MixtureDist(Hypothesis h)
            {
                var (a, b, s) = (Dist(h.Variant!), Dist(h.OtherVariant!), h.Share);
                if (!pair || !(repeat || space.MixesTokenizers(h)))
                    return a.Zip(b, (x, y) => (1 - s) * x + s * y).ToArray();
                // one request to each model: the pair's delta matches no family
                var d = a.Zip(b, (x, y) => (1 - s) * (1 - s) * x + s * s * y).ToArray();
                d[otherKey] += 2 * s * (1 - s);
                return d;
            }
            // The open set on a catalogued vocabulary counts tokens as that family's builds do.
            double[]? OpenSetFamilyDist(Hypothesis h) =>
                instance.Category == ProbeCategory.Tokenizer && h.Vocabulary is { } tokenizer && space.Catalog.Variants.FirstOrDefault(v => v.Tokenizer == tokenizer) is { } like
                    ? Dist(like.Id) : null;
            perHypothesis = space.Hypotheses.Select(h => h.Kind switch
            {
                HypothesisKind.Build => Dist(h.Variant!),
                HypothesisKind.Mixture => MixtureDist(h),
                _ => repeat ? Dist(space.ClaimedVariant) : OpenSetFamilyDist(h) ?? uniform,
            }).ToArray();
        }
        var outcomes = perHypothesis[0].Length;
        var marginal = new double[outcomes];
        var conditional = 0.0;
        for (var h = 0; h < perHypothesis.Length; h++)
        {
            if (posterior[h] == 0) continue;
            for (var o = 0; o < outcomes; o++) marginal[o] += posterior[h] * perHypothesis[h][o];
            conditional += posterior[h] * LogMath.Entropy(perHypothesis[h]);
        }
        return Math.Max(0, LogMath.Entropy(marginal) - conditional);
    }

    /// <summary>Index of the best candidate (first on ties, so the choice is reproducible), or -1 for none.</summary>
    public static int Choose(EvidenceLedger ledger, IReadOnlyList<ProbeInstance> candidates, EvidenceLedger.OutcomePredictor predictor, Func<ProbeInstance, bool> affordable) =>
        ChooseWithInformation(ledger, candidates, predictor, affordable).Index;

    /// <summary>
    /// The best candidate and its expected information (nats); Index -1 when none is affordable. A probe's cost is the
    /// share of the remaining budget it takes — requests or tokens, whichever share is larger — so an audit bound by its
    /// request limit spends its requests on the probes that tell most per request, and one bound by tokens per token.
    /// Without a budget, the cost is the estimated tokens.
    /// </summary>
    public static (int Index, double Information) ChooseWithInformation(EvidenceLedger ledger, IReadOnlyList<ProbeInstance> candidates, EvidenceLedger.OutcomePredictor predictor,
        Func<ProbeInstance, bool> affordable, (int Requests, long Tokens)? budgetLeft = null)
    {
        double Cost(ProbeInstance c)
        {
            double tokens = Math.Max(ledger.Options.MinTokenCost, c.EstimatedTokens);
            return budgetLeft is var (requests, left) && requests > 0 && left > 0 ? Math.Max(c.Requests.Count / (double)requests, tokens / left) : tokens;
        }

        var bestInfo = 0.0;
        var posterior = ledger.Posterior();
        var best = -1;
        var bestScore = double.NegativeInfinity;
        var cache = new Dictionary<(ProbeCategory, string, string), double>();
        for (var i = 0; i < candidates.Count; i++)
        {
            var c = candidates[i];
            if (!affordable(c)) continue;
            // Instances of one generator and tier are exchangeable for the model: compute their information once.
            var key = (c.Category, c.Tier, CapabilityModel.IsCapability(c.Category) ? "" : c.GeneratorId);
            if (!cache.TryGetValue(key, out var info)) cache[key] = info = ExpectedInformation(ledger, posterior, c, predictor);
            var score = info / Cost(c);
            if (score > bestScore) { best = i; bestScore = score; bestInfo = info; }
        }
        return (best, bestInfo);
    }
}
