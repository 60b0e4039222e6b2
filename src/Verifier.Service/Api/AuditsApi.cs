namespace Verifier.Service.Api;

using Verifier.Core;
using Verifier.Core.AuditLog;
using System.Security.Claims;
using System.Text.Json;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Verifier.Core.Audits;
using Verifier.Core.Reports;
using Verifier.Core.Sla;
using Verifier.Service.Alerts;
using Verifier.Service.Audits;
using Verifier.Service.Auth;
using Verifier.Service.Reports;
using Verifier.Storage;

public static class AuditsApi
{
    public static RouteGroupBuilder MapAudits(this RouteGroupBuilder api)
    {
        api.MapPost("/targets/{id}/audits", SpotCheck).WithTags("audits").RequireAuthorization(Policies.Audit)
            .WithName("StartSpotCheck").WithSummary("Start a spot-check audit of a target (Idempotency-Key repeats return the same audit)");
        api.MapGet("/targets/{id}/audits", History).WithTags("audits").WithName("ListTargetAudits").WithSummary("Audit history of a target, newest first");
        api.MapGet("/audits/{id}", Get).WithTags("audits").WithName("GetAudit").WithSummary("Status, verdict, posterior, evidence and cost of an audit");
        api.MapGet("/audits/{id}/report", Report).WithTags("audits").WithName("GetAuditReport").WithSummary("The report of a completed audit (json, md or html)")
            .Produces(StatusCodes.Status200OK, contentType: "application/json", additionalContentTypes: ["text/markdown", "text/html"])
            .ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    private static async Task<Results<Accepted<AuditDto>, NotFound, ValidationProblem>> SpotCheck(
        Guid id, [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey, HttpRequest request,
        VerifierDb db, Scheduling scheduling, IValidator<SpotCheckRequest> validator, ClaimsPrincipal user, TimeProvider time, ILogger<Scheduling> log, CancellationToken ct)
    {
        if (idempotencyKey is { Length: > 200 })
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["Idempotency-Key"] = ["must be at most 200 characters."] });
        var body = await ReadOptionalBodyAsync(request, validator, ct);
        if (body.Problem is not null) return body.Problem;

        var auditId = await RequestSpotCheckAsync(db, scheduling, id, idempotencyKey, body.Value?.Budget, user.KeyId(), time, log, ct);
        return auditId is null ? TypedResults.NotFound() : Accepted(await LoadDtoAsync(db, auditId.Value, ct));
    }

    /// <summary>
    /// A spot check of a target: the audit row and its audit-log entry in one transaction, then the job. The API and
    /// the dashboard's "Run spot check" both come here. Null when there is no such target; an idempotency key seen
    /// before (or racing in from another request) answers with the audit it created.
    /// </summary>
    public static async Task<Guid?> RequestSpotCheckAsync(VerifierDb db, Scheduling scheduling, Guid id, string? idempotencyKey, BudgetDto? budget,
        Guid? actor, TimeProvider time, ILogger log, CancellationToken ct)
    {
        var target = await db.Targets.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id && t.DeletedAt == null, ct);
        if (target is null) return null;
        var key = idempotencyKey is null ? null : "spot:" + idempotencyKey;
        if (key is not null && await db.Audits.AsNoTracking().FirstOrDefaultAsync(a => a.TargetId == id && a.IdempotencyKey == key, ct) is { } again)
            return again.Id;

        var audit = AuditRunner.NewAudit(target, AuditTrigger.Spot, key, Budgets.From(budget), actor, time.GetUtcNow());
        try
        {
            await db.InTransactionAsync(async token =>
            {
                db.Audits.Add(audit);
                await db.SaveChangesAsync(token);
                await AuditLogWriter.AppendAsync(db, actor, AuditActions.AuditRequested, "audit", audit.Id.ToString(), new { targetId = id, trigger = "spot", idempotencyKey }, token);
            }, ct);
        }
        catch (DbUpdateException e) when (e.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
        {
            // the same key raced in from another request: answer with the audit that won (its transaction is over, this one rolled back)
            db.ChangeTracker.Clear();
            return (await db.Audits.AsNoTracking().FirstAsync(a => a.TargetId == id && a.IdempotencyKey == key, ct)).Id;
        }
        Enqueue(scheduling, audit.Id, log);
        return audit.Id;
    }

    /// <summary>
    /// After the commit, so a fast worker never looks for an audit not yet visible. The audit is stored either way: if
    /// the job cannot be enqueued now, the reaper enqueues it once it has waited the stale time.
    /// </summary>
    private static void Enqueue(Scheduling scheduling, Guid auditId, ILogger log)
    {
        try
        {
            scheduling.EnqueueAudit(auditId);
        }
        catch (Exception e)
        {
            log.LogWarning("Audit {AuditId} stored but not enqueued ({Reason}); the reaper will enqueue it", auditId, e.GetType().Name);
        }
    }

    private static Accepted<AuditDto> Accepted(AuditDto? dto) => TypedResults.Accepted($"/api/v1/audits/{dto!.Id}", dto);

    private static async Task<(SpotCheckRequest? Value, ValidationProblem? Problem)> ReadOptionalBodyAsync(HttpRequest request, IValidator<SpotCheckRequest> validator, CancellationToken ct)
    {
        if (request.ContentLength is 0 or null && request.Headers.TransferEncoding.Count == 0) return (null, null);
        SpotCheckRequest? body;
        try
        {
            body = await request.ReadFromJsonAsync<SpotCheckRequest>(ct);
        }
        catch (JsonException e)
        {
            return (null, TypedResults.ValidationProblem(new Dictionary<string, string[]> { [string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "body" : e.Path.TrimStart('$', '.')] = ["Invalid JSON."] }));
        }
        if (body is null) return (null, null);
        var result = await validator.ValidateAsync(body, ct);
        return result.IsValid ? (body, null) : (null, ValidationExtensions.Problem(result));
    }

    private static async Task<Results<Ok<AuditDto>, NotFound, ValidationProblem>> Get(Guid id, VerifierDb db, CancellationToken ct)
    {
        return await LoadDtoAsync(db, id, ct) is { } dto ? TypedResults.Ok(dto) : TypedResults.NotFound();
    }

    private static async Task<Results<Ok<PageDto<AuditSummaryDto>>, NotFound, ValidationProblem>> History(Guid id, int? page, int? pageSize, VerifierDb db, CancellationToken ct)
    {
        if (Paging.Problem(page, pageSize) is { } paging) return paging;
        if (!await db.Targets.AnyAsync(t => t.Id == id, ct)) return TypedResults.NotFound();
        var (p, size) = Paging.Normalize(page, pageSize);
        var query = from a in db.Audits.AsNoTracking().Where(a => a.TargetId == id)
                    join v in db.Verdicts.AsNoTracking() on a.Id equals v.AuditId into vs
                    from v in vs.DefaultIfEmpty()
                    orderby a.CreatedAt descending
                    select new AuditSummaryDto(a.Id, StoredNames.Of(a.Status), StoredNames.Of(a.Trigger), a.CreatedAt, a.FinishedAt, v == null ? null : v.Kind, v == null ? null : v.MostLikely);
        var items = await query.Skip((p - 1) * size).Take(size).ToListAsync(ct);
        return TypedResults.Ok(new PageDto<AuditSummaryDto>(items, p, size, await db.Audits.CountAsync(a => a.TargetId == id, ct)));
    }

    /// <summary>The report of a completed audit as json, md or html; the API and the dashboard's downloads both answer with it.</summary>
    public static async Task<IResult> Report(Guid id, string? format, VerifierDb db, TimeProvider time, CancellationToken ct)
    {
        if (format is not (null or "json" or "md" or "html"))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["format"] = ["must be json, md or html."] });
        var audit = await db.Audits.AsNoTracking().FirstOrDefaultAsync(a => a.Id == id, ct);
        if (audit is null) return TypedResults.NotFound();
        var result = await AuditResults.LoadAsync(db, id, ct);
        if (result is null) return TypedResults.Problem(statusCode: 409, title: $"Audit is {StoredNames.Of(audit.Status)}; a report exists once it has completed.");
        var target = await db.Targets.AsNoTracking().FirstAsync(t => t.Id == audit.TargetId, ct);
        var context = await ReportContextAsync(db, audit, target, time, ct);
        return format switch
        {
            "md" => TypedResults.Text(AuditReports.ToMarkdown(result, context), "text/markdown; charset=utf-8"),
            "html" => TypedResults.Text(await ReportHtml.RenderAsync(result, context), "text/html; charset=utf-8"),
            _ => TypedResults.Text(AuditReports.ToJson(result, context), "application/json; charset=utf-8"),
        };
    }

    /// <summary>What the report prints besides the result: target, dates, the `verdict.stored` entry, retention.</summary>
    private static async Task<ReportContext> ReportContextAsync(VerifierDb db, AuditRow audit, TargetRow target, TimeProvider time, CancellationToken ct)
    {
        var entityId = audit.Id.ToString();
        var anchor = await db.AuditLog.AsNoTracking().Where(e => e.Action == AuditActions.VerdictStored && e.EntityId == entityId)
            .OrderByDescending(e => e.Seq).FirstOrDefaultAsync(ct);
        string? digest = null;
        if (anchor is not null)
        {
            using var data = JsonDocument.Parse(anchor.Data);
            digest = data.RootElement.TryGetProperty(VerdictDigests.DataField, out var d) ? d.GetString() : null;
        }
        var pruned = await db.Exchanges.AsNoTracking().Where(e => e.AuditId == audit.Id).MaxAsync(e => e.BodiesPrunedAt, ct);
        // windows end at the audit's finish, not now: the same audit reports the same figures whenever it is downloaded
        var windows = new List<TargetWindow>();
        if (audit.FinishedAt is { } finished)
            foreach (var (name, span) in SlaWindows.ByName)
                windows.Add(new TargetWindow(name, await SlaQueries.TargetFiguresAsync(db, audit.TargetId, span, finished, ct)));
        return new ReportContext(audit.Id.ToString(), target.Name, audit.FinishedAt ?? time.GetUtcNow())
        {
            Claim = audit.ClaimedVariant, Endpoint = target.BaseUrl ?? target.Path, Model = target.Model,
            RequestedAt = audit.CreatedAt, StartedAt = audit.StartedAt, FinishedAt = audit.FinishedAt,
            Anchor = anchor is null ? null : new LogAnchor(anchor.Seq, Convert.ToHexStringLower(anchor.Hash), digest),
            BodiesPrunedAt = pruned, SlaWindows = windows,
        };
    }

    internal static async Task<AuditDto?> LoadDtoAsync(VerifierDb db, Guid id, CancellationToken ct)
    {
        var a = await db.Audits.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct);
        if (a is null) return null;
        var v = await db.Verdicts.AsNoTracking().FirstOrDefaultAsync(x => x.AuditId == id, ct);
        var evidence = await db.Evidence.AsNoTracking().Where(e => e.AuditId == id).OrderBy(e => e.Ordinal).ToListAsync(ct);
        VerdictDto? verdict = null;
        if (v is not null)
        {
            var posterior = JsonSerializer.Deserialize<List<HypothesisScore>>(v.Posterior, StoredJson.Options) ?? [];
            verdict = new VerdictDto(v.Kind, v.ClaimedVariant, v.MostLikely, v.ClaimPosterior, v.DesignedFalseAccusationRate, v.Summary,
                posterior.OrderByDescending(h => h.Posterior).Take(10).Select(h => new PosteriorDto(h.Hypothesis, h.Posterior)).ToList());
        }
        return new AuditDto(a.Id, a.TargetId, StoredNames.Of(a.Status), StoredNames.Of(a.Trigger), a.ClaimedVariant, a.CreatedAt, a.StartedAt, a.FinishedAt, a.Error,
            a.SuiteVersion, a.SuiteHash, new CostDto(a.Requests, a.PromptTokens, a.CompletionTokens, a.WallMs), verdict,
            evidence.Select(e => new EvidenceDto(e.ProbeId, e.Category, e.Tier, e.OutcomeKey, e.Observed, e.Weighing, e.ExchangeSeqs)).ToList())
        { CancelRequestedAt = a.CancelRequestedAt };
    }
}
