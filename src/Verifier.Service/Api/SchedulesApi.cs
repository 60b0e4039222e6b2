namespace Verifier.Service.Api;

using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Verifier.Service.Audits;
using Verifier.Service.Auth;
using Verifier.Storage;

public static class SchedulesApi
{
    public static RouteGroupBuilder MapSchedules(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("/targets/{id}/schedule").WithTags("schedules").RequireAuthorization(Policies.Admin);
        g.MapPut("/", Put).Validate<ScheduleRequest>();
        g.MapDelete("/", Delete);
        return api;
    }

    private static async Task<Results<Ok<ScheduleDto>, NotFound, ValidationProblem>> Put(string id, ScheduleRequest body, VerifierDb db, Scheduling scheduling, ClaimsPrincipal user, CancellationToken ct)
    {
        if (!ValidationExtensions.TryId(id, out var guid, out var problem)) return (ValidationProblem)problem!;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (!await db.Targets.AnyAsync(t => t.Id == guid && t.DeletedAt == null, ct)) return TypedResults.NotFound();
        var now = DateTimeOffset.UtcNow;
        var row = await db.Schedules.FirstOrDefaultAsync(s => s.TargetId == guid, ct);
        if (row is null) db.Schedules.Add(row = new ScheduleRow { TargetId = guid, CreatedAt = now });
        row.Cron = body.Cron!;
        row.Suite = body.Suite;
        row.Budget = body.Budget is null ? null : JsonSerializer.Serialize(body.Budget, Paging.Json);
        row.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        await AuditLogWriter.AppendAsync(db, user.KeyId(), "schedule.set", "target", id, new { row.Cron, row.Suite, budget = body.Budget }, ct);
        await scheduling.ScheduleTargetAsync(guid, row.Cron, ct); // before commit: a failure rolls the row back too
        await tx.CommitAsync(ct);
        return TypedResults.Ok(new ScheduleDto(row.Cron, row.Suite, body.Budget, await scheduling.NextFireAsync(guid, ct)));
    }

    private static async Task<Results<NoContent, NotFound, ValidationProblem>> Delete(string id, VerifierDb db, Scheduling scheduling, ClaimsPrincipal user, CancellationToken ct)
    {
        if (!ValidationExtensions.TryId(id, out var guid, out var problem)) return (ValidationProblem)problem!;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var row = await db.Schedules.FirstOrDefaultAsync(s => s.TargetId == guid, ct);
        if (row is null) return TypedResults.NotFound();
        db.Schedules.Remove(row);
        await db.SaveChangesAsync(ct);
        await AuditLogWriter.AppendAsync(db, user.KeyId(), "schedule.removed", "target", id, new { row.Cron }, ct);
        await scheduling.UnscheduleAsync(guid, ct);
        await tx.CommitAsync(ct);
        return TypedResults.NoContent();
    }
}
