namespace Verifier.Service.Api;

using Verifier.Core;
using Verifier.Core.AuditLog;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Verifier.Core.Audits;
using Verifier.Service.Audits;
using Verifier.Service.Auth;
using Verifier.Storage;

public static class TargetsApi
{
    public static RouteGroupBuilder MapTargets(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("/targets").WithTags("targets");
        g.MapPost("/", Create).Validate<CreateTargetRequest>().RequireAuthorization(Policies.Admin)
            .WithName("CreateTarget").WithSummary("Create a target (its API key is encrypted at rest and never returned)");
        g.MapGet("/", List).WithName("ListTargets").WithSummary("List targets with their schedules, oldest first");
        g.MapGet("/{id}", Get).WithName("GetTarget").WithSummary("Read a target");
        g.MapPatch("/{id}", Patch).Validate<PatchTargetRequest>().RequireAuthorization(Policies.Admin)
            .WithName("UpdateTarget").WithSummary("Change some fields of a target");
        g.MapDelete("/{id}", Delete).RequireAuthorization(Policies.Admin).WithName("DeleteTarget").WithSummary("Delete a target (soft) and its schedule");
        return api;
    }

    private static async Task<Created<TargetDto>> Create(CreateTargetRequest body, VerifierDb db, VerifierSettings settings, ClaimsPrincipal user, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var row = new TargetRow
        {
            Id = Guid.NewGuid(), Name = body.Name!, Kind = StoredNames.Parse<TargetKind>(body.Kind!), BaseUrl = body.BaseUrl, Model = body.Model,
            Dialect = body.Dialect ?? (body.Kind == "openai" ? "vllm" : null), Path = body.Path, ClaimedVariant = body.ClaimedVariant!,
            ApiKeyCipher = string.IsNullOrEmpty(body.ApiKey) ? null : settings.Secrets.Seal(body.ApiKey), CreatedAt = now, UpdatedAt = now,
        };
        await db.InTransactionAsync(async token =>
        {
            db.Targets.Add(row);
            await db.SaveChangesAsync(token);
            await AuditLogWriter.AppendAsync(db, user.KeyId(), AuditActions.TargetCreated, "target", row.Id.ToString(), Describe(row), token);
        }, ct);
        return TypedResults.Created($"/api/v1/targets/{row.Id}", ToDto(row, null, null));
    }

    private static async Task<Results<Ok<PageDto<TargetDto>>, ValidationProblem>> List(VerifierDb db, Scheduling scheduling, int? page, int? pageSize, CancellationToken ct)
    {
        if (Paging.Problem(page, pageSize) is { } problem) return problem;
        var (p, size) = Paging.Normalize(page, pageSize);
        var query = db.Targets.AsNoTracking().Where(t => t.DeletedAt == null);
        var rows = await query.OrderBy(t => t.CreatedAt).Skip((p - 1) * size).Take(size).ToListAsync(ct);
        var ids = rows.Select(r => r.Id).ToList();
        var schedules = await db.Schedules.AsNoTracking().Where(s => ids.Contains(s.TargetId)).ToDictionaryAsync(s => s.TargetId, ct);
        var next = scheduling.NextFires(schedules.Keys);
        var latest = await LatestVerdicts.LoadAsync(db, ids, ct);
        var items = rows.Select(r => ToDto(r, schedules.GetValueOrDefault(r.Id), next.GetValueOrDefault(r.Id)).With(latest)).ToList();
        return TypedResults.Ok(new PageDto<TargetDto>(items, p, size, await query.CountAsync(ct)));
    }

    private static async Task<Results<Ok<TargetDto>, NotFound, ValidationProblem>> Get(Guid id, VerifierDb db, Scheduling scheduling, CancellationToken ct)
    {
        var row = await db.Targets.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id && t.DeletedAt == null, ct);
        if (row is null) return TypedResults.NotFound();
        var s = await db.Schedules.AsNoTracking().FirstOrDefaultAsync(x => x.TargetId == id, ct);
        var latest = await LatestVerdicts.LoadAsync(db, [id], ct);
        return TypedResults.Ok(ToDto(row, s, s is null ? null : scheduling.NextFires([id]).GetValueOrDefault(id)).With(latest));
    }

    private static async Task<Results<Ok<TargetDto>, NotFound, ValidationProblem>> Patch(Guid id, PatchTargetRequest body, VerifierDb db, VerifierSettings settings, ClaimsPrincipal user, TimeProvider time, CancellationToken ct)
    {
        var row = await db.InTransactionAsync(async token =>
        {
            var row = await db.Targets.FirstOrDefaultAsync(t => t.Id == id && t.DeletedAt == null, token);
            if (row is null || (row.Kind == TargetKind.Onnx && (body.BaseUrl is not null || body.Model is not null))) return row;
            row.Name = body.Name ?? row.Name;
            row.BaseUrl = body.BaseUrl ?? row.BaseUrl;
            row.Model = body.Model ?? row.Model;
            row.Dialect = body.Dialect ?? row.Dialect;
            row.Path = body.Path ?? row.Path;
            row.ClaimedVariant = body.ClaimedVariant ?? row.ClaimedVariant;
            if (body.ApiKey is not null) row.ApiKeyCipher = body.ApiKey.Length == 0 ? null : settings.Secrets.Seal(body.ApiKey);
            row.UpdatedAt = time.GetUtcNow();
            await db.SaveChangesAsync(token);
            var changed = new List<string>();
            foreach (var (name, value) in new (string, object?)[] { ("name", body.Name), ("baseUrl", body.BaseUrl), ("model", body.Model), ("dialect", body.Dialect), ("path", body.Path), ("claimedVariant", body.ClaimedVariant), ("apiKey", body.ApiKey) })
                if (value is not null) changed.Add(name);
            await AuditLogWriter.AppendAsync(db, user.KeyId(), AuditActions.TargetUpdated, "target", row.Id.ToString(), new { changed, target = Describe(row) }, token);
            return row;
        }, ct);
        if (row is null) return TypedResults.NotFound();
        if (row.Kind == TargetKind.Onnx && (body.BaseUrl is not null || body.Model is not null))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["baseUrl"] = ["An onnx target has no baseUrl or model; set 'path'."] });
        var s = await db.Schedules.AsNoTracking().FirstOrDefaultAsync(x => x.TargetId == id, ct);
        return TypedResults.Ok(ToDto(row, s, null));
    }

    private static async Task<Results<NoContent, NotFound, ValidationProblem>> Delete(Guid id, VerifierDb db, Scheduling scheduling, ClaimsPrincipal user, TimeProvider time, CancellationToken ct)
    {
        var (found, schedule) = await db.InTransactionAsync(async token =>
        {
            var row = await db.Targets.FirstOrDefaultAsync(t => t.Id == id && t.DeletedAt == null, token);
            if (row is null) return (false, null);
            row.DeletedAt = time.GetUtcNow(); // soft delete: audits and evidence keep pointing at it
            row.ApiKeyCipher = null;
            var schedule = await db.Schedules.FirstOrDefaultAsync(s => s.TargetId == id, token);
            if (schedule is not null) db.Schedules.Remove(schedule);
            await db.SaveChangesAsync(token);
            await AuditLogWriter.AppendAsync(db, user.KeyId(), AuditActions.TargetDeleted, "target", row.Id.ToString(), new { row.Name }, token);
            if (schedule is not null) await AuditLogWriter.AppendAsync(db, user.KeyId(), AuditActions.ScheduleRemoved, "target", row.Id.ToString(), new { schedule.Cron, reason = "target deleted" }, token);
            return (true, (ScheduleRow?)schedule);
        }, ct);
        if (!found) return TypedResults.NotFound();
        if (schedule is not null) scheduling.Unschedule(id);
        return TypedResults.NoContent();
    }

    internal static object Describe(TargetRow t) => new { t.Name, Kind = StoredNames.Of(t.Kind), t.BaseUrl, t.Model, t.Dialect, t.Path, t.ClaimedVariant, hasApiKey = t.ApiKeyCipher is not null };

    internal static TargetDto ToDto(TargetRow t, ScheduleRow? s, DateTimeOffset? next) => new(
        t.Id, t.Name, StoredNames.Of(t.Kind), t.BaseUrl, t.Model, t.Dialect, t.Path, t.ClaimedVariant, t.ApiKeyCipher is not null, t.CreatedAt, t.UpdatedAt,
        s is null ? null : ToDto(s, next));

    internal static ScheduleDto ToDto(ScheduleRow s, DateTimeOffset? next) => new(
        s.Cron, s.TimeZone ?? "UTC", s.Suite, s.Budget is null ? null : System.Text.Json.JsonSerializer.Deserialize<BudgetDto>(s.Budget, StoredJson.Options), next);
}

public static class Paging
{
    public const int MaxPage = 1_000_000, MaxPageSize = 500;

    /// <summary>Page and size within bounds, so the OFFSET (page - 1) × size can neither overflow nor go negative.</summary>
    public static ValidationProblem? Problem(int? page, int? size)
    {
        var errors = new Dictionary<string, string[]>();
        if (page is < 1 or > MaxPage) errors["page"] = [$"must be between 1 and {MaxPage}."];
        if (size is < 1 or > MaxPageSize) errors["pageSize"] = [$"must be between 1 and {MaxPageSize}."];
        return errors.Count == 0 ? null : TypedResults.ValidationProblem(errors);
    }

    public static (int Page, int Size) Normalize(int? page, int? size) => (page ?? 1, size ?? 50);
}
