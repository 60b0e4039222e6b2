namespace Verifier.Core.Audits;

public sealed record Verdict(
    VerdictKind Kind,
    string ClaimedVariant,
    string? MostLikely,
    double ClaimPosterior,
    IReadOnlyList<HypothesisScore> Posterior,
    double DesignedFalseAccusationRate,
    string Summary)
{
    /// <summary>Posterior summed per variant (all precisions), per mixture and "unknown", most likely first.</summary>
    public IReadOnlyList<HypothesisScore> VariantPosterior { get; init; } = [];

    /// <summary>Consistent when the claim's posterior ≥ this.</summary>
    public double Threshold { get; init; }

    /// <summary>Mismatch when the claim's posterior ≤ this (derived from the designed false-accusation rate).</summary>
    public double MismatchThreshold { get; init; }

    /// <summary>Most likely single hypothesis (build, mixture or unknown).</summary>
    public string? MostLikelyBuild { get; init; }
}
