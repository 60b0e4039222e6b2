namespace Verifier.Service.Api;

using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Verifier.Core;
using Verifier.Core.AuditLog;
using Verifier.Service.Audits;
using Verifier.Service.Auth;
using Verifier.Storage;

public static class AuditCancellationApi
{
    public static RouteGroupBuilder MapAuditCancellation(this RouteGroupBuilder api)
    {
        api.MapPost("/audits/{id}/cancel", Cancel).WithTags("audits").RequireAuthorization(Policies.Audit)
            .WithName("CancelAudit")
            .WithSummary("Cancel an audit: a queued one at once (200), a running one is asked to stop (202; its node ends it within a heartbeat, keeping its exchanges, without a verdict); 409 once it has ended.");
        return api;
    }

    private static async Task<Results<Ok<AuditDto>, Accepted<AuditDto>, NotFound, ProblemHttpResult, ValidationProblem>> Cancel(
        Guid id, VerifierDb db, ClaimsPrincipal user, TimeProvider time, CancellationToken ct)
    {
        var decision = await db.InTransactionAsync<CancelDecision?>(async token =>
        {
            var audit = await db.Audits.FromSql($"SELECT * FROM audits WHERE id = {id} FOR UPDATE").SingleOrDefaultAsync(token);
            if (audit is null) return null;
            var decision = AuditCancellation.Decide(audit.Status, audit.CancelRequestedAt is not null);
            if (decision is not (CancelDecision.CancelNow or CancelDecision.AskRunner)) return decision;
            var now = time.GetUtcNow();
            var was = StoredNames.Of(audit.Status);
            audit.CancelRequestedAt = now;
            if (decision == CancelDecision.CancelNow)
            {
                audit.Status = AuditStatus.Cancelled;
                audit.FinishedAt = now;
                audit.Error = "cancelled before it started";
            }
            await db.SaveChangesAsync(token);
            await AuditLogWriter.AppendAsync(db, user.KeyId(), AuditActions.AuditCancelRequested, "audit", id.ToString(), new { was }, token);
            if (decision == CancelDecision.CancelNow)
                await AuditLogWriter.AppendAsync(db, user.KeyId(), AuditActions.AuditCancelled, "audit", id.ToString(), new { reason = "cancelled before it started" }, token);
            return decision;
        }, ct);
        if (decision is null) return TypedResults.NotFound();
        var dto = (await AuditsApi.LoadDtoAsync(db, id, ct))!;
        return decision switch
        {
            CancelDecision.AlreadyEnded => TypedResults.Problem(statusCode: 409, title: $"Audit already ended ({dto.Status}); there is nothing to cancel."),
            CancelDecision.AskRunner or CancelDecision.AlreadyAsked => TypedResults.Accepted($"/api/v1/audits/{id}", dto),
            _ => TypedResults.Ok(dto),
        };
    }
}
