namespace Verifier.Service.Audits;

using Verifier.Core;
using Verifier.Core.AuditLog;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Verifier.Core.Audits;
using Verifier.Storage;
using Verifier.Core.Probes.Suite;
using Verifier.Targets.Http;

/// <summary>
/// Loads an audit, claims it for this node, runs it against its target, stores the result. Claiming is one UPDATE
/// that only succeeds for a queued audit or a running one whose heartbeat is stale (its runner is gone) with attempts
/// to spare, so a completed audit is never run twice and a re-delivered job never exceeds MaxAttempts. While it runs,
/// <see cref="AuditReaper"/> keeps its heartbeat fresh. Saving is fenced on (node, attempt): a runner that lost its
/// claim cannot overwrite the new owner's result. RunAsync never throws: when neither the result nor the failure can
/// be saved (database gone past the retries), the heartbeat stops and the reaper re-queues or fails the audit, so
/// every audit ends in a terminal state.
/// </summary>
public sealed class AuditRunner(IDbContextFactory<VerifierDb> dbs, VerifierSettings settings, ActiveAudits active, IHttpMessageHandlerFactory handlers, TimeProvider time, ILogger<AuditRunner> log)
{
    public async Task<Guid?> CreateScheduledAsync(Guid targetId, DateTimeOffset fireTime, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var target = await db.Targets.AsNoTracking().FirstOrDefaultAsync(t => t.Id == targetId && t.DeletedAt == null, ct);
        if (target is null) return null;
        var schedule = await db.Schedules.AsNoTracking().FirstOrDefaultAsync(s => s.TargetId == targetId, ct);
        if (schedule is null) return null; // a recurring job outliving its schedule row (removal not committed) fires nothing
        var key = "schedule:" + fireTime.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        var existing = await db.Audits.AsNoTracking().FirstOrDefaultAsync(a => a.TargetId == targetId && a.IdempotencyKey == key, ct);
        if (existing is not null) return existing.Id;
        var budget = Budgets.From(schedule?.Budget is null ? null : JsonSerializer.Deserialize<BudgetDto>(schedule.Budget, StoredJson.Options));
        var audit = NewAudit(target, AuditTrigger.Schedule, key, budget, null, time.GetUtcNow());
        try
        {
            await db.InTransactionAsync(async token =>
            {
                db.Audits.Add(audit);
                await db.SaveChangesAsync(token);
                await AuditLogWriter.AppendAsync(db, null, AuditActions.AuditRequested, "audit", audit.Id.ToString(), new { targetId, trigger = "schedule", fireTime }, token);
            }, ct);
            return audit.Id;
        }
        catch (DbUpdateException e) when (e.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
        {
            db.ChangeTracker.Clear(); // another node created this fire's audit first
            return (await db.Audits.AsNoTracking().FirstAsync(a => a.TargetId == targetId && a.IdempotencyKey == key, ct)).Id;
        }
    }

    public static AuditRow NewAudit(TargetRow target, AuditTrigger trigger, string? idempotencyKey, AuditBudget budget, Guid? requestedBy, DateTimeOffset now) => new()
    {
        Id = Guid.NewGuid(), TargetId = target.Id, Status = AuditStatus.Queued, Trigger = trigger, IdempotencyKey = idempotencyKey,
        ClaimedVariant = target.ClaimedVariant, Budget = JsonSerializer.Serialize(budget, StoredJson.Options), RequestedBy = requestedBy,
        CreatedAt = now,
    };

    public async Task RunAsync(Guid auditId, CancellationToken ct)
    {
        // Every line logged while this audit runs carries its id (JSON console logs with IncludeScopes show it); TargetId is added once loaded.
        using var scope = log.BeginScope("AuditId:{AuditId}", auditId);
        try
        {
            await RunOnceAsync(auditId, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            log.LogInformation("Audit {AuditId} interrupted by shutdown; another node or the reaper takes it over", auditId);
        }
        catch (Exception e)
        {
            log.LogError("Audit {AuditId}: neither its result nor its failure could be saved ({Reason}); the reaper will take it back", auditId, e.GetType().Name);
        }
    }

    private async Task RunOnceAsync(Guid auditId, CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var attempt = await ClaimAsync(db, auditId, ct);
        if (attempt is null) return;
        using var alive = active.Track(auditId);
        using var span = AuditTelemetry.Source.StartActivity("audit");
        span?.SetTag("verifier.audit.id", auditId.ToString());
        span?.SetTag("verifier.audit.attempt", attempt.Value);
        var started = time.GetTimestamp();
        var audit = await db.Audits.AsNoTracking().FirstAsync(a => a.Id == auditId, ct);
        span?.SetTag("verifier.target.id", audit.TargetId.ToString());
        span?.SetTag("verifier.audit.trigger", StoredNames.Of(audit.Trigger));
        using var targetScope = log.BeginScope("TargetId:{TargetId}", audit.TargetId);
        AuditResult result;
        try
        {
            var target = await db.Targets.AsNoTracking().FirstAsync(t => t.Id == audit.TargetId, ct);
            result = await ExecuteAsync(audit, target, alive.StopRequested, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            if (await FailAsync(db, audit, attempt.Value, e)) Finished(span, audit, AuditStatus.Failed, null, started);
            return;
        }
        try
        {
            // A finished result is worth a few seconds of shutdown: saved without the job's token, retried on transient errors.
            var saved = await db.InTransactionAsync(async token =>
            {
                var audit = await LockOwnedAsync(db, auditId, attempt.Value, token);
                if (audit is null) return false;
                if (result.StopReason == AuditEngine.CancelledStop) await AuditResults.CancelAsync(db, audit, result, settings.NodeId, token);
                else await AuditResults.CompleteAsync(db, audit, result, settings.NodeId, token);
                return true;
            }, CancellationToken.None);
            if (!saved) log.LogWarning("Audit {AuditId} attempt {Attempt} lost its claim; its result is discarded", auditId, attempt);
            else
            {
                log.LogInformation("Audit {AuditId} completed: {Verdict} after {Requests} requests ({StopReason})", auditId, StoredNames.Of(result.Verdict.Kind), result.Cost.Requests, result.StopReason);
                Finished(span, audit, AuditStatus.Completed, result.Verdict.Kind, started);
            }
        }
        catch (Exception e) when (!IsTransient(e))
        {
            // the result itself cannot be stored (not an outage): record why
            if (await FailAsync(db, audit, attempt.Value, e)) Finished(span, audit, AuditStatus.Failed, null, started);
        }
    }

    /// <summary>The audit's terminal state as span tags and metrics (only once it is stored, so counts match the database).</summary>
    private void Finished(System.Diagnostics.Activity? span, AuditRow audit, AuditStatus status, VerdictKind? verdict, long started)
    {
        var tags = new System.Diagnostics.TagList
        {
            { "verdict", verdict is { } kind ? StoredNames.Of(kind) : "none" },
            { "trigger", StoredNames.Of(audit.Trigger) },
            { "status", StoredNames.Of(status) },
        };
        AuditTelemetry.AuditsCompleted.Add(1, tags);
        AuditTelemetry.AuditDuration.Record(time.GetElapsedTime(started).TotalSeconds, tags);
        span?.SetTag("verifier.audit.status", StoredNames.Of(status));
        span?.SetTag("verifier.audit.verdict", verdict is { } v ? StoredNames.Of(v) : "none");
        if (status == AuditStatus.Failed) span?.SetStatus(System.Diagnostics.ActivityStatusCode.Error);
    }

    /// <summary>An outage (retries exhausted, connection lost, timeout) rather than something wrong with the data.</summary>
    private static bool IsTransient(Exception e) =>
        e is Npgsql.NpgsqlException { IsTransient: true } or Microsoft.EntityFrameworkCore.Storage.RetryLimitExceededException or TimeoutException
        || (e.InnerException is { } inner && IsTransient(inner));

    /// <summary>Records the failure; false when this attempt no longer owns the audit.</summary>
    private async Task<bool> FailAsync(VerifierDb db, AuditRow row, int attempt, Exception e)
    {
        log.LogWarning("Audit {AuditId} failed: {Reason}", row.Id, e.GetType().Name);
        return await db.InTransactionAsync(async token =>
        {
            var audit = await LockOwnedAsync(db, row.Id, attempt, token);
            if (audit is null) return false;
            audit.Status = AuditStatus.Failed;
            audit.Error = e.Message;
            audit.FinishedAt = time.GetUtcNow();
            await db.SaveChangesAsync(token);
            await AuditLogWriter.AppendAsync(db, null, AuditActions.AuditFailed, "audit", row.Id.ToString(), new { node = settings.NodeId, error = e.GetType().Name }, token);
            return true;
        }, CancellationToken.None);
    }

    /// <summary>The audit row, locked, when this node's attempt still owns it; null when another runner or the reaper took it.</summary>
    private async Task<AuditRow?> LockOwnedAsync(VerifierDb db, Guid auditId, int attempt, CancellationToken ct)
    {
        var audit = await db.Audits.FromSql($"SELECT * FROM audits WHERE id = {auditId} FOR UPDATE").SingleAsync(ct);
        return audit.Status == AuditStatus.Running && audit.NodeId == settings.NodeId && audit.Attempts == attempt ? audit : null;
    }

    private async Task<int?> ClaimAsync(VerifierDb db, Guid auditId, CancellationToken ct)
    {
        var staleSeconds = settings.Recovery.StaleAfter.TotalSeconds;
        return await db.InTransactionAsync<int?>(async token =>
        {
            var claimed = await db.Database.SqlQuery<int>($"""
                UPDATE audits SET status = 'running', node_id = {settings.NodeId}, attempts = attempts + 1,
                       started_at = COALESCE(started_at, now()), heartbeat_at = now()
                 WHERE id = {auditId}
                   AND cancel_requested_at IS NULL
                   AND (status = 'queued' OR (status = 'running' AND attempts < {settings.Recovery.MaxAttempts}
                        AND (heartbeat_at IS NULL OR heartbeat_at < now() - make_interval(secs => {staleSeconds}))))
                RETURNING attempts AS "Value"
                """).ToListAsync(token);
            if (claimed.Count == 0) return null;
            await AuditLogWriter.AppendAsync(db, null, AuditActions.AuditStarted, "audit", auditId.ToString(), new { node = settings.NodeId, attempt = claimed[0] }, token);
            return claimed[0];
        }, ct);
    }

    private async Task<AuditResult> ExecuteAsync(AuditRow audit, TargetRow target, CancellationToken stopRequested, CancellationToken ct)
    {
        var budget = JsonSerializer.Deserialize<AuditBudget>(audit.Budget, StoredJson.Options) ?? AuditBudget.Default;
        var plan = ProbeSuite.Default.Plan(audit.ClaimedVariant, budget, Seeds.For(audit.Id)) with { StopRequested = stopRequested };
        var runtime = new TargetRuntime(handlers.CreateHandler("targets"), settings.TargetClient, settings.OnnxDevice,
            warning => log.LogWarning("Audit {AuditId}: {Warning}", audit.Id, warning));
        using var executor = TargetExecutors.Open(TargetSpec.From(target, settings.Secrets), audit.ClaimedVariant, runtime);
        return await executor.RunAsync(plan, ct);
    }
}

public static class Seeds
{
    /// <summary>The audit's probe seed, derived from its id so a re-run or a rescore regenerates the same instances.</summary>
    public static int For(Guid auditId) => BitConverter.ToInt32(auditId.ToByteArray(), 0) & int.MaxValue;
}
