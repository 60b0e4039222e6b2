namespace Verifier.Core.Audits;

public sealed record AuditBudget(int MaxRequests, long MaxTokens, TimeSpan MaxWallTime)
{
    public static AuditBudget Default { get; } = new(60, 200_000, TimeSpan.FromMinutes(10));
}
