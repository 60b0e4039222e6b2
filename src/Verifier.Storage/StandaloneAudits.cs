namespace Verifier.Storage;

using Verifier.Core;
using Verifier.Core.AuditLog;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Verifier.Core.Audits;

/// <summary>Stores an audit run outside the service (`verifier audit --db`): the target is found or created by URL, model and claim.</summary>
public static class StandaloneAudits
{
    public static Task<Guid> SaveAsync(VerifierDb db, TargetKind kind, string? baseUrl, string? model, string? dialect, string? path, string claimed, AuditBudget budget, AuditResult result, CancellationToken ct = default) =>
        db.InTransactionAsync(token => SaveInTransactionAsync(db, kind, baseUrl, model, dialect, path, claimed, budget, result, token), ct);

    private static async Task<Guid> SaveInTransactionAsync(VerifierDb db, TargetKind kind, string? baseUrl, string? model, string? dialect, string? path, string claimed, AuditBudget budget, AuditResult result, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        var target = await db.Targets.FirstOrDefaultAsync(t => t.DeletedAt == null && t.Kind == kind && t.BaseUrl == baseUrl && t.Model == model && t.Path == path && t.ClaimedVariant == claimed, ct);
        if (target is null)
        {
            target = new TargetRow
            {
                Id = Guid.NewGuid(), Name = $"cli: {baseUrl ?? path} {model}".Trim(), Kind = kind, BaseUrl = baseUrl, Model = model, Dialect = dialect, Path = path,
                ClaimedVariant = claimed, CreatedAt = now, UpdatedAt = now,
            };
            db.Targets.Add(target);
            await db.SaveChangesAsync(ct);
            await AuditLogWriter.AppendAsync(db, null, AuditActions.TargetCreated, "target", target.Id.ToString(), new { target.Name, Kind = StoredNames.Of(target.Kind), target.BaseUrl, target.Model, target.Path, target.ClaimedVariant, via = "cli" }, ct);
        }
        var audit = new AuditRow
        {
            Id = Guid.NewGuid(), TargetId = target.Id, Status = AuditStatus.Running, Trigger = AuditTrigger.Cli, ClaimedVariant = claimed,
            Budget = JsonSerializer.Serialize(budget, StoredJson.Options), CreatedAt = now - result.Cost.WallTime, StartedAt = now - result.Cost.WallTime,
        };
        db.Audits.Add(audit);
        await db.SaveChangesAsync(ct);
        await AuditLogWriter.AppendAsync(db, null, AuditActions.AuditRequested, "audit", audit.Id.ToString(), new { targetId = target.Id, trigger = "cli" }, ct);
        await AuditResults.CompleteAsync(db, audit, result, "cli", ct);
        return audit.Id;
    }
}
