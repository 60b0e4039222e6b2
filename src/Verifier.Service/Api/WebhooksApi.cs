namespace Verifier.Service.Api;

using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Verifier.Core.Alerts;
using Verifier.Core.AuditLog;
using Verifier.Service.Auth;
using Verifier.Storage;

/// <summary>Webhooks (admin): the secret is sealed at rest (SecretBox) and returned once, at creation; never in a log entry.</summary>
public static class WebhooksApi
{
    public static RouteGroupBuilder MapWebhooks(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("/webhooks").WithTags("webhooks").RequireAuthorization(Policies.Admin);
        g.MapPost("/", Create).Validate<CreateWebhookRequest>().WithName("CreateWebhook").WithSummary("Create a webhook; its secret is returned once");
        g.MapGet("/", List).WithName("ListWebhooks").WithSummary("List webhooks (never their secrets)");
        g.MapGet("/{id}", Get).WithName("GetWebhook").WithSummary("Read a webhook");
        g.MapPatch("/{id}", Patch).Validate<PatchWebhookRequest>().WithName("UpdateWebhook").WithSummary("Change a webhook's name, URL, secret or events");
        g.MapDelete("/{id}", Delete).WithName("DeleteWebhook").WithSummary("Delete a webhook; pending deliveries are given up");
        g.MapPost("/{id}/test", Test).WithName("TestWebhook").WithSummary("Queue a signed `test` event for this webhook");
        g.MapGet("/{id}/deliveries", Deliveries).WithName("ListWebhookDeliveries").WithSummary("Delivery log: every attempt with time, status code, error and duration");
        return api;
    }

    private static async Task<Created<WebhookCreatedDto>> Create(CreateWebhookRequest body, VerifierDb db, VerifierSettings settings, ClaimsPrincipal user, TimeProvider time, CancellationToken ct)
    {
        var (row, secret) = await CreateAsync(db, settings, body, user.KeyId(), time.GetUtcNow(), ct);
        return TypedResults.Created($"/api/v1/webhooks/{row.Id}", new WebhookCreatedDto(row.Id, row.Name, row.Url, row.Events, row.CreatedAt, secret));
    }

    /// <summary>Creates a validated webhook (API and dashboard); returns the row and its plain secret, to be shown once.</summary>
    public static async Task<(WebhookRow Row, string Secret)> CreateAsync(VerifierDb db, VerifierSettings settings, CreateWebhookRequest body, Guid? actor, DateTimeOffset now, CancellationToken ct)
    {
        var secret = body.Secret ?? WebhookSignature.NewSecret();
        var row = new WebhookRow { Id = Guid.NewGuid(), Name = body.Name!, Url = body.Url!, SecretCipher = settings.Secrets.Seal(secret), Events = body.Events?.ToArray(), CreatedAt = now, UpdatedAt = now };
        await db.InTransactionAsync(async token =>
        {
            db.Webhooks.Add(row);
            await db.SaveChangesAsync(token);
            await AuditLogWriter.AppendAsync(db, actor, AuditActions.WebhookCreated, "webhook", row.Id.ToString(), Describe(row), token);
        }, ct);
        return (row, secret);
    }

    private static async Task<Ok<List<WebhookDto>>> List(VerifierDb db, CancellationToken ct) =>
        TypedResults.Ok((await db.Webhooks.AsNoTracking().Where(w => w.DeletedAt == null).OrderBy(w => w.CreatedAt).ToListAsync(ct)).Select(ToDto).ToList());

    private static async Task<Results<Ok<WebhookDto>, NotFound>> Get(Guid id, VerifierDb db, CancellationToken ct) =>
        await db.Webhooks.AsNoTracking().FirstOrDefaultAsync(w => w.Id == id && w.DeletedAt == null, ct) is { } row ? TypedResults.Ok(ToDto(row)) : TypedResults.NotFound();

    private static async Task<Results<Ok<WebhookDto>, NotFound, ValidationProblem>> Patch(Guid id, PatchWebhookRequest body, VerifierDb db, VerifierSettings settings, ClaimsPrincipal user, TimeProvider time, CancellationToken ct)
    {
        var row = await db.InTransactionAsync(async token =>
        {
            var row = await db.Webhooks.FirstOrDefaultAsync(w => w.Id == id && w.DeletedAt == null, token);
            if (row is null) return null;
            row.Name = body.Name ?? row.Name;
            row.Url = body.Url ?? row.Url;
            row.Events = body.Events?.ToArray() ?? row.Events;
            if (body.Secret is not null) row.SecretCipher = settings.Secrets.Seal(body.Secret);
            row.UpdatedAt = time.GetUtcNow();
            await db.SaveChangesAsync(token);
            var changed = new[] { ("name", (object?)body.Name), ("url", body.Url), ("events", body.Events), ("secret", body.Secret) }.Where(x => x.Item2 is not null).Select(x => x.Item1).ToList();
            await AuditLogWriter.AppendAsync(db, user.KeyId(), AuditActions.WebhookUpdated, "webhook", row.Id.ToString(), new { changed, webhook = Describe(row) }, token);
            return row;
        }, ct);
        return row is null ? TypedResults.NotFound() : TypedResults.Ok(ToDto(row));
    }

    private static async Task<Results<NoContent, NotFound>> Delete(Guid id, VerifierDb db, ClaimsPrincipal user, TimeProvider time, CancellationToken ct) =>
        await DeleteAsync(db, id, user.KeyId(), time.GetUtcNow(), ct) ? TypedResults.NoContent() : TypedResults.NotFound();

    /// <summary>Soft-deletes a webhook and gives up its pending deliveries (API and dashboard); false when there is none.</summary>
    public static Task<bool> DeleteAsync(VerifierDb db, Guid id, Guid? actor, DateTimeOffset now, CancellationToken ct) =>
        db.InTransactionAsync(async token =>
        {
            var row = await db.Webhooks.FirstOrDefaultAsync(w => w.Id == id && w.DeletedAt == null, token);
            if (row is null) return false;
            row.DeletedAt = now; // soft: the delivery log stays readable for the record
            await db.SaveChangesAsync(token);
            var dropped = await db.WebhookDeliveries.Where(d => d.WebhookId == id && d.Status == DeliveryStatus.Pending)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.Status, DeliveryStatus.Dead).SetProperty(d => d.LastError, "webhook deleted"), token);
            await AuditLogWriter.AppendAsync(db, actor, AuditActions.WebhookDeleted, "webhook", id.ToString(), new { row.Name, pendingGivenUp = dropped }, token);
            return true;
        }, ct);

    private static async Task<Results<Accepted<WebhookTestDto>, NotFound>> Test(Guid id, VerifierDb db, ClaimsPrincipal user, TimeProvider time, CancellationToken ct) =>
        await QueueTestAsync(db, id, user.KeyId(), time.GetUtcNow(), ct) is { } queued
            ? TypedResults.Accepted($"/api/v1/webhooks/{id}/deliveries", queued) : TypedResults.NotFound();

    /// <summary>Queues a signed `test` event for one webhook (API and dashboard); null when the webhook does not exist.</summary>
    public static async Task<WebhookTestDto?> QueueTestAsync(VerifierDb db, Guid id, Guid? actor, DateTimeOffset now, CancellationToken ct)
    {
        var e = new AlertEvent($"test:{Guid.NewGuid()}", AlertEventTypes.Test, Guid.Empty, null, now, new Dictionary<string, object?> { ["message"] = "Test delivery from R1 Verifier." });
        var deliveryId = await db.InTransactionAsync(async token =>
        {
            if (!await db.Webhooks.AnyAsync(w => w.Id == id && w.DeletedAt == null, token)) return (Guid?)null;
            await AlertOutbox.EnqueueAsync(db, e, id, now, token, subscribedOnly: false);
            await AuditLogWriter.AppendAsync(db, actor, AuditActions.WebhookTested, "webhook", id.ToString(), new { eventId = e.Id }, token);
            return await db.WebhookDeliveries.Where(d => d.WebhookId == id && d.EventId == e.Id).Select(d => d.Id).FirstAsync(token);
        }, ct);
        return deliveryId is { } d ? new WebhookTestDto(d, e.Id) : null;
    }

    private static async Task<Results<Ok<PageDto<WebhookDeliveryDto>>, NotFound, ValidationProblem>> Deliveries(Guid id, VerifierDb db, int? page, int? pageSize, CancellationToken ct)
    {
        if (Paging.Problem(page, pageSize) is { } problem) return problem;
        var (p, size) = Paging.Normalize(page, pageSize);
        if (!await db.Webhooks.AnyAsync(w => w.Id == id, ct)) return TypedResults.NotFound();
        var (items, total) = await DeliveriesAsync(db, id, p, size, ct);
        return TypedResults.Ok(new PageDto<WebhookDeliveryDto>(items, p, size, total));
    }

    /// <summary>One page of a webhook's delivery log, newest first, each delivery with every attempt (API and dashboard).</summary>
    public static async Task<(List<WebhookDeliveryDto> Items, int Total)> DeliveriesAsync(VerifierDb db, Guid id, int page, int size, CancellationToken ct)
    {
        var query = db.WebhookDeliveries.AsNoTracking().Where(d => d.WebhookId == id);
        var rows = await query.OrderByDescending(d => d.CreatedAt).ThenBy(d => d.Id).Skip((page - 1) * size).Take(size).ToListAsync(ct);
        var ids = rows.Select(r => r.Id).ToList();
        var attempts = (await db.WebhookAttempts.AsNoTracking().Where(a => ids.Contains(a.DeliveryId)).OrderBy(a => a.Attempt).ToListAsync(ct)).ToLookup(a => a.DeliveryId);
        var items = rows.Select(d => new WebhookDeliveryDto(d.Id, d.EventId, d.EventType, d.TargetId, d.Status, d.Attempts, d.CreatedAt, d.DeliveredAt,
            d.Status == DeliveryStatus.Pending ? d.NextAttemptAt : null, d.LastError,
            attempts[d.Id].Select(a => new WebhookAttemptDto(a.Attempt, a.At, a.NodeId, a.StatusCode, a.Error, a.DurationMs)).ToList())).ToList();
        return (items, await query.CountAsync(ct));
    }

    private static object Describe(WebhookRow w) => new { w.Name, w.Url, events = w.Events }; // never the secret

    private static WebhookDto ToDto(WebhookRow w) => new(w.Id, w.Name, w.Url, w.Events, w.CreatedAt, w.UpdatedAt);
}
