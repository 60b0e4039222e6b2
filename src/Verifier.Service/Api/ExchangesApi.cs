namespace Verifier.Service.Api;

using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Verifier.Core.Exchanges;
using Verifier.Storage;

/// <summary>The raw exchanges of an audit: a page of them (metadata, no bodies) and one with its bodies as text.</summary>
public static class ExchangesApi
{
    public static RouteGroupBuilder MapExchanges(this RouteGroupBuilder api)
    {
        api.MapGet("/audits/{id}/exchanges", List).WithTags("audits")
            .WithName("ListAuditExchanges")
            .WithSummary("Raw exchanges of an audit in sequence order: status, outcome, timing, usage, headers without credentials (no bodies).");
        api.MapGet("/audits/{id}/exchanges/{seq}", Get).WithTags("audits")
            .WithName("GetAuditExchange")
            .WithSummary("One raw exchange with its request and response bodies as text (empty once pruned: see bodiesPrunedAt).");
        return api;
    }

    private static async Task<Results<Ok<PageDto<ExchangeDto>>, NotFound, ValidationProblem>> List(Guid id, int? page, int? pageSize, VerifierDb db, CancellationToken ct)
    {
        if (Paging.Problem(page, pageSize) is { } problem) return problem;
        if (!await db.Audits.AnyAsync(a => a.Id == id, ct)) return TypedResults.NotFound();
        var (p, size) = Paging.Normalize(page, pageSize);
        var query = db.Exchanges.AsNoTracking().Where(e => e.AuditId == id);
        // bodies stay in the database: a page of 4 MB responses is not a listing
        var rows = await query.OrderBy(e => e.Seq).Skip((p - 1) * size).Take(size).Select(e => new
        {
            Row = new ExchangeRow
            {
                AuditId = e.AuditId, Seq = e.Seq, ProbeId = e.ProbeId, Attempt = e.Attempt, Method = e.Method, Url = e.Url, RequestHeaders = e.RequestHeaders,
                StatusCode = e.StatusCode, ResponseHeaders = e.ResponseHeaders, Outcome = e.Outcome, Error = e.Error, StartedAt = e.StartedAt,
                DurationMs = e.DurationMs, TtftMs = e.TtftMs, PromptTokens = e.PromptTokens, CompletionTokens = e.CompletionTokens,
                ReasoningTokens = e.ReasoningTokens, BodiesPrunedAt = e.BodiesPrunedAt,
            },
            RequestBytes = e.RequestBody.Length,
            ResponseBytes = e.ResponseBody.Length,
        }).ToListAsync(ct);
        var items = rows.Select(r => ToDto(r.Row, r.RequestBytes, r.ResponseBytes, withBodies: false)).ToList();
        return TypedResults.Ok(new PageDto<ExchangeDto>(items, p, size, await query.CountAsync(ct)));
    }

    private static async Task<Results<Ok<ExchangeDto>, NotFound, ValidationProblem>> Get(Guid id, int seq, VerifierDb db, CancellationToken ct)
    {
        var row = await db.Exchanges.AsNoTracking().FirstOrDefaultAsync(e => e.AuditId == id && e.Seq == seq, ct);
        return row is null ? TypedResults.NotFound() : TypedResults.Ok(ToDto(row, row.RequestBody.Length, row.ResponseBody.Length, withBodies: true));
    }

    private static ExchangeDto ToDto(ExchangeRow e, int requestBytes, int responseBytes, bool withBodies) => new(
        e.Seq, e.ProbeId, e.Attempt, e.Method, e.Url, e.StatusCode, e.Outcome, e.Error, e.StartedAt, e.DurationMs, e.TtftMs,
        e.PromptTokens is null && e.CompletionTokens is null && e.ReasoningTokens is null ? null : new UsageDto(e.PromptTokens, e.CompletionTokens, e.ReasoningTokens),
        Headers(e.RequestHeaders), Headers(e.ResponseHeaders), requestBytes, responseBytes,
        withBodies ? Encoding.UTF8.GetString(e.RequestBody) : null, withBodies ? Encoding.UTF8.GetString(e.ResponseBody) : null, e.BodiesPrunedAt);

    private static IReadOnlyDictionary<string, string> Headers(string json) =>
        ExchangeHeaders.Shown(JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? []);
}
