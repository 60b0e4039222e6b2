namespace Verifier.Core.Audits;

using Verifier.Core.Exchanges;

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
