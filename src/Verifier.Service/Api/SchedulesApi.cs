namespace Verifier.Service.Api;

using Verifier.Core.AuditLog;
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

    private static async Task<Results<Ok<ScheduleDto>, NotFound, ValidationProblem>> Put(string id, ScheduleRequest body, VerifierDb db, Scheduling scheduling, ClaimsPrincipal user, TimeProvider time, CancellationToken ct)
    {
        if (!ValidationExtensions.TryId(id, out var guid, out var problem)) return (ValidationProblem)problem!;
        var row = await db.InTransactionAsync(async token =>
        {
            if (!await db.Targets.AnyAsync(t => t.Id == guid && t.DeletedAt == null, token)) return null;
            var now = time.GetUtcNow();
            var row = await db.Schedules.FirstOrDefaultAsync(s => s.TargetId == guid, token);
            if (row is null) db.Schedules.Add(row = new ScheduleRow { TargetId = guid, CreatedAt = now });
            row.Cron = body.Cron!;
            row.TimeZone = body.TimeZone;
            row.Suite = body.Suite;
            row.Budget = body.Budget is null ? null : JsonSerializer.Serialize(body.Budget, StoredJson.Options);
            row.UpdatedAt = now;
            await db.SaveChangesAsync(token);
            await AuditLogWriter.AppendAsync(db, user.KeyId(), AuditActions.ScheduleSet, "target", id, new { row.Cron, row.TimeZone, row.Suite, budget = body.Budget }, token);
            scheduling.ScheduleTarget(guid, row.Cron, CronSchedule.TryFindZone(row.TimeZone)!); // before commit: a failure rolls the row back too
            return row;
        }, ct);
        if (row is null) return TypedResults.NotFound();
        return TypedResults.Ok(TargetsApi.ToDto(row, scheduling.NextFires([guid]).GetValueOrDefault(guid)));
    }

    private static async Task<Results<NoContent, NotFound, ValidationProblem>> Delete(string id, VerifierDb db, Scheduling scheduling, ClaimsPrincipal user, CancellationToken ct)
    {
        if (!ValidationExtensions.TryId(id, out var guid, out var problem)) return (ValidationProblem)problem!;
        var found = await db.InTransactionAsync(async token =>
        {
            var row = await db.Schedules.FirstOrDefaultAsync(s => s.TargetId == guid, token);
            if (row is null) return false;
            db.Schedules.Remove(row);
            await db.SaveChangesAsync(token);
            await AuditLogWriter.AppendAsync(db, user.KeyId(), AuditActions.ScheduleRemoved, "target", id, new { row.Cron }, token);
            scheduling.Unschedule(guid);
            return true;
        }, ct);
        if (!found) return TypedResults.NotFound();
        return TypedResults.NoContent();
    }
}
