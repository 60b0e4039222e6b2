namespace Verifier.Core.Evidence;

/// <summary>
/// How the engine weighed an observation (<see cref="Audits.EvidenceItem.Weighing"/>): stored with the evidence (and in
/// its digest), so never renamed. Reports put them into words (<see cref="Reports.ReportWording"/>).
/// </summary>
public static class Weighings
{
    public const string Deterministic = "deterministic", CapabilityReference = "capability-reference", CapabilityWeakPrior = "capability-weak-prior",
        KeyedReference = "keyed-reference", WithinClaim = "within-claim";

    /// <summary>Prefix of an observation that counted for nothing, followed by why ("not-scored: target fault …").</summary>
    public const string NotScoredPrefix = "not-scored: ";
}
