namespace Verifier.Service.Api;

using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Verifier.Core.AuditLog;
using Verifier.Core.Sla;
using Verifier.Service.Alerts;
using Verifier.Service.Auth;
using Verifier.Storage;

/// <summary>SLA figures (any role) and per-target thresholds (admin) that raise `sla.breached`.</summary>
public static class SlaApi
{
    public static RouteGroupBuilder MapSla(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("/targets/{id}").WithTags("sla");
        g.MapGet("/sla", Figures).WithName("GetTargetSla").WithSummary("SLA figures of a target over 24h, 7d or 30d");
        g.MapGet("/sla/series", Series).WithName("GetTargetSlaSeries").WithSummary("SLA figures of a target in equal time buckets, for charts");
        g.MapGet("/sla-thresholds", GetThresholds).WithName("GetSlaThresholds").WithSummary("A target's SLA thresholds");
        g.MapPut("/sla-thresholds", PutThresholds).Validate<SlaThresholdsRequest>().RequireAuthorization(Policies.Admin)
            .WithName("SetSlaThresholds").WithSummary("Set a target's SLA thresholds (p95 latency, p95 TTFT, error rate over a window)");
        g.MapDelete("/sla-thresholds", DeleteThresholds).RequireAuthorization(Policies.Admin).WithName("DeleteSlaThresholds").WithSummary("Remove a target's SLA thresholds");
        return api;
    }

    private static ValidationProblem WindowProblem() =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["window"] = [$"must be one of {string.Join(", ", SlaWindows.ByName.Keys)}."] });

    private static async Task<Results<Ok<SlaDto>, NotFound, ValidationProblem>> Figures(Guid id, string? window, VerifierDb db, TimeProvider time, CancellationToken ct)
    {
        var name = window ?? "24h";
        if (!SlaWindows.ByName.TryGetValue(name, out var span)) return WindowProblem();
        if (!await db.Targets.AnyAsync(t => t.Id == id, ct)) return TypedResults.NotFound();
        var figures = await SlaQueries.TargetFiguresAsync(db, id, span, time.GetUtcNow(), ct);
        var thresholds = await db.SlaThresholds.AsNoTracking().FirstOrDefaultAsync(t => t.TargetId == id, ct);
        return TypedResults.Ok(new SlaDto(id, name, figures, thresholds is null ? null : ToDto(thresholds),
            thresholds is null ? [] : SlaThresholds.Breaches(AlertOutbox.ToThresholds(thresholds), figures)));
    }

    private static async Task<Results<Ok<SlaSeriesDto>, NotFound, ValidationProblem>> Series(Guid id, string? window, int? buckets, VerifierDb db, TimeProvider time, CancellationToken ct)
    {
        var name = window ?? "24h";
        if (!SlaWindows.ByName.TryGetValue(name, out var span)) return WindowProblem();
        if (buckets is < 1 or > 500) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["buckets"] = ["must be between 1 and 500."] });
        if (!await db.Targets.AnyAsync(t => t.Id == id, ct)) return TypedResults.NotFound();
        return TypedResults.Ok(new SlaSeriesDto(id, name, await SlaQueries.TargetSeriesAsync(db, id, span, time.GetUtcNow(), ct, buckets ?? SlaQueries.DefaultBuckets)));
    }

    private static async Task<Results<Ok<SlaThresholdsDto>, NotFound>> GetThresholds(Guid id, VerifierDb db, CancellationToken ct) =>
        await db.SlaThresholds.AsNoTracking().FirstOrDefaultAsync(t => t.TargetId == id, ct) is { } row ? TypedResults.Ok(ToDto(row)) : TypedResults.NotFound();

    private static async Task<Results<Ok<SlaThresholdsDto>, NotFound, ValidationProblem>> PutThresholds(Guid id, SlaThresholdsRequest body, VerifierDb db, ClaimsPrincipal user, TimeProvider time, CancellationToken ct)
    {
        var row = await db.InTransactionAsync(async token =>
        {
            if (!await db.Targets.AnyAsync(t => t.Id == id && t.DeletedAt == null, token)) return null;
            var row = await db.SlaThresholds.FirstOrDefaultAsync(t => t.TargetId == id, token);
            if (row is null) db.SlaThresholds.Add(row = new SlaThresholdRow { TargetId = id });
            (row.P95LatencyMs, row.P95TtftMs, row.MaxErrorRate, row.WindowSeconds, row.UpdatedAt) =
                (body.P95LatencyMs, body.P95TtftMs, body.MaxErrorRate, (body.WindowMinutes ?? 60) * 60, time.GetUtcNow());
            await db.SaveChangesAsync(token);
            await AuditLogWriter.AppendAsync(db, user.KeyId(), AuditActions.SlaThresholdsSet, "target", id.ToString(), ToDto(row), token);
            return row;
        }, ct);
        return row is null ? TypedResults.NotFound() : TypedResults.Ok(ToDto(row));
    }

    private static async Task<Results<NoContent, NotFound>> DeleteThresholds(Guid id, VerifierDb db, ClaimsPrincipal user, CancellationToken ct)
    {
        var found = await db.InTransactionAsync(async token =>
        {
            var row = await db.SlaThresholds.FirstOrDefaultAsync(t => t.TargetId == id, token);
            if (row is null) return false;
            db.SlaThresholds.Remove(row);
            await db.SaveChangesAsync(token);
            await AuditLogWriter.AppendAsync(db, user.KeyId(), AuditActions.SlaThresholdsRemoved, "target", id.ToString(), new { }, token);
            return true;
        }, ct);
        return found ? TypedResults.NoContent() : TypedResults.NotFound();
    }

    private static SlaThresholdsDto ToDto(SlaThresholdRow r) => new(r.P95LatencyMs, r.P95TtftMs, r.MaxErrorRate, r.WindowSeconds / 60, r.UpdatedAt);
}
