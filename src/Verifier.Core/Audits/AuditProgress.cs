namespace Verifier.Core.Audits;

/// <summary>
/// Where a running audit stands, reported by <see cref="AuditEngine"/> before each probe runs (<see cref="Finished"/> false,
/// the probe about to run) and after it (true, the requests it made counted). Observation only: it never changes a verdict.
/// </summary>
public sealed record AuditProgress(
    int Requests,
    int MaxRequests,
    long Tokens,
    long MaxTokens,
    TimeSpan Elapsed,
    string ProbeId,
    string Category,
    bool Finished);
