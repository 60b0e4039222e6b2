namespace Verifier.Core.Evidence;

using Verifier.Core.Catalog;
using Verifier.Core.Chat;
using Verifier.Core.Probes.Fingerprint;
using Verifier.Core.References;

/// <summary>
/// Likelihood of a fingerprint observation under every build, from reference fingerprints (probes/README, Evidence/README).
/// Each build's score is a log likelihood ratio against "some other weights" (the open set, which scores 0):
/// <list type="bullet">
/// <item>With logprobs: residuals between the target's and the reference's top-k log probabilities at every position
/// while the greedy paths agree (tokens missing from one list take that list's minimum, as in Chauvin et al.). Same
/// weights: residual ~ 0.9·N(0, σ) + 0.1·N(0, 4σ), σ the honest serving noise estimated from repeated reference runs
/// (never below <see cref="EvidenceOptions.FingerprintSigmaFloor"/>); other weights: N(0, d) with d unknown in
/// {0.35, 0.7, 1.4, 2.8} nats (a close relative or an unrelated model).</item>
/// <item>Text only: the greedy text equals the reference's, with per-token divergence q (honest) against 0.2 (other weights).</item>
/// </list>
/// A build without its own reference borrows another precision's of the same variant, with that precision's measured
/// quantization noise added (<see cref="QuantizationNoise"/>); a variant without any reference scores 0, like "unknown".
/// </summary>
public sealed class FingerprintModel
{
    private readonly VariantCatalog catalog;
    private readonly ReferenceSet references;
    private readonly EvidenceOptions options;

    public FingerprintModel(VariantCatalog catalog, ReferenceSet references, EvidenceOptions options)
    {
        this.catalog = catalog;
        this.references = references;
        this.options = options;
        var (sigma, flip) = EstimateNoise(references.RepeatedFingerprints);
        LogprobSigma = Math.Max(options.FingerprintSigmaFloor, options.FingerprintNoiseAllowance * (sigma ?? 0));
        FlipRate = Math.Min(0.5, Math.Max(options.FingerprintFlipFloor, options.FingerprintNoiseAllowance * (flip ?? 0)));
    }

    /// <summary>Honest serving noise (nats) the logprob comparison allows.</summary>
    public double LogprobSigma { get; }

    /// <summary>Honest per-token chance that the greedy choice differs from the reference's.</summary>
    public double FlipRate { get; }

    /// <summary>Log likelihood ratio per build id (and "unknown" = 0), or null when no reference has this prompt.</summary>
    public IReadOnlyDictionary<string, double>? LogLikelihoods(string probeId, FingerprintObservation observed)
    {
        var ll = new Dictionary<string, double>(StringComparer.Ordinal) { [Hypothesis.UnknownId] = 0 };
        var any = false;
        foreach (var v in catalog.Variants)
        {
            foreach (var p in v.Precisions)
            {
                var build = Hypothesis.BuildId(v.Id, p);
                ll[build] = 0;
                var own = references.Fingerprints(build, probeId);
                if (own.Count > 0) { ll[build] = Score(observed, own, 0, 1); any = true; continue; }
                if (!Fingerprintable(v, p)) continue; // as wide as other weights: no fingerprint, scores like the open set
                foreach (var q in v.Precisions.OrderBy(x => x == v.NativePrecision ? 0 : 1))
                {
                    var borrowed = references.Fingerprints(Hypothesis.BuildId(v.Id, q), probeId);
                    if (borrowed.Count == 0) continue;
                    QuantizationNoise a = QuantizationNoise.Of(p, v.NativePrecision), b = QuantizationNoise.Of(q, v.NativePrecision);
                    ll[build] = Score(observed, borrowed, a.LogprobSigma * a.LogprobSigma + b.LogprobSigma * b.LogprobSigma, a.SameTopToken * b.SameTopToken);
                    any = true;
                    break;
                }
            }
        }
        return any ? ll : null;
    }

    /// <summary>
    /// Mean likelihood over the reference runs (log-mean-exp), each compared with the observation. A quantization noise
    /// borrowed from the table is uncertain (measured on one model and corpus; Llama-2-7B keeps the top token more often
    /// than Llama-3-8B at the same quantization): its σ is averaged over [½, 1½] of the table's value.
    /// </summary>
    private double Score(FingerprintObservation observed, IReadOnlyList<FingerprintObservation> runs, double extraVariance, double sameTopToken)
    {
        double[] factors = extraVariance > 0 ? [0.5, 0.66, 0.87, 1.14, 1.5] : [1.0];
        var scores = runs.SelectMany(r => factors.Select(f => observed.HasLogprobs && r.HasLogprobs
            ? LogprobScore(observed.Tokens!, r.Tokens!, Math.Sqrt(LogprobSigma * LogprobSigma + f * f * extraVariance))
            : TextScore(observed.Text, r.Text, 1 - (1 - FlipRate) * sameTopToken))).ToArray();
        return LogMath.LogSumExp(scores) - Math.Log(scores.Length);
    }

    /// <summary>
    /// log P(residuals | same weights, σ) − log P(residuals | other weights), where other weights — possibly a close
    /// relative sharing a base or a teacher — have one unknown residual scale among <see cref="EvidenceOptions.FingerprintDifferentSigmas"/>.
    /// </summary>
    private double LogprobScore(IReadOnlyList<TokenLogprob> observed, IReadOnlyList<TokenLogprob> reference, double sigma)
    {
        var residuals = new List<double>();
        for (var t = 0; t < Math.Min(observed.Count, reference.Count); t++)
        {
            residuals.AddRange(Residuals(observed[t], reference[t]));
            if (observed[t].Token != reference[t].Token) break; // later positions follow different prefixes
        }
        var same = residuals.Sum(e => LogSame(e, sigma));
        var other = options.FingerprintDifferentSigmas.Select(d => residuals.Sum(e => LogNormal(e, d))).ToArray();
        return same - (LogMath.LogSumExp(other) - Math.Log(other.Length));
    }

    private double TextScore(string observed, string reference, double flip)
    {
        var n = FingerprintProbe.Tokens;
        double same = Math.Pow(1 - flip, n), other = Math.Pow(1 - options.FingerprintDifferentFlip, n);
        return observed == reference ? Math.Log(same) - Math.Log(other) : Math.Log(1 - same) - Math.Log(1 - other);
    }

    /// <summary>
    /// Residuals over the union of both top-k lists (k the shorter length): a token missing from one list takes that
    /// list's smallest value, an upper bound of its true log probability.
    /// </summary>
    public static IEnumerable<double> Residuals(TokenLogprob a, TokenLogprob b)
    {
        var (ta, tb) = (TopOf(a), TopOf(b));
        var k = Math.Min(ta.Count, tb.Count);
        var (ma, mb) = (ta.Take(k).ToDictionary(x => x.Token, x => x.Logprob), tb.Take(k).ToDictionary(x => x.Token, x => x.Logprob));
        double minA = ma.Values.Min(), minB = mb.Values.Min();
        foreach (var token in ma.Keys.Union(mb.Keys))
            yield return (ma.TryGetValue(token, out var x) ? x : minA) - (mb.TryGetValue(token, out var y) ? y : minB);
    }

    private static List<TopLogprob> TopOf(TokenLogprob t)
    {
        // Some servers list the chosen token only; duplicates (a token listed twice) keep the first.
        var list = t.Top.Count > 0 ? t.Top : [new TopLogprob(t.Token, t.Logprob)];
        return list.DistinctBy(x => x.Token).OrderByDescending(x => x.Logprob).ToList();
    }

    private double LogSame(double e, double sigma) => LogMath.LogAddExp(
        Math.Log(1 - options.FingerprintTailWeight) + LogNormal(e, sigma),
        Math.Log(options.FingerprintTailWeight) + LogNormal(e, options.FingerprintTailScale * sigma));

    private static double LogNormal(double e, double sigma) => -0.5 * (e / sigma) * (e / sigma) - Math.Log(sigma) - 0.5 * Math.Log(2 * Math.PI);

    /// <summary>
    /// Whether the observation fits some build better than other weights would. Only such an answer is weighed: a
    /// fingerprint names what it matches and never accuses by misfit alone — an answer that fits nothing may come from a
    /// changed context (hidden system prompt) or a stack noisier than any reference, and is recorded, not held against
    /// the vendor. With the plain prompt verified, a fit to another precision's reference within a build's quantization
    /// noise counts. With the context unverified only a fit to a build's own reference does: the quantization noise is
    /// wide enough that some of many borrowed builds fits a related model's answers by chance, and weighing only those
    /// chance fits (the misfits being dropped) would name a catalogued build for a model outside the catalogue.
    /// </summary>
    public bool FitsAReference(string probeId, IReadOnlyDictionary<string, double> logLikelihoods, bool contextVerified) =>
        logLikelihoods.Any(kv => kv.Value > 0 && kv.Key != Hypothesis.UnknownId && (contextVerified || references.Fingerprints(kv.Key, probeId).Count > 0));

    /// <summary>
    /// A self-consistency pair: log P(the two answers | one model, serving noise) − log P(| two different models), the
    /// same comparison as with a reference. Clipped below at ln <see cref="EvidenceOptions.RepeatSplitFloor"/>: a stack
    /// noisier than the references can make its own two answers differ, so one split never counts for much.
    /// </summary>
    public double RepeatLogLikelihood(FingerprintPair pair) => Math.Max(Math.Log(options.RepeatSplitFloor),
        pair.First.HasLogprobs && pair.Second.HasLogprobs
            ? LogprobScore(pair.First.Tokens!, pair.Second.Tokens!, LogprobSigma)
            : TextScore(pair.First.Text, pair.Second.Text, FlipRate));

    /// <summary>A build whose quantization noise is narrower than other weights' smallest residual scale can be told by its fingerprint.</summary>
    private bool Fingerprintable(Variant v, string precision) =>
        QuantizationNoise.Of(precision, v.NativePrecision).LogprobSigma < options.FingerprintDifferentSigmas.Min();

    /// <summary>
    /// Honest noise from repeated reference answers to the same prompt: the RMS residual between two runs (σ of one
    /// run's deviation is that over √2 — kept whole as a margin) and the share of positions whose greedy token differs.
    /// </summary>
    public static (double? Sigma, double? Flip) EstimateNoise(IEnumerable<IReadOnlyList<FingerprintObservation>> repeated)
    {
        double squares = 0; long residuals = 0, positions = 0, flips = 0;
        foreach (var runs in repeated)
            for (var i = 1; i < runs.Count; i++)
            {
                var (a, b) = (runs[0], runs[i]);
                if (!a.HasLogprobs || !b.HasLogprobs) continue;
                for (var t = 0; t < Math.Min(a.Tokens!.Count, b.Tokens!.Count); t++)
                {
                    foreach (var e in Residuals(a.Tokens[t], b.Tokens[t])) { squares += e * e; residuals++; }
                    positions++;
                    if (a.Tokens[t].Token != b.Tokens[t].Token) { flips++; break; }
                }
            }
        return (residuals == 0 ? null : Math.Sqrt(squares / residuals), positions == 0 ? null : flips / (double)positions);
    }
}
