namespace Verifier.Core.Evidence;

using Verifier.Core.Catalog;
using Verifier.Core.Probes;
using Verifier.Core.References;

/// <summary>
/// Outcome model for probes whose scorer gives only a discrete key and no likelihoods (behaviour: "reasoning:field",
/// "think:closing-only", "empty-think", ...): a Dirichlet over the keys reference runs showed in that cell (plus a
/// catch-all), learned from the runs. Hypotheses without a reference of their variant get a uniform Dirichlet (no
/// evidence either way, Weak); so does "unknown". Without any reference for the cell the outcome is not weighed.
/// </summary>
public sealed class KeyedOutcomeModel(VariantCatalog catalog, ReferenceSet references, double pseudoCount = 0.5, double countCap = 400)
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string, ProbeCategory, string), OutcomePrior> cache = new();

    public IReadOnlyList<string> Keys(ProbeCategory category, string tier) => references.OutcomeKeys(category, tier);

    public int IndexOf(ProbeCategory category, string tier, string key)
    {
        if (Keys(category, tier) is not List<string> { Count: > 0 } keys) return -1;
        var i = keys.BinarySearch(key, StringComparer.Ordinal);
        return i >= 0 ? i : keys.BinarySearch(ReferenceSet.OtherOutcome, StringComparer.Ordinal);
    }

    public OutcomePrior For(Hypothesis h, ProbeCategory category, string tier) =>
        cache.GetOrAdd((h.Id, category, tier), _ => h.Kind switch
        {
            HypothesisKind.Build => ForVariant(h.Variant!, h.Precision!, category, tier),
            HypothesisKind.Mixture => MixKeyed(ForVariant(h.Variant!, h.Precision!, category, tier), ForVariant(h.OtherVariant!, h.OtherPrecision!, category, tier), h.Share),
            _ => Uniform(Keys(category, tier).Count, 1.0),
        });

    private OutcomePrior ForVariant(string variantId, string precisionId, ProbeCategory category, string tier)
    {
        var keys = Keys(category, tier);
        var counts = references.KeyedCounts(Hypothesis.BuildId(variantId, precisionId), category, tier);
        if (counts is null)
        {
            // Behaviour rarely depends on precision: borrow a measured precision of the same variant.
            var v = catalog.Get(variantId);
            foreach (var p in v.Precisions.OrderBy(p => p == v.NativePrecision ? 0 : 1))
                if ((counts = references.KeyedCounts(Hypothesis.BuildId(variantId, p), category, tier)) is not null) break;
        }
        if (counts is null) return Uniform(keys.Count, pseudoCount) with { Weak = true };
        var total = counts.Values.Sum();
        var scale = total > countCap ? countCap / total : 1.0;
        return new OutcomePrior(keys.Select(k => pseudoCount + scale * counts.GetValueOrDefault(k)).ToArray(), Weak: false);
    }

    private static OutcomePrior Uniform(int n, double each) => new(Enumerable.Repeat(each, n).ToArray(), Weak: false);

    private static OutcomePrior MixKeyed(OutcomePrior a, OutcomePrior b, double share)
    {
        var total = Math.Min(a.Total, b.Total);
        return new OutcomePrior(a.Alpha.Select((x, i) => total * ((1 - share) * x / a.Total + share * b.Alpha[i] / b.Total)).ToArray(), a.Weak || b.Weak);
    }
}
