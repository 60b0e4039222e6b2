namespace Verifier.Service.Tests;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Verifier.Core.ChatTemplates;
using Verifier.Core.Tokenization;
using Verifier.Targets.Onnx.Building;

/// <summary>
/// An `onnx` target goes through the same engine, storage and audit log as a remote one: a tiny runnable Qwen2
/// decoder (random weights, the distill's vocabulary size, real ONNX Runtime) audited by a spot check.
/// </summary>
public class LocalOnnxAuditTests(ApiFixture f) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Spot_check_of_a_local_onnx_model_runs_end_to_end_and_is_stored()
    {
        var folder = Directory.CreateTempSubdirectory("verifier-onnx-").FullName;
        var vocab = Tokenizers.GetForTemplate(ChatTemplateId.DistillQwen).IdSpace;
        new RunnableDecoderBuilder(new TinyDecoderShape(Layers: 1, Hidden: 32, Heads: 2, KvHeads: 1, Intermediate: 64, Vocab: vocab, Context: 4096), DecoderFamily.Qwen2, seed: 9)
            .Build().Save(Path.Combine(folder, "model.onnx"));

        var created = await f.Admin.PostAsJsonAsync("/api/v1/targets", new { name = "local file", kind = "onnx", path = folder, claimedVariant = "r1-distill-qwen-1.5b" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        var accepted = await f.Auditor.PostAsJsonAsync($"/api/v1/targets/{id}/audits", new { budget = new { maxRequests = 5 } });
        var location = accepted.Headers.Location!.ToString();

        JsonElement audit = default;
        var deadline = DateTime.UtcNow.AddMinutes(3); // ONNX generation is CPU-bound: generous on a shared 2-core machine
        while (DateTime.UtcNow < deadline)
        {
            audit = await f.Viewer.GetFromJsonAsync<JsonElement>(location);
            if (audit.GetProperty("status").GetString() is "completed" or "failed") break;
            await Task.Delay(200);
        }
        Assert.Equal("completed", audit.GetProperty("status").GetString());
        Assert.NotNull(audit.GetProperty("verdict").GetProperty("kind").GetString());
        var auditId = audit.GetProperty("id").GetString();
        var errors = await f.Database.ScalarAsync<string>($"SELECT string_agg(coalesce(error, status_code::text), ' | ') FROM exchanges WHERE audit_id = '{auditId}'");
        Assert.True(await f.Database.ScalarAsync<long>($"SELECT count(*) FROM exchanges WHERE audit_id = '{auditId}' AND method = 'LOCAL' AND status_code = 200") >= 1, errors);
        // The tokenizer probe on a local model: prompt_tokens are counted with the claimed variant's own tokenizer.
        Assert.Contains(audit.GetProperty("evidence").EnumerateArray(), e => e.GetProperty("outcome").GetString() == "family:qwen");

        // Re-scoring the stored onnx:// exchanges (the ONNX target's replay, no model needed) reproduces the verdict and outcomes.
        Directory.Delete(folder, recursive: true);
        await using var db = new Verifier.Storage.VerifierDb(Verifier.Storage.VerifierDb.Options(f.Database.ConnectionString));
        var rescored = await Verifier.Service.Audits.AuditRescoring.RescoreAsync(db, Guid.Parse(auditId!));
        Assert.True(rescored.Identical, $"{rescored.Stored.Verdict.ClaimPosterior} vs {rescored.Rescored.Verdict.ClaimPosterior}");
        Assert.Equal(rescored.Stored.Evidence.Select(e => e.OutcomeKey), rescored.Rescored.Evidence.Select(e => e.OutcomeKey));
    }
}
