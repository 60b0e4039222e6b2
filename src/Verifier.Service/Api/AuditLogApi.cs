namespace Verifier.Service.Api;

using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Verifier.Storage;

public static class AuditLogApi
{
    public static RouteGroupBuilder MapAuditLog(this RouteGroupBuilder api)
    {
        var g = api.MapGroup("/audit-log").WithTags("audit-log");
        g.MapGet("/", List).WithName("ListAuditLog").WithSummary("Entries of the hash-chained audit log after a sequence number");
        g.MapGet("/verify", Verify).WithName("VerifyAuditLog").WithSummary("Check the chain, the signed checkpoint and every stored verdict");
        g.MapGet("/checkpoint", Checkpoint).WithName("GetAuditLogCheckpoint").WithSummary("The signed head of the audit log");
        return api;
    }

    private static async Task<Results<Ok<IReadOnlyList<AuditLogEntryDto>>, ValidationProblem>> List(long? after, int? limit, VerifierDb db, CancellationToken ct)
    {
        if (after is < 0) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["after"] = ["must be ≥ 0."] });
        if (limit is < 1 or > 1000) return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["must be between 1 and 1000."] });
        var from = after ?? 0;
        var rows = await db.AuditLog.AsNoTracking().Where(e => e.Seq > from).OrderBy(e => e.Seq).Take(limit ?? 100).ToListAsync(ct);
        IReadOnlyList<AuditLogEntryDto> items = rows.Select(r => new AuditLogEntryDto(r.Seq, r.At, r.KeyId, r.Action, r.EntityType, r.EntityId,
            JsonDocument.Parse(r.Data).RootElement.Clone(), Convert.ToHexStringLower(r.Hash))).ToList();
        return TypedResults.Ok(items);
    }

    private static async Task<Ok<ChainDto>> Verify(VerifierDb db, CancellationToken ct)
    {
        var v = await AuditLogWriter.VerifyAsync(db, ct);
        return TypedResults.Ok(new ChainDto(v.Valid, v.Entries, v.FirstBrokenSeq, v.LastSeq, v.CheckpointSeq, v.CheckpointEntries, v.CheckpointSignatureValid,
            v.Truncated, v.TamperedVerdicts, v.Problems));
    }

    /// <summary>The signed head: keep copies outside the database; a later checkpoint must extend the chain they name.</summary>
    private static async Task<Ok<CheckpointDto>> Checkpoint(VerifierDb db, CancellationToken ct)
    {
        var head = await AuditLogWriter.CheckpointAsync(db, ct);
        return TypedResults.Ok(new CheckpointDto(head.Seq, Convert.ToHexStringLower(head.Hash), head.Signature is null ? null : Convert.ToHexStringLower(head.Signature), head.Entries, head.At));
    }
}
