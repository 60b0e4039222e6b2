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
    IReadOnlyDictionary<string, double> LogLikelihoods)
{
    /// <summary>Difficulty tier or sub-kind of the probe ("t1".."t4", "family", ...).</summary>
    public string? Tier { get; init; }

    /// <summary>The scorer's discrete outcome ("pass", "fail", "family:qwen", ...).</summary>
    public string? OutcomeKey { get; init; }

    /// <summary>How the engine weighed it: "capability-reference", "capability-weak-prior", "deterministic", "not-scored: ...".</summary>
    public string? Weighing { get; init; }
}

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

public sealed record AuditResult(
    Verdict Verdict,
    IReadOnlyList<Exchange> Exchanges,
    IReadOnlyList<EvidenceItem> Evidence,
    AuditCost Cost,
    string SuiteVersion,
    string SuiteHash)
{
    /// <summary>The probe instances run, in order, with the seeds that regenerate them (for rescoring).</summary>
    public IReadOnlyList<ProbeRecord> Probes { get; init; } = [];

    /// <summary>Ids of the reference runs whose statistics the likelihoods used.</summary>
    public IReadOnlyList<string> ReferenceRunsUsed { get; init; } = [];

    /// <summary>Why the audit stopped ("decided", "budget: requests", "budget: tokens", "budget: wall time", "no more probes").</summary>
    public string? StopReason { get; init; }

    /// <summary>The second verdict: capability against the claimed variant's reference (a degraded stack is not a substitution).</summary>
    public Quality.ServiceQuality? Quality { get; init; }

    /// <summary>Why the audit has no scored response at all ("every request failed: ..."); null when anything was delivered.</summary>
    public string? Error { get; init; }

    /// <summary>Requests spent when the final verdict kind was first reached (the audit may go on to identify the actual variant).</summary>
    public int? DecidedAfterRequests { get; init; }
}

/// <summary>One executed probe instance: enough to regenerate it (generator + seed) and find its raw exchanges.</summary>
public sealed record ProbeRecord(
    string ProbeId,
    string GeneratorId,
    string Category,
    string Tier,
    int Seed,
    IReadOnlyList<int> ExchangeSequences,
    bool Scored);
