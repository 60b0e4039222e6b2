namespace Verifier.Core.Verdicts;

using Verifier.Core.Evidence;

/// <summary>
/// Decision thresholds. Mismatch when the claim's posterior ≤ <see cref="MismatchBelow"/> (ε), consistent when ≥
/// <see cref="ConsistentThreshold"/>.
/// ε is derived from the tolerated false-accusation rate α and the claim's prior π: under an honest vendor the
/// likelihood ratio L = P(data | not claim) / P(data | claim) is a non-negative martingale with mean 1, so by Ville's
/// inequality P(L ever reaches c) ≤ 1/c, whatever the (sequential, data-dependent) stopping rule. The claim's posterior
/// falls to ε only when L reaches π(1−ε)/((1−π)ε); choosing ε = απ/(1−π+απ) makes that probability ≤ α.
/// The guarantee assumes the likelihoods are right for the honest build: error floors on deterministic evidence and the
/// clip on weak-prior capability evidence are there to keep misspecification from breaking it.
/// </summary>
public sealed record VerdictPolicy(double ConsistentThreshold, double MismatchBelow, double DesignedFalseAccusationRate, double IdentifyThreshold)
{
    public static VerdictPolicy For(HypothesisSpace space, EvidenceOptions options)
    {
        var pi = space.ClaimPrior;
        var alpha = options.FalseAccusationRate;
        var epsilon = alpha * pi / (1 - pi + alpha * pi);
        return new VerdictPolicy(Math.Max(options.ConsistentThreshold, 0.5), epsilon, alpha, options.IdentifyThreshold);
    }

    /// <summary>Upper bound on P(mismatch | honest) for a mismatch threshold ε and claim prior π (for reports and tests).</summary>
    public static double FalseAccusationBound(double mismatchBelow, double claimPrior) =>
        Math.Min(1, (1 - claimPrior) * mismatchBelow / (claimPrior * (1 - mismatchBelow)));
}
