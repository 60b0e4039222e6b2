namespace Verifier.Service.Api;

using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Verifier.Core;
using Verifier.Core.Quality;
using Verifier.Core.Reports;
using Verifier.Storage;

/// <summary>A target's verdict history as a download: CSV (RFC 4180, header row, UTC ISO-8601 times) or JSON.</summary>
public static class VerdictExportApi
{
    private static readonly string[] Header =
        ["auditId", "trigger", "createdAt", "startedAt", "finishedAt", "verdict", "claimedVariant", "mostLikely", "claimPosterior", "quality", "requests", "suiteVersion", "summary"];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static RouteGroupBuilder MapVerdictExport(this RouteGroupBuilder api)
    {
        api.MapGet("/targets/{id}/verdicts", Export).WithTags("targets")
            .WithName("ExportTargetVerdicts")
            .WithSummary("The target's verdict history (completed audits, oldest first; from/to filter on the finish time) as a CSV or JSON attachment.")
            .Produces(200, contentType: "text/csv").Produces<IReadOnlyList<VerdictHistoryDto>>(200, "application/json")
            .ProducesValidationProblem().ProducesProblem(404);
        return api;
    }

    private static async Task<IResult> Export(Guid id, string? format, DateTimeOffset? from, DateTimeOffset? to, VerifierDb db, CancellationToken ct)
    {
        if (format is not (null or "csv" or "json"))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["format"] = ["must be csv or json."] });
        if (from is not null && to is not null && from > to)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["to"] = ["must not be before 'from'."] });
        var target = await db.Targets.AsNoTracking().FirstOrDefaultAsync(t => t.Id == id, ct);
        if (target is null) return TypedResults.NotFound();

        var rows = await Load(db, id, from?.ToUniversalTime(), to?.ToUniversalTime(), ct);
        var stamp = $"verdicts-{id:N}";
        if (format == "json")
            return TypedResults.File(JsonSerializer.SerializeToUtf8Bytes(rows, Json), "application/json", stamp + ".json");
        var csv = Csv.Write(Header, rows.Select(r => (IReadOnlyList<string>)
        [
            r.AuditId.ToString(), Csv.Text(r.Trigger), Csv.Time(r.CreatedAt), Csv.Time(r.StartedAt), Csv.Time(r.FinishedAt), Csv.Text(r.Verdict),
            Csv.Text(r.ClaimedVariant), Csv.Text(r.MostLikely), Csv.Number(r.ClaimPosterior), Csv.Text(r.Quality), Csv.Number(r.Requests),
            Csv.Text(r.SuiteVersion), Csv.Text(r.Summary),
        ]));
        return TypedResults.File(Encoding.UTF8.GetBytes(csv), "text/csv; charset=utf-8", stamp + ".csv");
    }

    private static async Task<List<VerdictHistoryDto>> Load(VerifierDb db, Guid targetId, DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct)
    {
        var rows = await db.Database.SqlQuery<Row>($"""
            SELECT a.id AS "AuditId", a.trigger AS "Trigger", a.created_at AS "CreatedAt", a.started_at AS "StartedAt", a.finished_at AS "FinishedAt",
                   v.kind AS "Kind", v.claimed_variant AS "ClaimedVariant", v.most_likely AS "MostLikely", v.claim_posterior AS "ClaimPosterior",
                   (v.result -> 'quality' ->> 'status')::int AS "QualityStatus", a.requests AS "Requests", a.suite_version AS "SuiteVersion", v.summary AS "Summary"
              FROM audits a JOIN verdicts v ON v.audit_id = a.id
             WHERE a.target_id = {targetId} AND a.status = 'completed'
               AND ({from}::timestamptz IS NULL OR a.finished_at >= {from}) AND ({to}::timestamptz IS NULL OR a.finished_at <= {to})
             ORDER BY a.finished_at, a.id
            """).ToListAsync(ct);
        return rows.Select(r => new VerdictHistoryDto(r.AuditId, r.Trigger, r.CreatedAt, r.StartedAt, r.FinishedAt, r.Kind, r.ClaimedVariant, r.MostLikely,
            r.ClaimPosterior, r.QualityStatus is { } q && Enum.IsDefined((QualityStatus)q) ? StoredNames.Of((QualityStatus)q) : null, r.Requests, r.SuiteVersion, r.Summary)).ToList();
    }

    private sealed record Row(Guid AuditId, string Trigger, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, string Kind,
        string ClaimedVariant, string? MostLikely, double ClaimPosterior, int? QualityStatus, int Requests, string? SuiteVersion, string Summary);
}
