namespace Verifier.Service.Audits;

using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Verifier.Core.Audits;
using Verifier.Service.Api;
using Verifier.Storage;
using Verifier.Core.Probes.Suite;
using Verifier.Targets.Http;

/// <summary>
/// Loads an audit, claims it for this node, runs it against its target, stores the result. Claiming is one UPDATE
/// that only succeeds for queued audits or running ones (a running audit is only re-fired by Quartz when its node
/// died), so a completed audit is never run twice. A re-run replaces the partial rows of the dead attempt.
/// </summary>
public sealed class AuditRunner(IDbContextFactory<VerifierDb> dbs, VerifierSettings settings, IHttpClientFactory http, ILogger<AuditRunner> log)
{
    public async Task<Guid?> CreateScheduledAsync(Guid targetId, DateTimeOffset fireTime, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var target = await db.Targets.AsNoTracking().FirstOrDefaultAsync(t => t.Id == targetId && t.DeletedAt == null, ct);
        if (target is null) return null;
        var schedule = await db.Schedules.AsNoTracking().FirstOrDefaultAsync(s => s.TargetId == targetId, ct);
        var key = "schedule:" + fireTime.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        var existing = await db.Audits.AsNoTracking().FirstOrDefaultAsync(a => a.TargetId == targetId && a.IdempotencyKey == key, ct);
        if (existing is not null) return existing.Id;
        var budget = Budgets.From(schedule?.Budget is null ? null : JsonSerializer.Deserialize<BudgetDto>(schedule.Budget, Paging.Json));
        var audit = NewAudit(target, "schedule", key, budget, null);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.Audits.Add(audit);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
        {
            return (await db.Audits.AsNoTracking().FirstAsync(a => a.TargetId == targetId && a.IdempotencyKey == key, ct)).Id;
        }
        await AuditLogWriter.AppendAsync(db, null, "audit.requested", "audit", audit.Id.ToString(), new { targetId, trigger = "schedule", fireTime }, ct);
        await tx.CommitAsync(ct);
        return audit.Id;
    }

    public static AuditRow NewAudit(TargetRow target, string trigger, string? idempotencyKey, AuditBudget budget, Guid? requestedBy) => new()
    {
        Id = Guid.NewGuid(), TargetId = target.Id, Status = "queued", Trigger = trigger, IdempotencyKey = idempotencyKey,
        ClaimedVariant = target.ClaimedVariant, Budget = JsonSerializer.Serialize(budget, Paging.Json), RequestedBy = requestedBy,
        CreatedAt = DateTimeOffset.UtcNow,
    };

    public async Task RunAsync(Guid auditId, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        if (!await ClaimAsync(db, auditId, ct)) return;
        var audit = await db.Audits.FirstAsync(a => a.Id == auditId, ct);
        var target = await db.Targets.AsNoTracking().FirstAsync(t => t.Id == audit.TargetId, ct);
        try
        {
            var result = await ExecuteAsync(audit, target, ct);
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            await AuditResults.SaveAsync(db, audit, result, ct);
            audit.Status = "completed";
            audit.Error = result.Error;
            audit.FinishedAt = DateTimeOffset.UtcNow;
            await db.SaveChangesAsync(ct);
            var v = result.Verdict;
            await AuditLogWriter.AppendAsync(db, null, "verdict.stored", "audit", auditId.ToString(), new { kind = v.Kind.ToString().ToLowerInvariant(), v.ClaimedVariant, v.MostLikely, v.ClaimPosterior }, ct);
            await AuditLogWriter.AppendAsync(db, null, "audit.completed", "audit", auditId.ToString(), new { node = settings.NodeId, requests = result.Cost.Requests }, ct);
            await tx.CommitAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            log.LogWarning("Audit {AuditId} failed: {Reason}", auditId, e.GetType().Name);
            db.ChangeTracker.Clear();
            await using var tx = await db.Database.BeginTransactionAsync(CancellationToken.None);
            await db.Audits.Where(a => a.Id == auditId).ExecuteUpdateAsync(s => s
                .SetProperty(a => a.Status, "failed").SetProperty(a => a.Error, e.Message).SetProperty(a => a.FinishedAt, DateTimeOffset.UtcNow), CancellationToken.None);
            await AuditLogWriter.AppendAsync(db, null, "audit.failed", "audit", auditId.ToString(), new { node = settings.NodeId, error = e.GetType().Name }, CancellationToken.None);
            await tx.CommitAsync(CancellationToken.None);
        }
    }

    private async Task<bool> ClaimAsync(VerifierDb db, Guid auditId, CancellationToken ct)
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var claimed = await db.Database.SqlQuery<int>($"""
            UPDATE audits SET status = 'running', node_id = {settings.NodeId}, attempts = attempts + 1,
                   started_at = COALESCE(started_at, now())
             WHERE id = {auditId} AND status IN ('queued', 'running')
            RETURNING attempts AS "Value"
            """).ToListAsync(ct);
        if (claimed.Count == 0) return false;
        await AuditLogWriter.AppendAsync(db, null, "audit.started", "audit", auditId.ToString(), new { node = settings.NodeId, attempt = claimed[0] }, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    private async Task<AuditResult> ExecuteAsync(AuditRow audit, TargetRow target, CancellationToken ct)
    {
        var budget = JsonSerializer.Deserialize<AuditBudget>(audit.Budget, Paging.Json) ?? AuditBudget.Default;
        var plan = ProbeSuite.Default.Plan(audit.ClaimedVariant, budget, Seeds.For(audit.Id));
        if (target.Kind == "onnx")
        {
            using var local = Verifier.Targets.Onnx.OnnxTarget.Open(target.Path!, audit.ClaimedVariant);
            return await AuditEngine.RunAsync(plan, local.ExecuteAsync, ProbeSuite.Score, null, ct);
        }
        var endpoint = new TargetEndpoint(new Uri(target.BaseUrl!), target.Model!, Dialects.Parse(target.Dialect ?? "vllm"),
            target.ApiKeyCipher is null ? null : settings.Secrets.Open(target.ApiKeyCipher));
        return await TargetAudit.RunAsync(plan, http.CreateClient("targets"), endpoint, ProbeSuite.Score, settings.TargetClient, cancellationToken: ct);
    }
}

public static class Budgets
{
    public static AuditBudget From(BudgetDto? dto) => new(
        dto?.MaxRequests ?? AuditBudget.Default.MaxRequests,
        dto?.MaxTokens ?? AuditBudget.Default.MaxTokens,
        dto?.MaxWallSeconds is { } s ? TimeSpan.FromSeconds(s) : AuditBudget.Default.MaxWallTime);
}

public static class Seeds
{
    /// <summary>The audit's probe seed, derived from its id so a re-run or a rescore regenerates the same instances.</summary>
    public static int For(Guid auditId) => BitConverter.ToInt32(auditId.ToByteArray(), 0) & int.MaxValue;
}
