namespace Verifier.Core.Reports;

using Verifier.Core.Audits;

/// <summary>Context a report prints besides the result (the result itself does not know its id or target).</summary>
public sealed record ReportContext(string AuditId, string Target, DateTimeOffset GeneratedAt, int TopHypotheses = 10)
{
    /// <summary>Marks reports of simulated vendors ("SIMULATION") in every format.</summary>
    public string? Banner { get; init; }
}

/// <summary>One evidence row as reports show it: what was observed, how it was weighed, which exchanges are behind it.</summary>
public sealed record EvidenceRow(
    string ProbeId, string Category, string? Tier, string? Outcome, string Observed, string? Weighing,
    IReadOnlyList<int> ExchangeSequences, double? ClaimLogLikelihood, double? TopLogLikelihood);

/// <summary>The report's content, shared by the JSON, Markdown and HTML renderings.</summary>
public sealed record ReportModel(
    string AuditId,
    string Target,
    DateTimeOffset GeneratedAt,
    string? Banner,
    string Verdict,
    string ClaimedVariant,
    string? MostLikely,
    string? MostLikelyBuild,
    double ClaimPosterior,
    double ConsistentThreshold,
    double MismatchThreshold,
    double DesignedFalseAccusationRate,
    string Summary,
    IReadOnlyList<HypothesisScore> VariantPosterior,
    IReadOnlyList<HypothesisScore> TopHypotheses,
    IReadOnlyList<EvidenceRow> Evidence,
    AuditCost Cost,
    string SuiteVersion,
    string SuiteHash,
    IReadOnlyList<string> ReferenceRunsUsed,
    string? StopReason,
    int? DecidedAfterRequests)
{
    /// <summary>The service-quality verdict (capability vs the claimed variant's reference).</summary>
    public string? Quality { get; init; }

    public static ReportModel From(AuditResult r, ReportContext c)
    {
        var v = r.Verdict;
        var claimKeys = v.Posterior.Where(p => p.Hypothesis.StartsWith(v.ClaimedVariant + "@", StringComparison.Ordinal)).Select(p => p.Hypothesis).ToList();
        var claimTop = claimKeys.FirstOrDefault();
        var evidence = r.Evidence.Select(e => new EvidenceRow(e.ProbeId, e.Category, e.Tier, e.OutcomeKey, e.Observed, e.Weighing, e.ExchangeSequences,
            claimTop is not null && e.LogLikelihoods.TryGetValue(claimTop, out var cl) ? cl : null,
            v.MostLikelyBuild is not null && e.LogLikelihoods.TryGetValue(v.MostLikelyBuild, out var tl) ? tl : null)).ToList();
        return new ReportModel(c.AuditId, c.Target, c.GeneratedAt, c.Banner, v.Kind.ToString().ToLowerInvariant(), v.ClaimedVariant, v.MostLikely, v.MostLikelyBuild,
            v.ClaimPosterior, v.Threshold, v.MismatchThreshold, v.DesignedFalseAccusationRate, v.Summary,
            v.VariantPosterior.Take(c.TopHypotheses).ToList(), v.Posterior.Take(c.TopHypotheses).ToList(), evidence, r.Cost,
            r.SuiteVersion, r.SuiteHash, r.ReferenceRunsUsed, r.StopReason, r.DecidedAfterRequests) { Quality = r.Quality?.Summary };
    }
}
