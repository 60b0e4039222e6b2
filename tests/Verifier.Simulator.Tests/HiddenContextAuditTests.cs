namespace Verifier.Simulator.Tests;

using Verifier.Core.Audits;
using Verifier.Core.Probes.Fingerprint;
using Verifier.Core.Probes.Suite;
using Verifier.Simulator;
using Verifier.Targets.Http;

/// <summary>
/// SIMULATION. A vendor that adds a hidden system prompt: fingerprint prompts cannot be compared with references, so the
/// audit stops sending them after two and compares the target with itself (self-consistency pairs) instead. An honest
/// vendor is never accused and rescoring reproduces the pairs; a same-family partial substitution is never called consistent.
/// </summary>
public class HiddenContextAuditTests
{
    private static Scenario Holdout(string name) => Scenario.Load(Path.Combine(Core.Catalog.ProbeFiles.Root, "scenarios", "holdout", name + ".json"));

    [Fact]
    public async Task Fingerprints_give_way_to_self_consistency_pairs_and_rescoring_reproduces_them()
    {
        var references = await AccuracyBench.RecordReferencesAsync(1, 41, null, CancellationToken.None);
        var scenario = Holdout("honest-llama-70b-hidden-system");
        var (row, result) = await AccuracyBench.RunAsync(scenario, 0, references, AuditBudget.Default, CancellationToken.None);
        Assert.NotEqual("mismatch", row.Verdict);
        var greedy = result.Evidence.Where(e => e.Category == "Fingerprint" && e.Tier == FingerprintProbe.Tier).ToList();
        Assert.Equal(2, greedy.Count); // then the context is known to be changed
        Assert.All(greedy, e => Assert.Equal(FingerprintProbe.ContextUnverifiedOutcome, e.OutcomeKey));
        var pairs = result.Evidence.Where(e => e.Tier == FingerprintProbe.RepeatTier).ToList();
        Assert.NotEmpty(pairs);
        Assert.All(pairs, e => Assert.Equal(2, e.ExchangeSequences.Count));
        Assert.Contains(pairs, e => e.OutcomeKey == FingerprintProbe.RepeatSameOutcome);
        // every agreeing pair costs a same-family mixture (which no token count can show) its chance of a split
        Assert.All(pairs.Where(e => e.OutcomeKey == FingerprintProbe.RepeatSameOutcome), e => Assert.InRange(
            e.LogLikelihoods["mix:r1-distill-llama-70b+r1-distill-llama-8b@0.1"] - e.LogLikelihoods["r1-distill-llama-70b@bf16"], Math.Log(0.81), Math.Log(0.83)));

        var suite = ProbeSuite.Default;
        var plan = suite.Plan(scenario.ClaimedVariant, AuditBudget.Default, 0) with { References = references };
        var again = AuditEngine.Rescore(plan, result, suite.Regenerate, HttpTarget.Replay);
        Assert.Equal(result.Verdict.Kind, again.Verdict.Kind);
        Assert.Equal(result.Verdict.ClaimPosterior, again.Verdict.ClaimPosterior, 12);
        Assert.Equal(result.Evidence.Select(e => (e.ProbeId, e.OutcomeKey)), again.Evidence.Select(e => (e.ProbeId, e.OutcomeKey)));
    }

    [Fact]
    public async Task A_same_family_partial_substitution_behind_a_hidden_system_prompt_is_rarely_called_consistent()
    {
        var references = await AccuracyBench.RecordReferencesAsync(1, 43, null, CancellationToken.None);
        var scenario = Holdout("partial-20pct-llama-8b-in-llama-70b-hidden-system-vllm");
        var consistent = 0;
        for (var repeat = 0; repeat < 8; repeat++)
        {
            var (row, result) = await AccuracyBench.RunAsync(scenario, repeat, references, AuditBudget.Default, CancellationToken.None);
            Assert.NotEqual("mismatch", row.Verdict == "mismatch" && row.Identified == "r1-distill-llama-8b" ? "never a pure 8B" : "ok");
            // a pair split between the two models keeps the mixture alive: such an audit never ends consistent
            if (result.Evidence.Any(e => e.OutcomeKey == FingerprintProbe.RepeatDiffersOutcome)) Assert.NotEqual("consistent", row.Verdict);
            if (row.Verdict == "consistent") consistent++;
        }
        // Only pairs that happened not to split can hide a 20 % share: (0.68)^k for k pairs (known gap, Evidence README).
        Assert.True(consistent <= 2, $"consistent in {consistent} of 8");
    }
}
