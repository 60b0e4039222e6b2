namespace Verifier.Simulator.Tests;

using Verifier.Core.Audits;
using Verifier.Core.Probes.Suite;
using Verifier.Core.References;
using Verifier.Simulator;
using Verifier.Targets.Http;

/// <summary>
/// SIMULATION. Reference runs carry fingerprints through export/import, and a stored audit whose verdict rests on them is
/// reproduced exactly by rescoring from its raw exchanges.
/// </summary>
public class FingerprintAuditTests
{
    [Fact]
    public async Task Fingerprints_survive_the_bundle_and_rescoring_reproduces_a_same_tokenizer_mismatch()
    {
        var recorded = await AccuracyBench.RecordReferencesAsync(2, 21, null, CancellationToken.None);
        var suite = ProbeSuite.Default;
        var imported = ReferenceBundles.Import(ReferenceBundles.Export(recorded, suite.Version, suite.ContentHash)).Runs;
        Assert.Equal(recorded.Sum(r => r.Fingerprints.Count), imported.Sum(r => r.Fingerprints.Count));
        Assert.Equal(recorded.ToDictionary(r => r.Id, r => r.Fingerprints.Count), imported.ToDictionary(r => r.Id, r => r.Fingerprints.Count));
        // Every prompt twice, less the odd request a loaded machine times out (a transport fault records nothing).
        Assert.All(imported, r => Assert.InRange(r.Fingerprints.Count, 2 * Core.Probes.Fingerprint.FingerprintProbe.Prompts.Count - 2, 2 * Core.Probes.Fingerprint.FingerprintProbe.Prompts.Count));

        var scenario = Scenario.Load(Path.Combine(Core.Catalog.ProbeFiles.Root, "scenarios", "distill-qwen-7b-as-qwen-32b.json"));
        var (row, result) = await AccuracyBench.RunAsync(scenario, 0, imported, AuditBudget.Default, CancellationToken.None);
        Assert.Equal("mismatch", row.Verdict);
        Assert.Equal("r1-distill-qwen-7b", row.Identified);
        Assert.Contains(result.Evidence, e => e.Category == "Fingerprint" && e.Weighing == "deterministic");

        var plan = suite.Plan(scenario.ClaimedVariant, AuditBudget.Default, 0) with { References = imported };
        var again = AuditEngine.Rescore(plan, result, suite.Regenerate, HttpTarget.Replay);
        Assert.Equal(result.Verdict.Kind, again.Verdict.Kind);
        Assert.Equal(result.Verdict.ClaimPosterior, again.Verdict.ClaimPosterior, 12);
        Assert.Equal(result.Evidence.Select(e => (e.ProbeId, e.OutcomeKey)), again.Evidence.Select(e => (e.ProbeId, e.OutcomeKey)));
    }
}
