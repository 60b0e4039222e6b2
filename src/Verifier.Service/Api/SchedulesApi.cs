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
        g.MapPut("/", Put).Validate<ScheduleRequest>().WithName("SetSchedule").WithSummary("Set or replace the recurring audit schedule of a target");
        g.MapDelete("/", Delete).WithName("RemoveSchedule").WithSummary("Remove the schedule of a target");
        return api;
    }

    private static async Task<Results<Ok<ScheduleDto>, NotFound, ValidationProblem>> Put(Guid id, ScheduleRequest body, VerifierDb db, Scheduling scheduling, ClaimsPrincipal user, TimeProvider time, CancellationToken ct)
    {
        var row = await db.InTransactionAsync(async token =>
        {
            if (!await db.Targets.AnyAsync(t => t.Id == id && t.DeletedAt == null, token)) return null;
            var now = time.GetUtcNow();
            var row = await db.Schedules.FirstOrDefaultAsync(s => s.TargetId == id, token);
            if (row is null) db.Schedules.Add(row = new ScheduleRow { TargetId = id, CreatedAt = now });
            row.Cron = body.Cron!;
            row.TimeZone = body.TimeZone;
            row.Suite = body.Suite;
            row.Budget = body.Budget is null ? null : JsonSerializer.Serialize(body.Budget, StoredJson.Options);
            row.UpdatedAt = now;
            await db.SaveChangesAsync(token);
            await AuditLogWriter.AppendAsync(db, user.KeyId(), AuditActions.ScheduleSet, "target", id.ToString(), new { row.Cron, row.TimeZone, row.Suite, budget = body.Budget }, token);
            scheduling.ScheduleTarget(id, row.Cron, CronSchedule.TryFindZone(row.TimeZone)!); // before commit: a failure rolls the row back too
            return row;
        }, ct);
        if (row is null) return TypedResults.NotFound();
        return TypedResults.Ok(TargetsApi.ToDto(row, scheduling.NextFires([id]).GetValueOrDefault(id)));
    }

    private static async Task<Results<NoContent, NotFound, ValidationProblem>> Delete(Guid id, VerifierDb db, Scheduling scheduling, ClaimsPrincipal user, CancellationToken ct)
    {
        var found = await db.InTransactionAsync(async token =>
        {
            var row = await db.Schedules.FirstOrDefaultAsync(s => s.TargetId == id, token);
            if (row is null) return false;
            db.Schedules.Remove(row);
            await db.SaveChangesAsync(token);
            await AuditLogWriter.AppendAsync(db, user.KeyId(), AuditActions.ScheduleRemoved, "target", id.ToString(), new { row.Cron }, token);
            scheduling.Unschedule(id);
            return true;
        }, ct);
        if (!found) return TypedResults.NotFound();
        return TypedResults.NoContent();
    }
}
