namespace Verifier.Service.Audits;

using Verifier.Core.Audits;

/// <summary>A budget as asked for in the API and stored with a schedule: any limit left out is the default.</summary>
public sealed record BudgetDto(int? MaxRequests, long? MaxTokens, int? MaxWallSeconds);

public static class Budgets
{
    public static AuditBudget From(BudgetDto? dto) => new(
        dto?.MaxRequests ?? AuditBudget.Default.MaxRequests,
        dto?.MaxTokens ?? AuditBudget.Default.MaxTokens,
        dto?.MaxWallSeconds is { } s ? TimeSpan.FromSeconds(s) : AuditBudget.Default.MaxWallTime);
}
