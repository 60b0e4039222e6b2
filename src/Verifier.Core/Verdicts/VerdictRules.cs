namespace Verifier.Core.Verdicts;

using System.Globalization;
using Verifier.Core.Audits;
using Verifier.Core.Evidence;

/// <summary>Turns a ledger into a verdict, and says when an audit may stop. Pure functions.</summary>
public static class VerdictRules
{
    public static Verdict Decide(EvidenceLedger ledger, VerdictPolicy policy)
    {
        var space = ledger.Space;
        var posterior = ledger.Posterior();
        var builds = space.Hypotheses.Select((h, i) => new HypothesisScore(h.Id, posterior[i]))
            .OrderByDescending(s => s.Posterior).ThenBy(s => s.Hypothesis, StringComparer.Ordinal).ToList();
        var entities = space.Hypotheses.Select((h, i) => (h.Entity, p: posterior[i]))
            .GroupBy(x => x.Entity, StringComparer.Ordinal)
            .Select(g => new HypothesisScore(g.Key, g.Sum(x => x.p)))
            .OrderByDescending(s => s.Posterior).ThenBy(s => s.Hypothesis, StringComparer.Ordinal).ToList();
        var claim = space.Hypotheses.Select((h, i) => space.IsClaim(h) ? posterior[i] : 0).Sum();
        var top = entities[0];
        // A precision claim whose variant is right but whose build is not: name the build (an int4 sold as fp8).
        var precisionMismatch = space.ClaimedPrecision is not null && top.Hypothesis == space.ClaimedVariant && !space.IsClaim(space.Hypotheses[space.IndexOf(builds[0].Hypothesis)]);
        var named = precisionMismatch ? new HypothesisScore(builds[0].Hypothesis, builds[0].Posterior) : top;

        var kind = claim >= policy.ConsistentThreshold && top.Hypothesis == space.ClaimedVariant ? VerdictKind.Consistent
            : claim <= policy.MismatchBelow ? VerdictKind.Mismatch
            : VerdictKind.Inconclusive;
        var f = CultureInfo.InvariantCulture;
        var what = precisionMismatch ? "Mismatch of precision" : "Mismatch";
        var summary = kind switch
        {
            VerdictKind.Consistent => string.Format(f, "Consistent with the claim {0}: posterior {1:0.######} ≥ {2:0.######}.", space.Claim, claim, policy.ConsistentThreshold),
            VerdictKind.Mismatch => string.Format(f, "{5}: the claim {0} has posterior {1:0.######E+0} ≤ {2:0.######E+0}; most likely {3} ({4:0.####}).", space.Claim, claim, policy.MismatchBelow, named.Hypothesis, named.Posterior, what),
            _ => string.Format(f, "Inconclusive: the claim {0} has posterior {1:0.####} (consistent needs ≥ {2:0.######}, mismatch ≤ {3:0.######E+0}); most likely {4} ({5:0.####}).", space.Claim, claim, policy.ConsistentThreshold, policy.MismatchBelow, named.Hypothesis, named.Posterior),
        };
        return new Verdict(kind, space.ClaimedVariant, named.Hypothesis, claim, builds, policy.DesignedFalseAccusationRate, summary)
        {
            VariantPosterior = entities,
            Threshold = policy.ConsistentThreshold,
            MismatchThreshold = policy.MismatchBelow,
            MostLikelyBuild = builds[0].Hypothesis,
        };
    }

    /// <summary>Stop when consistent, or when mismatch is established and the actual variant is identified well enough.</summary>
    public static bool IsSettled(Verdict verdict, VerdictPolicy policy) => verdict.Kind switch
    {
        VerdictKind.Consistent => true,
        VerdictKind.Mismatch => verdict.VariantPosterior.Count > 0 && verdict.VariantPosterior[0].Posterior >= policy.IdentifyThreshold,
        _ => false,
    };
}
