namespace Verifier.Service.Api;

using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Verifier.Core.AuditLog;
using Verifier.Core.Probes.Suite;
using Verifier.Service.Audits;
using Verifier.Service.Auth;
using Verifier.Storage;

/// <summary>A target's light-check schedule (its own cron and Hangfire job), next to the full schedule, which it leaves as it is.</summary>
public static class LightSchedulesApi
{
    public static RouteGroupBuilder MapLightSchedules(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("/targets/{id}/light-schedule").WithTags("schedules");
        g.MapGet("/", Get).WithName("GetLightSchedule").WithSummary("A target's light-check schedule");
        g.MapPut("/", Put).Validate<LightScheduleRequest>().RequireAuthorization(Policies.Admin)
            .WithName("SetLightSchedule").WithSummary("Schedule light checks (tokenizer pair + latency sample, at most 4 requests)");
        g.MapDelete("/", Delete).RequireAuthorization(Policies.Admin).WithName("DeleteLightSchedule").WithSummary("Remove a target's light-check schedule");
        return api;
    }

    private static async Task<Results<Ok<LightScheduleDto>, NotFound>> Get(Guid id, VerifierDb db, Scheduling scheduling, CancellationToken ct) =>
        await db.LightSchedules.AsNoTracking().FirstOrDefaultAsync(s => s.TargetId == id, ct) is { } row
            ? TypedResults.Ok(ToDto(row, scheduling.NextFires([id], light: true).GetValueOrDefault(id))) : TypedResults.NotFound();

    private static async Task<Results<Ok<LightScheduleDto>, NotFound, ValidationProblem>> Put(Guid id, LightScheduleRequest body, VerifierDb db, Scheduling scheduling, ClaimsPrincipal user, TimeProvider time, CancellationToken ct)
    {
        var row = await db.InTransactionAsync(async token =>
        {
            if (!await db.Targets.AnyAsync(t => t.Id == id && t.DeletedAt == null, token)) return null;
            var now = time.GetUtcNow();
            var row = await db.LightSchedules.FirstOrDefaultAsync(s => s.TargetId == id, token);
            if (row is null) db.LightSchedules.Add(row = new LightScheduleRow { TargetId = id, CreatedAt = now });
            row.Cron = body.Cron!;
            row.TimeZone = body.TimeZone;
            row.UpdatedAt = now;
            await db.SaveChangesAsync(token);
            await AuditLogWriter.AppendAsync(db, user.KeyId(), AuditActions.LightScheduleSet, "target", id.ToString(), new { row.Cron, row.TimeZone }, token);
            scheduling.ScheduleLight(id, row.Cron, CronSchedule.TryFindZone(row.TimeZone)!); // before commit: a failure rolls the row back too
            return row;
        }, ct);
        return row is null ? TypedResults.NotFound() : TypedResults.Ok(ToDto(row, scheduling.NextFires([id], light: true).GetValueOrDefault(id)));
    }

    private static async Task<Results<NoContent, NotFound>> Delete(Guid id, VerifierDb db, Scheduling scheduling, ClaimsPrincipal user, CancellationToken ct)
    {
        var found = await db.InTransactionAsync(async token =>
        {
            var row = await db.LightSchedules.FirstOrDefaultAsync(s => s.TargetId == id, token);
            if (row is null) return false;
            db.LightSchedules.Remove(row);
            await db.SaveChangesAsync(token);
            await AuditLogWriter.AppendAsync(db, user.KeyId(), AuditActions.LightScheduleRemoved, "target", id.ToString(), new { row.Cron }, token);
            scheduling.UnscheduleLight(id);
            return true;
        }, ct);
        return found ? TypedResults.NoContent() : TypedResults.NotFound();
    }

    private static LightScheduleDto ToDto(LightScheduleRow s, DateTimeOffset? next) => new(s.Cron, s.TimeZone ?? "UTC", LightCheck.Budget.MaxRequests, next);
}
