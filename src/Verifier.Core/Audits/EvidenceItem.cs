namespace Verifier.Core.Audits;

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
