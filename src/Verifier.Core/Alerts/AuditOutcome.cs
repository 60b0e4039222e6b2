namespace Verifier.Core.Alerts;

using Verifier.Core.Audits;

/// <summary>
/// What alert rules need to know of one finished audit: whether it failed, its verdict, and whether it was a light
/// check (a light check's verdict only compares with the previous light check's: it rests on the tokenizer alone, so
/// it is `inconclusive` where a full audit says `consistent`, which is no change of the vendor).
/// </summary>
public sealed record AuditOutcome(Guid AuditId, bool Failed, bool Light, VerdictKind? Kind, string? MostLikely, DateTimeOffset FinishedAt)
{
    /// <summary>When it began: checks overlap (minute cadence, several workers) and can finish out of order.</summary>
    public DateTimeOffset? StartedAt { get; init; }
}
