namespace Verifier.Targets.Onnx.Tests;

using Verifier.Core.Audits;
using Verifier.Core.ChatTemplates;
using Verifier.Core.Probes;
using Verifier.Core.Probes.Fingerprint;
using Verifier.Core.Probes.Suite;
using Verifier.Core.References;
using Verifier.Core.Tokenization;
using Verifier.Targets.Onnx;
using Verifier.Targets.Onnx.Building;

/// <summary>
/// The local ONNX target exposes logprobs, and fingerprint audits through the engine tell builds apart on real ONNX
/// Runtime numerics: tiny decoders with the distill's vocabulary, one weight set as reference "r1-distill-qwen-1.5b@bf16"
/// and a second as "r1-distill-qwen-7b@bf16". (Their random logits are nearly flat over 151k ids, so 4-bit weights move
/// log probabilities less than the honest-noise floor here; FingerprintRealNumericsTests checks quantization on a
/// decoder whose logits are not flat.)
/// </summary>
[Collection("onnx-process-memory")]
public sealed class LocalFingerprintAuditTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("verifier-local-fp-").FullName;

    public void Dispose() => Directory.Delete(dir, true);

    private string Build(int seed, int bits)
    {
        var folder = Path.Combine(dir, $"{seed}-{bits}");
        Directory.CreateDirectory(folder);
        var vocab = Tokenizers.GetForTemplate(ChatTemplateId.DistillQwen).IdSpace;
        new RunnableDecoderBuilder(new TinyDecoderShape(Layers: 1, Hidden: 64, Heads: 4, KvHeads: 2, Intermediate: 128, Vocab: vocab, Context: 512), DecoderFamily.Qwen2, seed) { WeightBits = bits }
            .Build().Save(Path.Combine(folder, "model.onnx"));
        return folder;
    }

    private static IReadOnlyList<ProbeInstance> Fingerprints => Enumerable.Range(0, FingerprintProbe.Prompts.Count).Select(FingerprintProbe.Generate).ToList();

    private static async Task<ReferenceRun> Record(string build, string model)
    {
        using var target = OnnxTarget.Open(model, "r1-distill-qwen-1.5b", maxNewTokens: FingerprintProbe.Tokens);
        var run = ReferenceRecorder.Empty(build, build, "onnx://" + model, DateTimeOffset.UnixEpoch, ProbeSuite.Default.Version, ProbeSuite.Default.ContentHash);
        foreach (var instance in Fingerprints)
            run = ReferenceRecorder.Add(run, instance, FingerprintProbe.Score(instance, await target.ExecuteAsync(instance, CancellationToken.None)), null);
        return run;
    }

    private static AuditPlan Plan(IReadOnlyList<ReferenceRun> references) =>
        new("r1-distill-qwen-1.5b@bf16", Verifier.Core.Catalog.VariantCatalog.Default, Fingerprints, AuditBudget.Default,
            ProbeSuite.Default.Version, ProbeSuite.Default.ContentHash) { References = references, Predictor = ProbeSuite.Predict };

    private static async Task<AuditResult> Audit(string model, IReadOnlyList<ReferenceRun> references)
    {
        using var target = OnnxTarget.Open(model, "r1-distill-qwen-1.5b", maxNewTokens: FingerprintProbe.Tokens);
        return await target.RunAsync(Plan(references));
    }

    [Fact]
    public async Task The_local_target_returns_top_logprobs_and_fingerprint_audits_tell_weight_sets_apart()
    {
        var fp32 = Build(5, 0);
        var other = Build(6, 0);
        IReadOnlyList<ReferenceRun> references = [await Record("r1-distill-qwen-1.5b@bf16", fp32), await Record("r1-distill-qwen-7b@bf16", other)];
        Assert.All(references, r => Assert.Equal(FingerprintProbe.Prompts.Count, r.Fingerprints.Count));
        Assert.All(references[0].Fingerprints, f => Assert.Equal(FingerprintProbe.TopK, f.Observation.Tokens![0].Top.Count));

        var honest = await Audit(fp32, references);
        Assert.True(honest.Verdict.Kind == VerdictKind.Consistent, honest.Verdict.Summary);

        var substitute = await Audit(other, references);
        Assert.True(substitute.Verdict.Kind == VerdictKind.Mismatch, substitute.Verdict.Summary);
        Assert.Equal("r1-distill-qwen-7b", substitute.Verdict.MostLikely);

        // Rescoring a local audit replays its stored onnx:// exchanges with the ONNX target's own replay: same verdict,
        // same outcomes. The HTTP replay sees no chat completions there (the bug this guards against).
        var byId = Fingerprints.ToDictionary(f => f.ProbeId);
        var again = AuditEngine.Rescore(Plan(references), substitute, p => byId[p.ProbeId], OnnxTarget.Replay);
        Assert.Equal(substitute.Verdict.Kind, again.Verdict.Kind);
        Assert.Equal(substitute.Verdict.Posterior, again.Verdict.Posterior);
        Assert.Equal(substitute.Evidence.Select(e => (e.ProbeId, e.OutcomeKey)), again.Evidence.Select(e => (e.ProbeId, e.OutcomeKey)));
        var asHttp = AuditEngine.Rescore(Plan(references), substitute, p => byId[p.ProbeId], Verifier.Targets.Http.HttpTarget.Replay);
        Assert.NotEqual(substitute.Evidence.Select(e => e.OutcomeKey), asHttp.Evidence.Select(e => e.OutcomeKey));
    }

    [Fact]
    public void A_plan_for_another_variant_is_refused_before_anything_runs()
    {
        using var target = OnnxTarget.Open(Build(7, 0), "r1-distill-qwen-1.5b", maxNewTokens: 4);
        var plan = Plan([]) with { ClaimedBuild = "r1-distill-llama-8b" };
        var e = Assert.Throws<ArgumentException>(() => { _ = target.RunAsync(plan); });
        Assert.Contains("r1-distill-llama-8b", e.Message, StringComparison.Ordinal);
    }
}
