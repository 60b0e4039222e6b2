namespace Verifier.Core.Evidence;

using Verifier.Core.Catalog;

/// <summary>
/// Every hypothesis an audit weighs, with its structured prior (log): variants uniform, precisions split within a
/// variant, mixtures of the claim with each other variant (native precision) sharing a small mass, and "unknown".
/// </summary>
public sealed class HypothesisSpace
{
    private readonly Dictionary<string, int> index;

    private HypothesisSpace(VariantCatalog catalog, string claimedVariant, Precision? claimedPrecision, IReadOnlyList<Hypothesis> hypotheses, double[] logPrior)
    {
        Catalog = catalog;
        ClaimedVariant = claimedVariant;
        ClaimedPrecision = claimedPrecision;
        Hypotheses = hypotheses;
        LogPrior = logPrior;
        index = hypotheses.Select((h, i) => (h.Id, i)).ToDictionary(x => x.Id, x => x.i, StringComparer.Ordinal);
    }

    public VariantCatalog Catalog { get; }
    public string ClaimedVariant { get; }
    public IReadOnlyList<Hypothesis> Hypotheses { get; }
    public IReadOnlyList<double> LogPrior { get; }
    public int Count => Hypotheses.Count;
    public int IndexOf(string id) => index.TryGetValue(id, out var i) ? i : -1;

    /// <summary>Prior probability that the claimed variant (any precision) answers: the π of the threshold derivation.</summary>
    public double ClaimPrior => Hypotheses.Select((h, i) => (h, i)).Where(x => IsClaim(x.h)).Sum(x => Math.Exp(LogPrior[x.i]));

    /// <summary>The precision a claim names ("deepseek-r1@fp8"), or null for a claim about the variant alone.</summary>
    public Precision? ClaimedPrecision { get; }

    /// <summary>
    /// A build the claim covers: the claimed variant, at a precision that honours the claimed one. 8-bit builds honour
    /// 16-bit claims: their distributions sit within the spread honest engines show on the same weights
    /// (EvidenceOptions.FingerprintSigmaFloor), so telling them apart would accuse honest stacks; 4-bit and below do not.
    /// </summary>
    public bool IsClaim(Hypothesis h) =>
        h.Kind == HypothesisKind.Build && h.Variant == ClaimedVariant
        && (ClaimedPrecision is null || Catalog.FindPrecision(h.Precision!) is { } p && p.Bits >= Math.Min(ClaimedPrecision.Bits, 8));

    /// <summary>What the claim names: "variant" or "variant@precision".</summary>
    public string Claim => ClaimedPrecision is null ? ClaimedVariant : Hypothesis.BuildId(ClaimedVariant, ClaimedPrecision.Id);

    /// <summary>A mixture whose two models have different tokenizers: a request pair split between them fits neither.</summary>
    public bool MixesTokenizers(Hypothesis h) =>
        h.Kind == HypothesisKind.Mixture && Catalog.Get(h.Variant!).Tokenizer != Catalog.Get(h.OtherVariant!).Tokenizer;

    /// <summary>Builds the space for a claim "variant" or "variant@precision" (a precision claim is checked at that precision, see <see cref="IsClaim"/>).</summary>
    public static HypothesisSpace Create(VariantCatalog catalog, string claimedBuild, EvidenceOptions options)
    {
        if (!catalog.TryParseBuild(claimedBuild, out var claimed, out var claimedPrecision))
            throw new ArgumentException($"Claimed model '{claimedBuild}' is not a catalogued variant or build.", nameof(claimedBuild));

        var hypotheses = new List<Hypothesis>();
        var prior = new List<double>();
        var variantMass = (1 - options.UnknownPrior - options.MixturePrior) / catalog.Variants.Count;
        foreach (var v in catalog.Variants)
        {
            var others = v.Precisions.Count - 1;
            foreach (var p in v.Precisions)
            {
                var share = others == 0 ? 1.0 : p == v.NativePrecision ? options.NativePrecisionShare : (1 - options.NativePrecisionShare) / others;
                hypotheses.Add(new Hypothesis(Hypothesis.BuildId(v.Id, p), HypothesisKind.Build, v.Id, p));
                prior.Add(variantMass * share);
            }
        }

        var substitutes = catalog.Variants.Where(v => v.Id != claimed.Id).ToList();
        var mixtureCount = substitutes.Count * options.MixtureShares.Count;
        foreach (var other in substitutes)
            foreach (var s in options.MixtureShares)
            {
                hypotheses.Add(new Hypothesis(Hypothesis.MixtureId(claimed.Id, other.Id, s), HypothesisKind.Mixture,
                    claimed.Id, claimed.NativePrecision, other.Id, other.NativePrecision, s));
                prior.Add(options.MixturePrior / mixtureCount);
            }

        // The open set: a vocabulary outside the catalogue, or a catalogued one (split evenly).
        var tokenizers = catalog.Variants.Select(v => v.Tokenizer).Distinct(StringComparer.Ordinal).ToList();
        hypotheses.Add(new Hypothesis(Hypothesis.UnknownId, HypothesisKind.Unknown, null, null));
        hypotheses.AddRange(tokenizers.Select(t => new Hypothesis(Hypothesis.UnknownWithTokenizer(t), HypothesisKind.Unknown, null, null) { Vocabulary = t }));
        prior.AddRange(Enumerable.Repeat(options.UnknownPrior / (tokenizers.Count + 1), tokenizers.Count + 1));

        var total = prior.Sum();
        return new HypothesisSpace(catalog, claimed.Id, claimedPrecision, hypotheses, prior.Select(p => Math.Log(p / total)).ToArray());
    }
}
