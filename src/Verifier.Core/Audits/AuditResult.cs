namespace Verifier.Core.Audits;

using Verifier.Core.Observations;

public enum VerdictKind { Consistent, Mismatch, Inconclusive }

public sealed record AuditBudget(int MaxRequests, long MaxTokens, TimeSpan MaxWallTime)
{
    public static AuditBudget Default { get; } = new(60, 200_000, TimeSpan.FromMinutes(10));
}

public sealed record AuditCost(int Requests, long PromptTokens, long CompletionTokens, TimeSpan WallTime);

/// <summary>Posterior probability of one hypothesis (a variant id, a variant@precision, a mixture, or "unknown").</summary>
public sealed record HypothesisScore(string Hypothesis, double Posterior);

/// <summary>One scored observation: log P(observation | hypothesis) for every hypothesis, and the exchanges behind it.</summary>
public sealed record EvidenceItem(
    string ProbeId,
    string Category,
    IReadOnlyList<int> ExchangeSequences,
    string Observed,
    IReadOnlyDictionary<string, double> LogLikelihoods);

public sealed record Verdict(
    VerdictKind Kind,
    string ClaimedVariant,
    string? MostLikely,
    double ClaimPosterior,
    IReadOnlyList<HypothesisScore> Posterior,
    double DesignedFalseAccusationRate,
    string Summary);

public sealed record AuditResult(
    Verdict Verdict,
    IReadOnlyList<Exchange> Exchanges,
    IReadOnlyList<EvidenceItem> Evidence,
    AuditCost Cost,
    string SuiteVersion,
    string SuiteHash);
