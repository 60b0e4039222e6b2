namespace Verifier.Core.Evidence;

using Verifier.Core.Catalog;
using Verifier.Core.Probes;
using Verifier.Core.References;

/// <summary>Dirichlet parameters over capability outcomes (pass, fail, no-answer) for one hypothesis and cell; Weak = only the published-score prior.</summary>
public sealed record OutcomePrior(double[] Alpha, bool Weak)
{
    public double Total => Alpha.Sum();
}

/// <summary>
/// Pass-rate model of capability probes per (variant, precision, category, tier). With a reference run of the build:
/// Dirichlet posterior from its counts. Without: a weak prior from the published scores (pseudo-count
/// <see cref="EvidenceOptions.WeakPseudoCount"/>), lowered by the precision's accuracy recovery.
/// </summary>
public sealed class CapabilityModel
{
    public const int Pass = 0, Fail = 1, NoAnswer = 2, OutcomeCount = 3;
    public static readonly string[] OutcomeKeys = ["pass", "fail", "no-answer"];

    private readonly VariantCatalog catalog;
    private readonly EvidenceOptions options;
    private readonly ReferenceSet references;

    public CapabilityModel(VariantCatalog catalog, EvidenceOptions options, ReferenceSet? references = null)
    {
        this.catalog = catalog;
        this.options = options;
        this.references = references ?? ReferenceSet.Empty;
    }

    public static bool IsCapability(ProbeCategory c) => c is ProbeCategory.Reasoning or ProbeCategory.Code or ProbeCategory.LongContext;

    /// <summary>Maps a scorer's outcome key to pass / fail / no-answer (anything unrecognised counts as no-answer).</summary>
    public static int OutcomeIndex(string key) => key switch
    {
        "pass" => Pass,
        "fail" => Fail,
        _ => NoAnswer,
    };

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string, ProbeCategory, string), OutcomePrior> cache = new();

    /// <summary>Dirichlet parameters of a hypothesis in a cell (cached: the model is immutable once built).</summary>
    public OutcomePrior For(Hypothesis h, ProbeCategory category, string tier) =>
        cache.GetOrAdd((h.Id, category, tier), _ => Compute(h, category, tier));

    private OutcomePrior Compute(Hypothesis h, ProbeCategory category, string tier) => h.Kind switch
    {
        HypothesisKind.Build => ForBuild(h.Variant!, h.Precision!, category, tier),
        HypothesisKind.Mixture => Mix(ForBuild(h.Variant!, h.Precision!, category, tier), ForBuild(h.OtherVariant!, h.OtherPrecision!, category, tier), h.Share),
        // Open set: any pass rate (uniform over pass vs fail), answering in the expected form as often as catalogued
        // models do — not a third free dimension, which would cost a model outside the catalogue a needless Occam
        // penalty in every cell and let a catalogued build whose rates happen to fit win by capability alone.
        _ => new OutcomePrior([1 - options.NoAnswerRate, 1 - options.NoAnswerRate, 2 * options.NoAnswerRate], Weak: true),
    };

    public OutcomePrior ForBuild(string variantId, string precisionId, ProbeCategory category, string tier)
    {
        var p = WeakPassRate(catalog.Get(variantId), catalog.FindPrecision(precisionId), category, tier);
        var q = options.NoAnswerRate;
        var k = options.WeakPseudoCount;
        double[] weak = [k * p * (1 - q), k * (1 - p) * (1 - q), k * q];
        var counts = references.Counts(Hypothesis.BuildId(variantId, precisionId), category, tier) ?? FromOtherPrecision(variantId, precisionId, category, tier);
        if (counts is null) return new OutcomePrior(weak, Weak: true);
        // Cap the weight of a reference: a run on another serving stack is not the audited deployment, so its rates keep some uncertainty.
        var n = counts.Sum();
        var scale = n > options.ReferenceCountCap ? options.ReferenceCountCap / n : 1.0;
        return new OutcomePrior([weak[0] + scale * counts[0], weak[1] + scale * counts[1], weak[2] + scale * counts[2]], Weak: false);
    }

    public bool HasReference(string variantId) => references.HasVariant(variantId);

    /// <summary>
    /// A precision without its own reference run borrows the counts of a measured precision of the same variant, with
    /// passes moved to fails by the ratio of their published accuracy recoveries (e.g. int4 from a bf16 run).
    /// </summary>
    private double[]? FromOtherPrecision(string variantId, string precisionId, ProbeCategory category, string tier)
    {
        var variant = catalog.Get(variantId);
        foreach (var measured in variant.Precisions.OrderBy(p => p == variant.NativePrecision ? 0 : 1))
        {
            if (measured == precisionId || references.Counts(Hypothesis.BuildId(variantId, measured), category, tier) is not { } c) continue;
            var ratio = Recovery(variant, catalog.FindPrecision(precisionId)) / Recovery(variant, catalog.FindPrecision(measured));
            var answered = c[Pass] + c[Fail];
            var pass = Math.Min(answered, c[Pass] * ratio);
            return [pass, answered - pass, c[NoAnswer]];
        }
        return null;
    }

    private static double Recovery(Variant v, Precision? precision) =>
        precision is null ? 1.0 : v.Architecture.Parameters < 3_000_000_000 && precision.SmallModelRecovery is { } small ? small : precision.AccuracyRecovery;

    /// <summary>Per-exchange mixture: mean (1-s)·m_claim + s·m_other, with the smaller of the two pseudo-counts (the less certain side rules).</summary>
    public static OutcomePrior Mix(OutcomePrior claim, OutcomePrior other, double share)
    {
        var total = Math.Min(claim.Total, other.Total);
        var alpha = new double[OutcomeCount];
        for (var i = 0; i < OutcomeCount; i++)
            alpha[i] = total * ((1 - share) * claim.Alpha[i] / claim.Total + share * other.Alpha[i] / other.Total);
        return new OutcomePrior(alpha, claim.Weak || other.Weak);
    }

    /// <summary>
    /// Pass rate suggested by published scores. Reasoning tiers run from MATH-500-like (t1) to beyond AIME (t4); code tiers from
    /// easy to LiveCodeBench-hard; long-context is near-flat (every variant retrieves a passkey within its window).
    /// </summary>
    public static double WeakPassRate(Variant v, Precision? precision, ProbeCategory category, string tier)
    {
        var s = v.PublishedScores;
        var aime = (s.Aime24 ?? (s.GpqaDiamond is { } g ? g * 0.9 : 50)) / 100;
        var math = s.Math500 is { } m ? m / 100 : Math.Min(0.99, 0.6 + 0.4 * aime);
        var lcb = (s.LiveCodeBench ?? (s.CodeforcesRating is { } cf ? Math.Clamp((cf - 800) / 20.0, 5, 80) : aime * 70)) / 100;
        var t = tier switch { "t1" => 1, "t2" => 2, "t3" => 3, "t4" => 4, _ => 2 };
        var p = category switch
        {
            ProbeCategory.Reasoning => t switch { 1 => math, 2 => (math + aime) / 2, 3 => aime, _ => aime * aime },
            ProbeCategory.Code => t switch { 1 => Math.Min(0.97, lcb + 0.35), 2 => Math.Min(0.95, lcb + 0.15), 3 => lcb, _ => lcb * 0.6 },
            ProbeCategory.LongContext => 1 - 0.04 * t - 0.05 * (1 - aime),
            _ => 0.5,
        };
        return Math.Clamp(p * Math.Min(1.0, Recovery(v, precision)), 0.02, 0.98);
    }
}
