namespace Verifier.Core.Probes.Suite;

using Verifier.Core.Audits;
using Verifier.Core.Probes.Generators;
using Verifier.Core.Probes.Fingerprint;
using Verifier.Core.Probes.Tokenizer;

/// <summary>
/// The light check between full audits: one tokenizer-fingerprint pair (two requests whose prompt_tokens difference is a
/// segment's token count under the server's tokenizer) plus one short latency sample (a weights-fingerprint prompt, 8
/// tokens), at most 4 requests (one spare for a retry). A switch to a model of another tokenizer family (Qwen, Llama,
/// outside the catalogue) is a mismatch on the pair alone; same-family variants are not told apart (that is what the
/// full audit is for), so an honest light check is usually `inconclusive`. Same suite, same seeds: stored and rescored
/// like any audit.
/// </summary>
public static class LightCheck
{
    public static AuditBudget Budget { get; } = new(4, 4_000, TimeSpan.FromSeconds(120));

    public static AuditPlan Plan(ProbeSuite suite, string claimedBuild, int auditSeed)
    {
        var tokenizer = suite.Specs.First(s => s.Generator == TokenizerProbe.GeneratorId);
        var sample = suite.Specs.First(s => s.Generator == FingerprintProbe.GeneratorId);
        var candidates = new[]
        {
            ProbeGenerators.Find(tokenizer.Generator)!.Generate(auditSeed, tokenizer.Tier, tokenizer.MaxTokens),
            ProbeGenerators.Find(sample.Generator)!.Generate(auditSeed % Math.Max(1, sample.Count), sample.Tier, sample.MaxTokens),
        };
        // The latency sample runs even when it tells the posterior nothing (no reference run): its timing is the point.
        return new AuditPlan(claimedBuild, Catalog.VariantCatalog.Default, candidates, Budget, suite.Version, suite.ContentHash)
        {
            Predictor = ProbeSuite.Predict,
            Options = Evidence.EvidenceOptions.Default with { MinInformationNats = double.NegativeInfinity },
        };
    }
}
