namespace Verifier.Storage;

using Verifier.Core.AuditLog;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Verifier.Core.Audits;
using Verifier.Core.Quality;
using Verifier.Core.Exchanges;

/// <summary>Stores an audit's outcome (raw exchanges, evidence, verdict, cost) and loads it back for rescoring and reports.</summary>
public static class AuditResults
{

    /// <summary>Saves everything in the caller's transaction, replacing partial rows a crashed earlier attempt may have left.</summary>
    public static async Task SaveAsync(VerifierDb db, AuditRow audit, AuditResult result, CancellationToken ct = default)
    {
        await db.Exchanges.Where(o => o.AuditId == audit.Id).ExecuteDeleteAsync(ct);
        await db.Evidence.Where(o => o.AuditId == audit.Id).ExecuteDeleteAsync(ct);
        await db.Verdicts.Where(o => o.AuditId == audit.Id).ExecuteDeleteAsync(ct);
        db.Exchanges.AddRange(result.Exchanges.Select(e => ToRow(audit.Id, e)));
        db.Evidence.AddRange(result.Evidence.Select((e, i) => new EvidenceRow
        {
            AuditId = audit.Id, Ordinal = i, ProbeId = e.ProbeId, Category = e.Category, Tier = e.Tier, OutcomeKey = e.OutcomeKey,
            Weighing = e.Weighing, Observed = e.Observed, ExchangeSeqs = [.. e.ExchangeSequences],
            LogLikelihoods = JsonSerializer.Serialize(e.LogLikelihoods.ToDictionary(kv => kv.Key, kv => double.IsFinite(kv.Value) ? kv.Value : -1e300), StoredJson.Options),
        }));
        var v = result.Verdict;
        db.Verdicts.Add(new VerdictRow
        {
            AuditId = audit.Id, Kind = v.Kind.ToString().ToLowerInvariant(), ClaimedVariant = v.ClaimedVariant, MostLikely = v.MostLikely,
            ClaimPosterior = v.ClaimPosterior, Posterior = JsonSerializer.Serialize(v.Posterior, StoredJson.Options),
            DesignedFalseAccusationRate = v.DesignedFalseAccusationRate, Summary = v.Summary,
            Result = JsonSerializer.Serialize(new StoredResult(v, result.Probes, result.ReferenceRunsUsed, result.StopReason, result.DecidedAfterRequests, result.Quality, result.Error), StoredJson.Options),
            CreatedAt = DateTimeOffset.UtcNow,
        });
        audit.SuiteVersion = result.SuiteVersion;
        audit.SuiteHash = result.SuiteHash;
        audit.Requests = result.Cost.Requests;
        audit.PromptTokens = result.Cost.PromptTokens;
        audit.CompletionTokens = result.Cost.CompletionTokens;
        audit.WallMs = (long)result.Cost.WallTime.TotalMilliseconds;
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Stores the result, marks the audit completed and appends `verdict.stored` (with the digest that binds the stored
    /// verdict and evidence into the log) and `audit.completed`, all in the caller's transaction.
    /// </summary>
    public static async Task CompleteAsync(VerifierDb db, AuditRow audit, AuditResult result, string node, CancellationToken ct = default)
    {
        await SaveAsync(db, audit, result, ct);
        audit.Status = AuditStatus.Completed;
        audit.FinishedAt = DateTimeOffset.UtcNow;
        audit.Error = result.Error; // "every request failed: ..." when nothing was delivered
        await db.SaveChangesAsync(ct);
        var v = result.Verdict;
        var digest = await VerdictDigests.ComputeAsync(db, audit.Id, ct);
        await AuditLogWriter.AppendAsync(db, null, AuditActions.VerdictStored, "audit", audit.Id.ToString(),
            new Dictionary<string, object?> { ["kind"] = v.Kind.ToString().ToLowerInvariant(), ["claimedVariant"] = v.ClaimedVariant, ["mostLikely"] = v.MostLikely, ["claimPosterior"] = v.ClaimPosterior, [VerdictDigests.DataField] = digest }, ct);
        await AuditLogWriter.AppendAsync(db, null, AuditActions.AuditCompleted, "audit", audit.Id.ToString(), new { node, requests = result.Cost.Requests }, ct);
    }

    /// <summary>
    /// Ends a running audit that was cancelled: the exchanges made before it stopped are kept (with the cost they had),
    /// no evidence and no verdict are stored; status `cancelled` and an `audit.cancelled` entry, in the caller's transaction.
    /// </summary>
    public static async Task CancelAsync(VerifierDb db, AuditRow audit, AuditResult partial, string node, CancellationToken ct = default)
    {
        await db.Exchanges.Where(o => o.AuditId == audit.Id).ExecuteDeleteAsync(ct);
        db.Exchanges.AddRange(partial.Exchanges.Select(e => ToRow(audit.Id, e)));
        audit.SuiteVersion = partial.SuiteVersion;
        audit.SuiteHash = partial.SuiteHash;
        audit.Requests = partial.Cost.Requests;
        audit.PromptTokens = partial.Cost.PromptTokens;
        audit.CompletionTokens = partial.Cost.CompletionTokens;
        audit.WallMs = (long)partial.Cost.WallTime.TotalMilliseconds;
        audit.Status = AuditStatus.Cancelled;
        audit.FinishedAt = DateTimeOffset.UtcNow;
        audit.Error = $"cancelled while running, after {partial.Cost.Requests} requests; no verdict";
        await db.SaveChangesAsync(ct);
        await AuditLogWriter.AppendAsync(db, null, AuditActions.AuditCancelled, "audit", audit.Id.ToString(), new { node, requests = partial.Cost.Requests }, ct);
    }

    /// <summary>Rebuilds the stored AuditResult (exchanges byte for byte, evidence, verdict, probes) of a completed audit.</summary>
    public static async Task<AuditResult?> LoadAsync(VerifierDb db, Guid auditId, CancellationToken ct = default)
    {
        var audit = await db.Audits.AsNoTracking().FirstOrDefaultAsync(a => a.Id == auditId, ct);
        var verdict = await db.Verdicts.AsNoTracking().FirstOrDefaultAsync(v => v.AuditId == auditId, ct);
        if (audit is null || verdict is null) return null;
        var stored = JsonSerializer.Deserialize<StoredResult>(verdict.Result, StoredJson.Options)!;
        var exchanges = await db.Exchanges.AsNoTracking().Where(o => o.AuditId == auditId).OrderBy(o => o.Seq).ToListAsync(ct);
        var evidence = await db.Evidence.AsNoTracking().Where(o => o.AuditId == auditId).OrderBy(o => o.Ordinal).ToListAsync(ct);
        return new AuditResult(
            stored.Verdict,
            exchanges.Select(FromRow).ToList(),
            evidence.Select(e => new EvidenceItem(e.ProbeId, e.Category, e.ExchangeSeqs, e.Observed,
                JsonSerializer.Deserialize<Dictionary<string, double>>(e.LogLikelihoods, StoredJson.Options)!)
            { Tier = e.Tier, OutcomeKey = e.OutcomeKey, Weighing = e.Weighing }).ToList(),
            new AuditCost(audit.Requests, audit.PromptTokens, audit.CompletionTokens, TimeSpan.FromMilliseconds(audit.WallMs)),
            audit.SuiteVersion ?? "", audit.SuiteHash ?? "")
        {
            Probes = stored.Probes, ReferenceRunsUsed = stored.ReferenceRunsUsed, StopReason = stored.StopReason, DecidedAfterRequests = stored.DecidedAfterRequests, Quality = stored.Quality, Error = stored.Error,
        };
    }

    private static ExchangeRow ToRow(Guid auditId, Exchange e) => new()
    {
        AuditId = auditId, Seq = e.Sequence, ProbeId = e.ProbeId, Attempt = e.Attempt, Method = e.Method, Url = e.Url,
        RequestHeaders = JsonSerializer.Serialize(e.RequestHeaders), RequestBody = e.RequestBody, StatusCode = e.StatusCode,
        ResponseHeaders = JsonSerializer.Serialize(e.ResponseHeaders), ResponseBody = e.ResponseBody, Outcome = e.Outcome.ToString(),
        Error = e.Error, StartedAt = e.StartedAt, DurationMs = e.Duration.TotalMilliseconds, TtftMs = e.TimeToFirstToken?.TotalMilliseconds,
        PromptTokens = e.Usage?.PromptTokens, CompletionTokens = e.Usage?.CompletionTokens, ReasoningTokens = e.Usage?.ReasoningTokens,
    };

    private static Exchange FromRow(ExchangeRow o) => new(
        o.Seq, o.ProbeId, o.Method, o.Url,
        JsonSerializer.Deserialize<Dictionary<string, string>>(o.RequestHeaders)!, o.RequestBody, o.StatusCode,
        JsonSerializer.Deserialize<Dictionary<string, string>>(o.ResponseHeaders)!, o.ResponseBody,
        Enum.Parse<ExchangeOutcome>(o.Outcome), o.Error, o.StartedAt, TimeSpan.FromMilliseconds(o.DurationMs),
        o.TtftMs is { } t ? TimeSpan.FromMilliseconds(t) : null,
        o.PromptTokens is null && o.CompletionTokens is null ? null : new TokenUsage(o.PromptTokens, o.CompletionTokens, o.ReasoningTokens),
        o.Attempt);

    private sealed record StoredResult(Verdict Verdict, IReadOnlyList<ProbeRecord> Probes, IReadOnlyList<string> ReferenceRunsUsed, string? StopReason, int? DecidedAfterRequests, ServiceQuality? Quality = null, string? Error = null);
}
