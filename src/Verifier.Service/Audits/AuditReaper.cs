namespace Verifier.Service.Audits;

using Verifier.Core;
using Verifier.Core.AuditLog;
using Verifier.Core.Audits;
using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Verifier.Storage;

/// <summary>
/// The audits this node is running right now: their heartbeat is kept fresh, they are never reaped here, and a
/// cancellation asked for in the database reaches their run through <see cref="Run.StopRequested"/>.
/// </summary>
public sealed class ActiveAudits
{
    private readonly ConcurrentDictionary<Guid, CancellationTokenSource> running = new();

    public Run Track(Guid auditId)
    {
        var stop = new CancellationTokenSource();
        running[auditId] = stop;
        return new Run(stop, () => { running.TryRemove(auditId, out _); stop.Dispose(); });
    }

    public Guid[] Snapshot() => [.. running.Keys];

    /// <summary>Asks the run of this audit on this node (if any) to stop, keeping what it exchanged.</summary>
    public void RequestStop(Guid auditId)
    {
        if (running.TryGetValue(auditId, out var stop))
        {
            try { stop.Cancel(); }
            catch (ObjectDisposedException) { } // the run ended meanwhile
        }
    }

    public sealed class Run(CancellationTokenSource stop, Action untrack) : IDisposable
    {
        public CancellationToken StopRequested { get; } = stop.Token;

        public void Dispose() => untrack();
    }
}

/// <summary>What happens to an audit whose runner stopped heartbeating.</summary>
public static class AuditRecovery
{
    /// <summary>Cancelled when cancellation was asked for (never resurrected), else failed after the last attempt, else re-queued.</summary>
    public static AuditStatus Decide(int attempts, int maxAttempts, bool cancelRequested = false) =>
        cancelRequested ? AuditStatus.Cancelled : attempts >= maxAttempts ? AuditStatus.Failed : AuditStatus.Queued;
}

/// <summary>
/// Background work of every node, each heartbeat interval: refresh the heartbeat of the audits this node runs; take
/// back running audits whose heartbeat is stale (the owner died, or its job ended without saving anything) —
/// re-queued, or failed with an `audit.failed` entry after the last attempt; re-enqueue queued audits that have
/// waited longer than the stale time since they were last enqueued (their job was lost, or never enqueued). Several
/// nodes may reap at once: each change re-checks its condition in the UPDATE, so only one wins. A database outage
/// only skips ticks.
/// </summary>
public sealed class AuditReaper(IDbContextFactory<VerifierDb> dbs, VerifierSettings settings, ActiveAudits active, Scheduling scheduling, TimeProvider time, ILogger<AuditReaper> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(settings.Recovery.HeartbeatInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await TickAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                log.LogWarning("Audit heartbeat/reaper tick skipped: {Reason}", e.GetType().Name);
            }
        }
    }

    public async Task TickAsync(CancellationToken ct)
    {
        await using var db = await dbs.CreateDbContextAsync(ct);
        var mine = active.Snapshot();
        if (mine.Length > 0)
        {
            await db.Audits.Where(a => mine.Contains(a.Id) && a.NodeId == settings.NodeId && a.Status == AuditStatus.Running)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.HeartbeatAt, time.GetUtcNow()), ct);
            // cancellation asked for through the API (any node): the run stops within one heartbeat interval
            foreach (var id in await db.Audits.AsNoTracking().Where(a => mine.Contains(a.Id) && a.CancelRequestedAt != null).Select(a => a.Id).ToListAsync(ct))
                active.RequestStop(id);
        }

        var staleBefore = time.GetUtcNow() - settings.Recovery.StaleAfter;
        var stale = await db.Audits.AsNoTracking()
            .Where(a => a.Status == AuditStatus.Running && (a.HeartbeatAt == null || a.HeartbeatAt < staleBefore) && !mine.Contains(a.Id))
            .Select(a => new { a.Id, a.NodeId, a.Attempts, a.Trigger, CancelRequested = a.CancelRequestedAt != null }).ToListAsync(ct);
        foreach (var audit in stale)
        {
            var outcome = AuditRecovery.Decide(audit.Attempts, settings.Recovery.MaxAttempts, audit.CancelRequested);
            var reason = outcome == AuditStatus.Cancelled
                ? $"cancelled; runner on node {audit.NodeId} stopped heartbeating before it noticed"
                : $"runner on node {audit.NodeId} stopped heartbeating (attempt {audit.Attempts} of {settings.Recovery.MaxAttempts})";
            var taken = await db.InTransactionAsync(async token =>
            {
                var changed = await db.Audits
                    .Where(a => a.Id == audit.Id && a.Status == AuditStatus.Running && a.Attempts == audit.Attempts && (a.HeartbeatAt == null || a.HeartbeatAt < staleBefore)
                        && (a.CancelRequestedAt != null) == audit.CancelRequested)
                    .ExecuteUpdateAsync(s => s
                        .SetProperty(a => a.Status, outcome)
                        .SetProperty(a => a.Error, outcome == AuditStatus.Queued ? null : reason)
                        .SetProperty(a => a.FinishedAt, outcome == AuditStatus.Queued ? null : time.GetUtcNow())
                        .SetProperty(a => a.HeartbeatAt, time.GetUtcNow()), token); // re-queued now: not "waiting" below yet
                if (changed == 0) return false;
                var action = outcome switch { AuditStatus.Failed => AuditActions.AuditFailed, AuditStatus.Cancelled => AuditActions.AuditCancelled, _ => AuditActions.AuditRequeued };
                await AuditLogWriter.AppendAsync(db, null, action, "audit", audit.Id.ToString(),
                    new { node = settings.NodeId, reason }, token);
                return true;
            }, ct);
            if (!taken) continue;
            log.LogWarning("Audit {AuditId} {Outcome}: {Reason}", audit.Id, outcome, reason);
            if (outcome == AuditStatus.Failed) // counted like the runner's failures (verifier.audits.completed)
                AuditTelemetry.AuditsCompleted.Add(1, new("verdict", "none"), new("trigger", StoredNames.Of(audit.Trigger)), new("status", StoredNames.Of(outcome)));
            if (outcome == AuditStatus.Queued) scheduling.EnqueueAudit(audit.Id);
        }

        // A queued audit's heartbeat_at is when it was last enqueued: one node re-enqueues it once per stale period,
        // not every node on every tick (a duplicate delivery is harmless, the claim admits one, but useless).
        var waiting = await db.Audits.AsNoTracking().Where(a => a.Status == AuditStatus.Queued && (a.HeartbeatAt ?? a.CreatedAt) < staleBefore).Select(a => a.Id).ToListAsync(ct);
        foreach (var id in waiting)
        {
            var mineToEnqueue = await db.Audits.Where(a => a.Id == id && a.Status == AuditStatus.Queued && (a.HeartbeatAt ?? a.CreatedAt) < staleBefore)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.HeartbeatAt, time.GetUtcNow()), ct);
            if (mineToEnqueue > 0) scheduling.EnqueueAudit(id);
        }
    }
}
